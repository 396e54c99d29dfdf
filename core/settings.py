"""One settings object for every command and service (environment prefix ``PAYINVEST_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. Every path the project writes lives under ``data_dir``."""

    model_config = SettingsConfigDict(env_prefix="PAYINVEST_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"), description="Git-ignored directory for everything generated."
    )
    seed: int = Field(default=20261122, description="Seed of the synthetic data generator.")

    # Databases. None means an SQLite file inside data_dir.
    payments_database_url: str | None = Field(
        default=None, description="SQLAlchemy URL of the payments sandbox."
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL for users, conversations, proposals, audit and checkpoints."
    )

    # The payments API the tools call. None means the sandbox mounted in process.
    payments_api_url: str | None = None
    payments_api_token: str | None = Field(
        default=None, description="Bearer token of the payments API; generated into data_dir if unset."
    )
    approval_key: str | None = Field(
        default=None,
        description="Signs approval references (shared with the payments API); generated if unset.",
    )
    approval_ttl_seconds: int = Field(
        default=900, ge=10, description="Lifetime of a signed approval reference."
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host headers served besides host, 127.0.0.1, localhost and ::1 (DNS-rebinding guard).",
    )

    # Retrieval. None means Chroma's embedded PersistentClient under data_dir/chroma.
    chroma_url: str | None = None
    chroma_collection: str = "sop_chunks"
    embed_threads: int = Field(default=1, description="torch threads for the query embedder.")

    # The trained case-type classifier (model files and embedding cache). None means data_dir/classifier;
    # several workers (or test processes) may share one trained model here. Analysts' labels stay in data_dir.
    classifier_dir: Path | None = None

    # LLM provider.
    llm_provider: Literal["embedded", "openai"] = "embedded"
    llm_threads: int = 2
    llm_ctx_size: int = Field(
        default=12288,
        description="Context of the embedded model per slot group (4 slots: 3,072 tokens each).",
    )
    llm_slot_groups: int = Field(
        default=1,
        ge=1,
        le=4,
        description="Slot groups of the embedded server: one per agent service calling it at the same time "
        "(the eval's lanes); llama.cpp batches their generation.",
    )
    llm_slot_group: int = Field(
        default=0, ge=0, le=3, description="The slot group this process's agent service uses (eval lanes)."
    )
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"

    # Web app.
    host: str = "127.0.0.1"
    port: int = 8000

    # Observability (docs/operations.md).
    metrics_bind: str | None = Field(
        default=None,
        description="HOST:PORT of a separate /metrics listener without login (e.g. 10.0.0.5:9464); unset: "
        "/metrics on the app port for admins only.",
    )
    trace_exporter: Literal["off", "console", "otlp"] = Field(
        default="off", description="OpenTelemetry span exporter: off, console (stderr) or otlp (gRPC)."
    )
    otlp_endpoint: str | None = Field(
        default=None, description="OTLP gRPC endpoint (default: the exporter's, http://localhost:4317)."
    )
    service_name: str = Field(default="payinvest", description="service.name of the traces.")

    # Shadow champion-challenger (docs/operations.md): the challenger answers a share of read-only turns unseen.
    shadow_release: str | None = Field(
        default=None,
        description="Registered release id (`payinvest release register`) run in shadow on a share of turns.",
    )
    shadow_share: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Share of new analyst turns also run by the shadow release."
    )

    # Request rate limits per minute, per worker process (0: off).
    login_rate_limit: int = Field(default=30, description="Login attempts per client address per minute.")
    turn_rate_limit: int = Field(default=30, description="Agent turns (messages) per user per minute.")

    # Agent limits.
    max_plan_iterations: int = 2
    log_level: str = "INFO"
    log_json: bool = False

    @property
    def resolved_data_dir(self) -> Path:
        path = self.data_dir.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def payments_db_url(self) -> str:
        return self.payments_database_url or f"sqlite:///{self.resolved_data_dir / 'payments.db'}"

    @property
    def app_db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.resolved_data_dir / 'payinvest.db'}"

    @property
    def chroma_path(self) -> Path:
        return self.resolved_data_dir / "chroma"

    @property
    def model_dir(self) -> Path:
        return self.resolved_data_dir / "models"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own ``Settings`` and pass it in)."""
    return Settings()
