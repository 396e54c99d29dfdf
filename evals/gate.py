"""Versioned thresholds (evals/thresholds.yaml) and the release gate decision."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_THRESHOLDS = Path(__file__).parent / "thresholds.yaml"


class ThresholdError(ValueError):
    """A thresholds file that cannot be read."""


class Threshold(BaseModel):
    """The minimum a metric must reach, and whether falling short blocks a release."""

    model_config = ConfigDict(extra="forbid")

    min: float = Field(ge=0.0, le=1.0)
    gated: bool = True
    note: str = ""


class Thresholds(BaseModel):
    """The versioned thresholds file."""

    model_config = ConfigDict(extra="forbid")

    version: str
    measured: str = ""
    metrics: dict[str, Threshold]

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value


class GateRow(BaseModel):
    """One line of the gate table."""

    metric: str
    value: float | None
    threshold: float
    gated: bool
    status: str  # "pass", "fail", "advisory-fail", "skipped"


class GateResult(BaseModel):
    """The gate verdict: passed is False when any gated metric falls short or is missing."""

    passed: bool
    thresholds_version: str
    rows: list[GateRow]


def load_thresholds(path: Path = DEFAULT_THRESHOLDS) -> Thresholds:
    """Read and validate a thresholds YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ThresholdError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ThresholdError(f"{path}: invalid YAML ({exc})") from None
    try:
        return Thresholds.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ThresholdError(f"{path}: field '{field}': {first['msg']}") from None


def apply_gate(values: dict[str, float | None], thresholds: Thresholds) -> GateResult:
    """Compare aggregate metric values with the thresholds; a gated metric with no value fails."""
    rows = []
    passed = True
    for name, threshold in thresholds.metrics.items():
        value = values.get(name)
        if value is None:
            status = "fail" if threshold.gated else "skipped"
        elif value + 1e-9 >= threshold.min:
            status = "pass"
        else:
            status = "fail" if threshold.gated else "advisory-fail"
        passed = passed and status != "fail"
        rows.append(
            GateRow(metric=name, value=value, threshold=threshold.min, gated=threshold.gated, status=status)
        )
    return GateResult(passed=passed, thresholds_version=thresholds.version, rows=rows)
