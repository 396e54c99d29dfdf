"""The release manifest of a gate result: exactly which model, prompts, classifier, corpus, thresholds and data."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from core.settings import Settings
from evals.dataset import file_sha256


def model_sha256(settings: Settings) -> dict[str, Any]:
    """SHA-256 of the embedded model file: the one recorded when it was verified at assembly, else computed."""
    try:
        from agent.llm.embedded import model_path
    except ImportError:
        return {"sha256": None, "note": "the embedded model module is not available"}
    path = model_path(settings)
    if not path.is_file():
        return {"path": str(path), "sha256": None, "note": "model file not present"}
    marker = path.with_suffix(".sha256")
    if marker.is_file():
        return {"path": str(path), "sha256": marker.read_text().split()[0], "source": "verified at assembly"}
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return {"path": str(path), "sha256": digest.hexdigest(), "source": "computed"}


def prompt_hashes(versions: dict[str, str]) -> dict[str, str | None]:
    """name@version -> SHA-256 of the prompt file (None when the file is not in prompts/)."""
    try:
        from prompts import PROMPTS_DIR
    except ImportError:
        return {}
    out: dict[str, str | None] = {}
    for name, version in sorted(versions.items()):
        path = Path(PROMPTS_DIR) / f"{name}@{version}.md"
        out[f"{name}@{version}"] = file_sha256(path) if path.is_file() else None
    return out


def classifier_info(settings: Settings) -> dict[str, Any]:
    """The case-type classifier's version and held-out report, when the agent has one."""
    try:
        from agent import classifier  # type: ignore[attr-defined]
    except ImportError:
        return {"available": False, "note": "agent.classifier is not part of this build"}
    info: dict[str, Any] = {"available": True, "version": getattr(classifier, "__version__", None)}
    report = getattr(classifier, "classifier_report", None)
    if report is not None:
        try:
            info["report"] = report(settings)
            info["version"] = info["report"].get("version", info["version"])
        except Exception as exc:  # the report is informative: its failure must not hide the gate result
            info["report_error"] = f"{type(exc).__name__}: {exc}"
    return info


def build_manifest(
    settings: Settings,
    *,
    provider: str,
    model: str | None,
    prompt_versions: dict[str, str],
    config_digest: str,
    corpus_hash: str,
    index_corpus_hash: str | None,
    thresholds_path: Path | None,
    thresholds_version: str | None,
    datasets: list[dict[str, Any]],
    git_commit: str | None,
    classifier_version: str | None = None,
) -> dict[str, Any]:
    """Everything a gate result approved, in one place."""
    return {
        "git_commit": git_commit,
        "config_digest": config_digest,
        "provider": provider,
        "model": model,
        "model_file": model_sha256(settings)
        if provider == "embedded"
        else {"sha256": None, "note": provider},
        "prompt_versions": dict(sorted(prompt_versions.items())),
        "prompt_sha256": prompt_hashes(prompt_versions),
        "classifier_version": classifier_version,
        "corpus_hash": corpus_hash,
        "index_corpus_hash": index_corpus_hash,
        "thresholds_version": thresholds_version,
        "thresholds_sha256": file_sha256(thresholds_path)
        if thresholds_path and thresholds_path.is_file()
        else None,
        "datasets": datasets,
    }
