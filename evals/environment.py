"""Prepares what an eval run needs: the seeded eval database, the SOP index, the agent service, the hashes."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from core.settings import Settings
from evals.config import EvalConfig

CORPUS_DIR = Path(__file__).resolve().parents[1] / "retrieval" / "corpus"


class EvalSetupError(RuntimeError):
    """Something the eval needs (agent, data, index) is missing or broken."""


def ensure_seeded(settings: Settings, payments: int) -> dict[str, Any]:
    """Seed the eval payments database (the generator skips an identical seed; another size is re-seeded)."""
    try:
        from sandbox.generator import SeedError, seed_database
        from sandbox.schema import get_payments_engine
    except ImportError as exc:
        raise EvalSetupError(f"the data generator is not available ({exc})") from None
    engine = get_payments_engine(settings.payments_db_url)
    try:
        report = seed_database(engine, payments=payments, seed=settings.seed)
    except SeedError:  # the eval database belongs to the harness: re-seed it at the configured size
        report = seed_database(engine, payments=payments, seed=settings.seed, force=True)
    return {"payments": payments, "seed": settings.seed, "skipped": getattr(report, "skipped", None)}


class SandboxSnapshot:
    """The seeded payments database, restored before every case so one case's actions never reach the next.

    An executed recall, an opened case or a released hold changes the sandbox; without the reset a later case
    about the same payment meets "a recall is already pending" instead of the scenario it was written for.
    SQLite only (the eval's own database): the online backup API copies pages in place, so the service's open
    connections see the restored state. Other databases are left as they are (``restore`` does nothing).
    """

    def __init__(self, database_url: str, directory: Path) -> None:
        prefix = "sqlite:///"
        self.live = Path(database_url[len(prefix) :]) if database_url.startswith(prefix) else None
        self.copy = directory / "payments.seeded.db"

    @property
    def enabled(self) -> bool:
        return self.live is not None

    def take(self) -> None:
        if self.live is not None:
            self._backup(self.live, self.copy)

    def restore(self) -> None:
        if self.live is not None and self.copy.exists():
            self._backup(self.copy, self.live)

    @staticmethod
    def _backup(source: Path, target: Path) -> None:
        src, dst = sqlite3.connect(source), sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()


def lane_settings(settings: Settings, lane: int) -> Settings:
    """Settings of eval lane ``lane`` (> 0): its own payments sandbox and app database under data/eval/lane-N,
    and its own slot group of the embedded model server."""
    directory = settings.resolved_data_dir / "eval" / f"lane-{lane}"
    directory.mkdir(parents=True, exist_ok=True)
    return settings.model_copy(
        update={
            "payments_database_url": f"sqlite:///{directory / 'payments.db'}",
            "database_url": f"sqlite:///{directory / 'payinvest.db'}",
            "llm_slot_group": lane,
        }
    )


def open_or_build_retriever(settings: Settings, config: EvalConfig) -> Any:
    """Open the SOP index, building it first when it is missing; apply the config's fusion weights."""
    from retrieval.errors import IndexNotBuilt
    from retrieval.fusion import FusionWeights
    from retrieval.index import build_index
    from retrieval.search import open_retriever

    weights = FusionWeights.load()
    if config.retrieval.weights:
        weights = FusionWeights(**{**weights.__dict__, **config.retrieval.weights})
    try:
        return open_retriever(settings, weights=weights)
    except IndexNotBuilt:
        build_index(settings, progress=True)
        return open_retriever(settings, weights=weights)


class RetrievalOff:
    """A retriever that finds nothing, by search or by case type (the "retrieval off" degradation); section
    look-ups still work."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def search(self, query: str, **_: Any) -> list[Any]:
        return []

    def procedure(self, case_type: Any) -> list[Any]:
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def check_agent_features(config: EvalConfig) -> None:
    """Fail before any run when the configuration needs AgentConfig fields this build does not have."""
    try:
        from agent.config import AgentConfig
    except ImportError as exc:
        raise EvalSetupError(f"the agent is not available ({exc})") from None
    missing = [
        n for n in dict.fromkeys([*config.requires, *config.agent]) if n not in AgentConfig.model_fields
    ]
    if missing:
        raise EvalSetupError(
            f"configuration {config.name!r} needs agent feature(s) {', '.join(missing)}, "
            "which this build's AgentConfig does not have"
        )


def section_checker(retriever: Any) -> Any:
    """A function telling whether an 'SOP-xxx §n' citation exists in the index."""

    def exists(citation: str) -> bool:
        sop_id, _, section = citation.partition(" §")
        try:
            return retriever.get_section(sop_id, section) is not None
        except Exception:
            return False

    return exists


def text_classifier(settings: Settings, config: EvalConfig) -> Any:
    """The case-type classifier of a non-default variant (None: the service loads its default itself)."""
    if config.classifier_variant == "full":
        return None
    try:
        from agent.classifier import CaseClassifier
    except ImportError as exc:
        raise EvalSetupError(f"the case-type classifier is not available ({exc})") from None
    return CaseClassifier.load_or_train(settings, variant=config.classifier_variant)


def build_service(
    settings: Settings,
    config: EvalConfig,
    *,
    chat_model: Any = None,
    retriever: Any = None,
    systems: Any = None,
    classifier: Any = None,
) -> Any:
    """The real AgentService for this configuration."""
    try:
        from agent.service import AgentService
    except ImportError as exc:
        raise EvalSetupError(f"the agent service is not available ({exc})") from None
    from evals.agent_adapter import agent_config

    check_agent_features(config)
    if not config.retrieval.enabled and retriever is not None:
        retriever = RetrievalOff(retriever)
    kwargs: dict[str, Any] = {}
    chosen = classifier if classifier is not None else text_classifier(settings, config)
    if chosen is not None:
        kwargs["classifier"] = chosen
    return AgentService(
        settings,
        chat_model=chat_model,
        systems=systems,
        retriever=retriever,
        config=agent_config(config),
        **kwargs,
    )


def corpus_hash(settings: Settings | None = None) -> str:
    """SHA-256 over the corpus files (names and bytes, sorted): what the answers were grounded on."""
    digest = hashlib.sha256()
    for path in sorted(CORPUS_DIR.glob("SOP-*.md")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def index_corpus_hash(settings: Settings) -> str | None:
    """The corpus hash the retrieval index recorded when it was built."""
    try:
        from retrieval.index import read_manifest

        manifest = read_manifest(settings) or {}
    except Exception:
        return None
    return manifest.get("corpus_hash")


def git_commit() -> str | None:
    """The current commit (with '+dirty' when the tree has local changes)."""
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")
