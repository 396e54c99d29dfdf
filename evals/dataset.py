"""The scenario dataset format (JSONL) and its validating loader."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from core.domain import ActionKind, CaseType

SECTION_RE = re.compile(r"^SOP-\d{3} §\d+(?:\.\d+)*$")
_KIND_VALUES = ", ".join(kind.value for kind in ActionKind)


class DatasetError(ValueError):
    """A dataset file that cannot be read, with the line number and the offending field."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        where = f"{path.name}:{line}" if line is not None else path.name
        super().__init__(f"{where}: {message}")


def _check_kind(value: str) -> str:
    if value not in ActionKind._value2member_map_:
        raise ValueError(f"{value!r} is not a valid action kind (one of {_KIND_VALUES})")
    return value


class Decision(BaseModel):
    """An approver's decision on the pending proposal of a given kind."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["approve", "reject", "edit"]
    proposal_kind: str
    as_user: str = Field(min_length=1, max_length=64)
    reason: str = ""
    edited_args: dict[str, Any] = Field(default_factory=dict)

    _kind = field_validator("proposal_kind")(_check_kind)


class Turn(BaseModel):
    """One step of a conversation: an analyst message or an approval decision."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["analyst", "approval"]
    content: str | None = Field(default=None, max_length=4000)
    as_user: str | None = Field(
        default=None, min_length=1, max_length=64, description="Who asks (analyst turns)."
    )
    decision: Decision | None = None

    @model_validator(mode="after")
    def _shape(self) -> Turn:
        if self.role == "analyst" and not (self.content or "").strip():
            raise ValueError("an analyst turn needs a non-empty 'content'")
        if self.role == "approval" and self.decision is None:
            raise ValueError("an approval turn needs a 'decision'")
        return self


class ExpectedToolCall(BaseModel):
    """A read tool the agent should call, with the arguments that matter."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    args: dict[str, Any] = Field(default_factory=dict)


class ExpectedProposal(BaseModel):
    """An action the agent should propose (kind, and reason code when it has one)."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    reason_code: str | None = None

    _kind = field_validator("kind")(_check_kind)


ReferenceKind = Literal["payment_id", "uetr", "end_to_end_id", "case_id", "description", "none"]
Style = Literal["terse", "typos", "narrative", "plain"]


class CaseTruth(BaseModel):
    """What is true about the payment (from the scenario catalogue): the deterministic claim check's reference."""

    model_config = ConfigDict(extra="forbid")

    payment_status: str | None = Field(default=None, pattern=r"^[A-Z]{4}$")
    status_reason: str | None = Field(default=None, pattern=r"^[A-Z0-9]{4}$")
    stopped_at_bic: str | None = None
    statuses: list[str] = Field(default_factory=list, description="Every status true of a payment involved.")
    reasons: list[str] = Field(default_factory=list, description="Every gpi reason code true of one.")
    amounts: list[str] = Field(
        default_factory=list, description="Amounts a reply may state, e.g. '48250.00'."
    )
    summary: str = ""


class EvalCase(BaseModel):
    """One evaluation scenario: turns plus everything the run is checked against."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{1,80}$")
    scenario_id: str | None = None
    case_type: CaseType
    turns: list[Turn] = Field(min_length=1)
    expected_tool_calls: list[ExpectedToolCall] = Field(default_factory=list)
    expected_sop_sections: list[str] = Field(default_factory=list)
    required_facts: list[str] = Field(default_factory=list)
    expected_proposals: list[ExpectedProposal] = Field(default_factory=list)
    forbidden_actions: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    reference_kind: ReferenceKind | None = Field(
        default=None, description="How the first message names the payment (None: derived from the text)."
    )
    style: Style | None = Field(default=None, description="How the message is written.")
    truth: CaseTruth | None = None

    @field_validator("expected_sop_sections")
    @classmethod
    def _sections(cls, values: list[str]) -> list[str]:
        for value in values:
            if not SECTION_RE.match(value):
                raise ValueError(f"{value!r} is not a section citation like 'SOP-001 §4.2'")
        return values

    @field_validator("forbidden_actions")
    @classmethod
    def _forbidden(cls, values: list[str]) -> list[str]:
        return [_check_kind(value) for value in values]

    @field_validator("turns")
    @classmethod
    def _first_turn(cls, turns: list[Turn]) -> list[Turn]:
        if turns and turns[0].role != "analyst":
            raise ValueError("the first turn must be an analyst message")
        return turns

    @property
    def multi_turn(self) -> bool:
        return len(self.turns) > 1


def _field_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc if part not in ("function-after[_shape()]",))


def describe_error(error: ErrorDetails) -> str:
    """A validation error as "field 'a.b': why" (the one wording of dataset and candidate errors)."""
    field = _field_path(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "literal_error" or error["type"] == "enum":
        message = f"{error['input']!r} is not allowed ({message.lower()})"
    return f"field '{field}': {message}" if field else message


def parse_line(path: Path, number: int, text: str) -> EvalCase:
    """Validate one JSONL line; raise DatasetError naming the line and the field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(path, number, f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise DatasetError(path, number, "each line must be a JSON object")
    try:
        return EvalCase.model_validate(data)
    except ValidationError as exc:
        raise DatasetError(path, number, describe_error(exc.errors()[0])) from None


def load_dataset(path: Path) -> list[EvalCase]:
    """Read and validate a dataset file; ids must be unique."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, None, "file not found")
    cases: list[EvalCase] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        case = parse_line(path, number, line)
        if case.id in seen:
            raise DatasetError(path, number, f"field 'id': {case.id!r} already used on line {seen[case.id]}")
        seen[case.id] = number
        cases.append(case)
    if not cases:
        raise DatasetError(path, None, "the dataset has no scenarios")
    return cases


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (the dataset hash recorded in reports)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


DEFAULT_DATASET = Path(__file__).parent / "datasets" / "scenarios.jsonl"
