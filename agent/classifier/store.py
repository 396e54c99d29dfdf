"""Where the classifier lives on disk: ``<data_dir>/classifier/`` (git-ignored).

``<variant>/model.joblib`` + ``<variant>/manifest.json`` per trained variant, ``embeddings-<embedder>.npz``
(the embedding cache) and ``labels.jsonl`` (analysts' corrections, one JSON object per line).
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.classifier.corpus import Example
from agent.classifier.errors import EmptyText, InvalidLabel, ModelError
from core.domain import CaseType
from core.settings import Settings

MAX_LABEL_CHARS = 20_000


def classifier_dir(settings: Settings) -> Path:
    """The analysts' labels live here, always inside the data directory."""
    path = settings.resolved_data_dir / "classifier"
    path.mkdir(parents=True, exist_ok=True)
    return path


def model_dir(settings: Settings) -> Path:
    """Trained models and the embedding cache: ``settings.classifier_dir`` when set (shared), else the above."""
    if settings.classifier_dir is None:
        return classifier_dir(settings)
    path = settings.classifier_dir.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def labels_path(settings: Settings) -> Path:
    return classifier_dir(settings) / "labels.jsonl"


def embedding_cache_path(settings: Settings, embedder_name: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", embedder_name)
    return model_dir(settings) / f"embeddings-{safe}.npz"


def variant_dir(settings: Settings, variant: str) -> Path:
    return model_dir(settings) / variant


def read_manifest(settings: Settings, variant: str) -> dict[str, Any] | None:
    """The stored manifest of ``variant``, or None when there is none or it is unreadable."""
    path = variant_dir(settings, variant) / "manifest.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def save_model(settings: Settings, variant: str, model: Any, manifest: dict[str, Any]) -> Path:
    """Write the model then its manifest (each atomically), so a manifest never names a missing model."""
    import joblib

    directory = variant_dir(settings, variant)
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f"model.joblib.{os.getpid()}.tmp"  # unique: workers may train side by side
    joblib.dump(model, tmp)
    tmp.replace(directory / "model.joblib")
    tmp_manifest = directory / f"manifest.json.{os.getpid()}.tmp"
    tmp_manifest.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    tmp_manifest.replace(directory / "manifest.json")
    return directory


def load_model(settings: Settings, variant: str) -> Any:
    """The stored model of ``variant``; a missing or unreadable file is a ModelError."""
    import joblib

    path = variant_dir(settings, variant) / "model.joblib"
    try:
        return joblib.load(path)
    except Exception as exc:  # pickle, EOF, attribute errors from another library version
        raise ModelError(f"cannot load the classifier model {path}: {exc}") from exc


def append_labelled_example(
    settings: Settings,
    text: str,
    case_type: CaseType | str,
    source: str = "analyst",
    user: str | None = None,
    thread_id: str | None = None,
) -> dict[str, Any]:
    """Append an analyst's case-type choice for ``text`` to labels.jsonl and return the stored record."""
    if not isinstance(text, str) or not text.strip():
        raise EmptyText("a labelled example needs the message text")
    if len(text) > MAX_LABEL_CHARS:
        raise EmptyText(f"a labelled example may have at most {MAX_LABEL_CHARS} characters")
    try:
        label = CaseType(case_type)
    except ValueError as exc:
        choices = ", ".join(c.value for c in CaseType)
        raise InvalidLabel(f"unknown case type {case_type!r}; choose one of {choices}") from exc
    record = {
        "text": text.strip(),
        "case_type": label.value,
        "source": source,
        "user": user,
        "thread_id": thread_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    # One write on an O_APPEND descriptor: concurrent writers never interleave inside a line.
    fd = os.open(labels_path(settings), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
    return record


def remove_labels(settings: Settings, text: str) -> int:
    """Drop the analysts' labels whose message is exactly ``text`` (it became an evaluation case); the count."""
    path = labels_path(settings)
    if not path.exists():
        return 0
    kept, removed = [], 0
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            same = str(json.loads(line).get("text") or "").strip() == text.strip()
        except (ValueError, AttributeError):
            same = False
        if same:
            removed += 1
        else:
            kept.append(line)
    if removed:
        path.write_text("".join(k + "\n" for k in kept), encoding="utf-8")
    return removed


def read_labels(settings: Settings) -> list[Example]:
    """Analysts' labelled examples; unreadable lines are skipped (the file is appended to by the app)."""
    path = labels_path(settings)
    if not path.exists():
        return []
    examples: list[Example] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            raw = json.loads(line)
            examples.append(
                Example(f"label-{lineno}", str(raw["text"]), CaseType(raw["case_type"]), "analyst")
            )
        except (ValueError, KeyError, TypeError):
            continue
    return examples
