"""Evaluation configurations (champion, challengers): prompt versions, model/provider, retrieval settings."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

CONFIG_DIR = Path(__file__).parent / "configs"


class ConfigError(ValueError):
    """An evaluation configuration file that cannot be read."""


class LLMConfig(BaseModel):
    """Which model answers: the embedded one, an OpenAI-compatible endpoint, or inherit the settings."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["settings", "embedded", "openai"] = "settings"
    model: str | None = None
    base_url: str | None = None


class RetrievalConfig(BaseModel):
    """Retrieval knobs passed to the agent (k and fusion weights)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="False: the agent gets a retriever that finds nothing.")
    k: int | None = Field(default=None, ge=1, le=50)
    weights: dict[str, float] = Field(default_factory=dict)


class JudgeConfig(BaseModel):
    """The LLM judge of the advisory metrics, bounded in time."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["embedded", "openai"] = "embedded"
    model: str | None = None
    base_url: str | None = None
    timeout_s: float = Field(default=60.0, gt=0)
    budget_s: float = Field(default=600.0, gt=0)
    subset: list[str] = Field(
        default_factory=lambda: ["ci"],
        description="The fixed subset the judge scores: cases with one of these tags or ids (empty: every case).",
    )
    concurrency: int = Field(
        default=3,
        ge=1,
        le=8,
        description="Cases scored at the same time (the embedded server batches their generations).",
    )
    faithful_at: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Faithfulness at or above which the judge calls a reply faithful.",
    )


class EvalConfig(BaseModel):
    """One configuration to evaluate."""

    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    agent: dict[str, Any] = Field(default_factory=dict)
    llm: LLMConfig = Field(default_factory=LLMConfig)
    retrieval: RetrievalConfig = Field(default_factory=RetrievalConfig)
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    classifier_variant: Literal["full", "lexical"] = Field(
        default="full", description="The trained case-type classifier's variant (lexical = the weaker one)."
    )
    requires: list[str] = Field(
        default_factory=list,
        description="AgentConfig fields this configuration needs (checked before a run).",
    )
    eval_payments: int = Field(default=2000, ge=100)
    turn_timeout_s: float = Field(default=180.0, gt=0)

    def digest(self) -> str:
        """A short hash of the configuration (recorded in reports)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]


def load_config(path: Path | None) -> EvalConfig:
    """Read a configuration YAML (the shipped champion when path is None)."""
    path = Path(path) if path is not None else CONFIG_DIR / "champion.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML ({exc})") from None
    data.setdefault("name", path.stem)
    try:
        return EvalConfig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: field '{field}': {first['msg']}") from None
