"""Versioned thresholds (evals/thresholds.yaml) and the release gate decision."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_THRESHOLDS = Path(__file__).parent / "thresholds.yaml"


class ThresholdError(ValueError):
    """A thresholds file that cannot be read."""


class Threshold(BaseModel):
    """A metric's release standard (what an analyst needs) and its gated floor (``min``, or ``max`` for counts)."""

    model_config = ConfigDict(extra="forbid")

    min: float | None = Field(default=None, ge=0.0, le=1.0)
    max: float | None = Field(default=None, ge=0.0)
    standard: float | None = Field(default=None, ge=0.0, description="Defaults to the floor.")
    gated: bool = True
    regression_gated: bool | None = Field(
        default=None,
        description="Fail a challenger significantly worse than its baseline on this metric (paired test); "
        "defaults to `gated`. Lets an advisory floor still stop a release that measurably worsens it.",
    )
    note: str = ""

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if (self.min is None) == (self.max is None):
            raise ValueError("give exactly one of 'min' (higher is better) or 'max' (lower is better)")
        if self.standard is not None:
            if self.min is not None and self.standard < self.min:
                raise ValueError(f"standard {self.standard} is below the floor min {self.min}")
            if self.max is not None and self.standard > self.max:
                raise ValueError(f"standard {self.standard} is above the ceiling max {self.max}")
        return self

    @property
    def blocks_regressions(self) -> bool:
        return self.gated if self.regression_gated is None else self.regression_gated

    @property
    def lower_is_better(self) -> bool:
        return self.max is not None

    @property
    def zero_tolerance(self) -> bool:
        """Gated with a perfect floor (a rate's min 1.0, a count's max 0): one failure is a defect, not noise."""
        return self.gated and (self.max == 0.0 if self.lower_is_better else self.min == 1.0)

    @property
    def bound(self) -> float:
        """The gated floor (or ceiling for counts)."""
        return self.max if self.max is not None else float(self.min or 0.0)

    @property
    def target(self) -> float:
        """The release standard (the floor when none is written)."""
        return self.standard if self.standard is not None else self.bound

    def meets(self, value: float, level: float) -> bool:
        return value <= level + 1e-9 if self.lower_is_better else value + 1e-9 >= level

    def shortfall(self, value: float | None) -> float | None:
        """How far the value is from the standard (0 when it meets it)."""
        if value is None:
            return None
        gap = value - self.target if self.lower_is_better else self.target - value
        return round(max(0.0, gap), 4)


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
    threshold: float  # the gated floor (min) or ceiling (max)
    gated: bool
    status: str  # "pass", "fail", "advisory-fail", "skipped"
    standard: float | None = None
    direction: str = "higher"  # "higher" or "lower" is better
    to_standard: float | None = None  # distance from the value to the standard (0 = meets it)
    meets_standard: bool | None = None
    ci: list[float] | None = None  # bootstrap 95% interval of the value


class GateResult(BaseModel):
    """The gate verdict: passed is False when any gated metric falls short or is missing."""

    passed: bool
    thresholds_version: str
    rows: list[GateRow]
    regressions: list[str] = Field(default_factory=list)  # gated metrics significantly worse than a baseline


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


def apply_gate(
    values: dict[str, float | None],
    thresholds: Thresholds,
    intervals: dict[str, tuple[float, float] | None] | None = None,
) -> GateResult:
    """Compare aggregate metric values with the thresholds; a gated metric with no value fails."""
    rows = []
    passed = True
    for name, threshold in thresholds.metrics.items():
        value = values.get(name)
        if value is None:
            status = "fail" if threshold.gated else "skipped"
        elif threshold.meets(value, threshold.bound):
            status = "pass"
        else:
            status = "fail" if threshold.gated else "advisory-fail"
        passed = passed and status != "fail"
        interval = (intervals or {}).get(name)
        rows.append(
            GateRow(
                metric=name,
                value=value,
                threshold=threshold.bound,
                gated=threshold.gated,
                status=status,
                standard=threshold.target,
                direction="lower" if threshold.lower_is_better else "higher",
                to_standard=threshold.shortfall(value),
                meets_standard=None if value is None else threshold.meets(value, threshold.target),
                ci=None if interval is None else [interval[0], interval[1]],
            )
        )
    return GateResult(passed=passed, thresholds_version=thresholds.version, rows=rows)
