"""Analysts' feedback becomes evaluation cases: a thumbs-down or a corrected case type on a turn creates a
candidate (the message, what the agent decided and read, what was wrong); an admin accepts it with the expected
outcome, or dismisses it. Accepted candidates are appended to the feedback dataset
(``<data_dir>/evals/feedback.jsonl``, the format of ``evals/datasets/*.jsonl``), which ``payinvest eval`` runs
with the other datasets. Every step is an audit event (``eval_candidate_created|accepted|dismissed``) and the
dataset's SHA-256 after the change is in the acceptance event.

Evaluation data is never trained on: accepting a candidate removes the same message from the classifier's
analyst labels (``labels.jsonl``), and the message never enters the committed training corpus.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Column, Engine, Integer, String, Table, Text, insert, select, update

from core.audit import AuditLog
from core.domain import CaseType
from core.errors import PayinvestError
from core.schema import metadata
from core.settings import Settings
from evals.dataset import EvalCase, ExpectedProposal, describe_error, file_sha256, load_dataset

CandidateKind = Literal["thumbs_down", "case_type_correction"]

eval_candidates = Table(
    "eval_candidates",  # application database, migration 0006_eval_candidates
    metadata,
    Column("id", String(16), primary_key=True),  # EC-<10 hex>
    Column("conversation_id", String(64), nullable=False),
    Column("turn", Integer, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("message", Text, nullable=False),
    Column("observed", Text, nullable=False),  # JSON: what the agent decided, proposed and read
    Column("what_was_wrong", Text, nullable=False),
    Column("status", String(12), nullable=False, index=True),  # pending | accepted | dismissed
    Column("created_by", String(32), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("decided_by", String(32), nullable=True),
    Column("decided_at", String(40), nullable=True),
    Column("decision", Text, nullable=True),  # JSON: the expected outcome, or the dismissal reason
)


class CandidateError(PayinvestError):
    code, http_status = "invalid_candidate", 400


class CandidateNotFound(CandidateError):
    code, http_status = "candidate_not_found", 404


class CandidateDecided(CandidateError):
    code, http_status = "candidate_already_decided", 409


class Expected(BaseModel):
    """What the agent should have done: the admin's ground truth for the new evaluation case."""

    model_config = ConfigDict(extra="forbid")

    case_type: CaseType
    expected_proposals: list[ExpectedProposal] = Field(default_factory=list, max_length=5)
    required_facts: list[str] = Field(default_factory=list, max_length=10)
    forbidden_actions: list[str] = Field(default_factory=list, max_length=10)
    note: str = Field(default="", max_length=500)


def feedback_dataset_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "evals" / "feedback.jsonl"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def observed_of(turn: dict[str, Any]) -> dict[str, Any]:
    """What the agent decided in a stored turn: case type, proposals, reads and references (no free text)."""
    result = turn.get("result") or {}
    return {
        "case_type": result.get("case_type"),
        "proposals": [
            {"kind": p.get("kind"), "reason_code": p.get("reason_code")}
            for p in result.get("proposals") or []
        ],
        "tools": sorted({str(c.get("name") or c.get("tool")) for c in result.get("tool_calls") or []}),
        "references": list((result.get("references") or {}).get("payment_refs") or [])[:5],
    }


def _row(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    data["observed"] = json.loads(data["observed"])
    data["decision"] = json.loads(data["decision"]) if data.get("decision") else None
    return data


class CandidateStore:
    """The candidate queue in the application database; decisions are compare-and-set (one admin wins)."""

    def __init__(self, engine: Engine, audit: AuditLog, settings: Settings) -> None:
        self.engine, self.audit, self.settings = engine, audit, settings

    def create(
        self,
        *,
        conversation_id: str,
        turn: dict[str, Any],
        kind: CandidateKind,
        what_was_wrong: str,
        user: str,
    ) -> dict[str, Any]:
        message = str(turn.get("message") or "").strip()
        if not message:
            raise CandidateError("the turn has no analyst message to evaluate")
        candidate_id = f"EC-{secrets.token_hex(5)}"
        values: dict[str, Any] = {
            "id": candidate_id,
            "conversation_id": conversation_id,
            "turn": int(turn["turn"]),
            "kind": kind,
            "message": message,
            "observed": json.dumps(observed_of(turn), sort_keys=True),
            "what_was_wrong": what_was_wrong[:2000],
            "status": "pending",
            "created_by": user,
            "created_at": _now(),
        }
        with self.engine.begin() as conn:
            conn.execute(insert(eval_candidates).values(**values))
        self.audit.append(
            "eval_candidate_created",
            actor=user,
            conversation_id=conversation_id,
            payload={"candidate": candidate_id, "turn": values["turn"], "kind": kind},
        )
        return self.get(candidate_id)

    def get(self, candidate_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(eval_candidates).where(eval_candidates.c.id == candidate_id)).first()
        if row is None:
            raise CandidateNotFound(f"no evaluation candidate {candidate_id}")
        return _row(row)

    def list(self, status: str | None = "pending", limit: int = 200) -> list[dict[str, Any]]:
        query = select(eval_candidates).order_by(eval_candidates.c.created_at.desc()).limit(limit)
        if status:
            query = query.where(eval_candidates.c.status == status)
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def _decide(self, candidate_id: str, admin: str, status: str, decision: dict[str, Any]) -> dict[str, Any]:
        self.get(candidate_id)  # 404 before 409
        with self.engine.begin() as conn:
            done = conn.execute(
                update(eval_candidates)
                .where(eval_candidates.c.id == candidate_id, eval_candidates.c.status == "pending")
                .values(status=status, decided_by=admin, decided_at=_now(), decision=json.dumps(decision))
            )
        if done.rowcount != 1:
            raise CandidateDecided(f"candidate {candidate_id} was already decided")
        return self.get(candidate_id)

    def dismiss(self, candidate_id: str, admin: str, reason: str) -> dict[str, Any]:
        if not reason.strip():
            raise CandidateError("say why the candidate is dismissed")
        candidate = self._decide(candidate_id, admin, "dismissed", {"reason": reason[:500]})
        self.audit.append(
            "eval_candidate_dismissed",
            actor=admin,
            conversation_id=candidate["conversation_id"],
            payload={"candidate": candidate_id, "reason": reason[:500]},
        )
        return candidate

    def accept(self, candidate_id: str, admin: str, expected: dict[str, Any]) -> dict[str, Any]:
        """Validate the expected outcome as an evaluation case, append it to the feedback dataset, audit."""
        try:
            truth = Expected.model_validate(expected)
        except ValidationError as exc:
            raise CandidateError(describe_error(exc.errors()[0])) from None
        candidate = self.get(candidate_id)
        if candidate["status"] != "pending":
            raise CandidateDecided(f"candidate {candidate_id} was already decided")
        case = self._case(candidate, truth)
        candidate = self._decide(
            candidate_id, admin, "accepted", {**truth.model_dump(mode="json"), "case_id": case.id}
        )
        path = self._append_case(case)
        from agent.classifier.store import remove_labels  # the classifier package loads scikit-learn: lazily

        removed = remove_labels(self.settings, candidate["message"])  # evaluation data is never trained on
        self.audit.append(
            "eval_candidate_accepted",
            actor=admin,
            conversation_id=candidate["conversation_id"],
            payload={
                "candidate": candidate_id,
                "case_id": case.id,
                "case_type": truth.case_type.value,
                "dataset": str(path),
                "dataset_sha256": file_sha256(path),
                "labels_removed": removed,
            },
        )
        return candidate

    def _case(self, candidate: dict[str, Any], truth: Expected) -> EvalCase:
        data = {
            "id": f"fb-{candidate['id'].lower()}",
            "case_type": truth.case_type.value,
            "turns": [{"role": "analyst", "content": candidate["message"]}],
            "required_facts": [f.strip() for f in truth.required_facts if f.strip()],
            "expected_proposals": [
                p.model_dump(mode="json", exclude_none=True) for p in truth.expected_proposals
            ],
            "forbidden_actions": truth.forbidden_actions,
            "tags": ["feedback", candidate["kind"]],
        }
        try:
            return EvalCase.model_validate(data)
        except ValidationError as exc:
            raise CandidateError(describe_error(exc.errors()[0])) from None

    def _append_case(self, case: EvalCase) -> Path:
        """Rewrite the dataset atomically with the new case at the end (workers never see half a file)."""
        path = feedback_dataset_path(self.settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        if old and not old.endswith("\n"):
            old += "\n"
        line = json.dumps(
            case.model_dump(mode="json", exclude_none=True, exclude_defaults=True), ensure_ascii=False
        )
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".feedback-", suffix=".jsonl")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(old + line + "\n")
        os.replace(tmp, path)
        load_dataset(path)  # the file stays valid: ids unique, every line a case
        return path
