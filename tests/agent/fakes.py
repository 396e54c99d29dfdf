"""Test doubles of the agent area: a scripted chat model, an in-memory payments port, a list retriever."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import RunnableLambda
from pydantic import BaseModel, ConfigDict, Field

from agent.ports import ToolFailure
from core.domain import ActionKind
from tools.read_args import READ_TOOL_NAMES

Script = Callable[[str, list[BaseMessage]], Any]


def _usage(messages: list[BaseMessage], text: str) -> dict[str, int]:
    prompt = sum(len(str(m.content).split()) for m in messages)
    out = len(text.split())
    return {"input_tokens": prompt, "output_tokens": out, "total_tokens": prompt + out}


class ScriptedChatModel(BaseChatModel):
    """Returns scripted JSON per structured-output schema name, and scripted text for plain calls."""

    script: Any = Field(description="callable(kind, messages) -> dict (structured) or str (text)")
    calls: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _text(self, messages: list[BaseMessage]) -> str:
        text = self.script("text", messages)
        self.calls.append({"kind": "text", "messages": messages, "output": text})
        return text

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        text = self._text(messages)
        return ChatResult(
            generations=[
                ChatGeneration(message=AIMessage(content=text, usage_metadata=_usage(messages, text)))
            ]
        )

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> Iterator[ChatGenerationChunk]:
        text = self._text(messages)
        pieces = [text[i : i + 7] for i in range(0, len(text), 7)] or [""]
        for i, piece in enumerate(pieces):
            usage = _usage(messages, text) if i == len(pieces) - 1 else None
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece, usage_metadata=usage))

    def with_structured_output(self, schema: Any, *, include_raw: bool = False, **kwargs: Any) -> Any:
        assert kwargs.get("method") == "json_schema", "the agent must ask for JSON-schema structured output"

        def run(messages: list[BaseMessage]) -> dict[str, Any]:
            data = self.script(schema.__name__, messages)
            raw_text = data if isinstance(data, str) else json.dumps(data)
            self.calls.append({"kind": schema.__name__, "messages": messages, "output": raw_text})
            raw = AIMessage(content=raw_text, usage_metadata=_usage(messages, raw_text))
            try:
                parsed = schema.model_validate_json(raw_text)
                return {"raw": raw, "parsed": parsed, "parsing_error": None}
            except Exception as exc:
                return {"raw": raw, "parsed": None, "parsing_error": exc}

        return RunnableLambda(run)

    def prompts_text(self) -> str:
        """Everything every call sent to the model (for pseudonymisation and injection assertions)."""
        return "\n".join(str(m.content) for call in self.calls for m in call["messages"])


def default_script(
    case_type: str = "claim_non_receipt",
    steps: list[dict[str, Any]] | None = None,
    queries: list[str] | None = None,
    answer: str = "The payment is stuck [E2] per [SOP-002 §3].",
) -> Script:
    """A script answering intake, plan and answer calls (the closing summary makes no model call)."""

    def script(kind: str, messages: list[BaseMessage]) -> Any:
        if kind == "CaseClassification":
            return {"case_type": case_type}
        if kind == "Plan":
            return {"steps": steps if steps is not None else [], "queries": queries or ["claim non-receipt"]}
        return answer

    return script


# --- payments -------------------------------------------------------------------------------------------------


class RecallArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str
    reason_code: str
    additional_info: str | None = None


class InvestigationArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: str
    investigation_type: str
    reason_code: str | None = None
    responder_bic: str | None = None


ARG_MODELS: dict[ActionKind, type[BaseModel]] = {
    ActionKind.RECALL: RecallArgs,
    ActionKind.INVESTIGATION: InvestigationArgs,
}


def payment(
    pid: str,
    uetr: str,
    *,
    amount: float = 1250.0,
    currency: str = "EUR",
    status: str = "ACSP",
    reason: str | None = "G002",
    agent: str = "BNPAFRPPXXX",
    remittance: str = "Invoice 4411",
    creditor: str = "Jane Marlowe",
    iban: str = "DE89370400440532013000",
    duplicates: list[str] | None = None,
    account_status: str = "active",
    held: bool = False,
) -> dict[str, Any]:
    """A payment in the sandbox API's shape (tools.models.Payment), plus private tracker and duplicate data."""
    return {
        "id": pid,
        "uetr": uetr,
        "end_to_end_id": "E2E-" + pid[-6:] + "X",
        "instructed_amount": f"{amount:.2f}",
        "instructed_currency": currency,
        "status": status,
        "status_reason": reason,
        "creditor_name": creditor,
        "creditor_account": iban,
        "debtor_name": "Alpine Textiles GmbH",
        "debtor_agent_bic": "DEUTDEFFXXX",
        "creditor_agent_bic": agent,
        "intermediary_bics": [],
        "charge_bearer": "SHAR",
        "value_date": "2026-11-10" if status == "ACCC" else None,
        "remittance_info": remittance,
        "created_at": "2026-11-10T10:00:00",
        "_tracker": {
            "hops": [
                {
                    "agent_bic": "DEUTDEFFXXX",
                    "status": "ACSP",
                    "reason": "G000",
                    "received_at": "2026-11-10T10:00:00",
                    "forwarded_at": "2026-11-10T10:05:00",
                },
                {
                    "agent_bic": agent,
                    "status": status,
                    "reason": reason,
                    "received_at": "2026-11-10T10:05:00",
                    "forwarded_at": None,
                },
            ],
            "summary": {
                "current_status": status,
                "status_reason": reason,
                "last_agent_bic": agent,
                "stopped_at_bic": agent if status == "ACSP" else None,
            },
        },
        "_duplicates": duplicates or [],
        "_account_status": account_status,
        "_held": held,
    }


class FakePaymentPort:
    """In-memory reads and an SQLite ``actions`` table with idempotency keys (a stand-in for the sandbox API)."""

    def __init__(
        self, db_path: Path, payments: list[dict[str, Any]], *, tool_override: dict[str, Any] | None = None
    ) -> None:
        self.read_tool_names = READ_TOOL_NAMES
        self.payments = payments
        self.db_path = str(db_path)
        self.tool_override = tool_override or {}
        self.reads: list[tuple[str, dict[str, Any]]] = []
        with sqlite3.connect(self.db_path) as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS actions (id INTEGER PRIMARY KEY, idempotency_key TEXT UNIQUE, "
                "kind TEXT, args TEXT, approval_ref TEXT)"
            )

    def _find(self, reference: str) -> dict[str, Any]:
        for p in self.payments:
            if reference in (p["id"], p["uetr"], p["end_to_end_id"]):
                return p
        raise ToolFailure("payment_not_found", f"no payment {reference}")

    async def read(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        self.reads.append((name, args))
        if name in self.tool_override:
            return self.tool_override[name]
        if name == "get_payment":
            return {
                "payment": {k: v for k, v in self._find(args["reference"]).items() if not k.startswith("_")}
            }
        if name == "get_tracker":
            p = self._find(args["reference"])
            return {"payment_id": p["id"], "uetr": p["uetr"], **p["_tracker"]}
        if name == "find_duplicates":
            p = self._find(args["reference"])
            return {
                "payment_id": p["id"],
                "window_days": 5,
                "candidates": [
                    {
                        "payment": {
                            "id": d,
                            "instructed_amount": p["instructed_amount"],
                            "created_at": "2026-11-10T11:35:00",
                        },
                        "similarity": 0.97,
                    }
                    for d in p["_duplicates"]
                ],
            }
        if name == "get_fx_rate":
            return {
                "base": args["base"],
                "quote": args["quote"],
                "rate": 0.9 if args["base"] == "USD" else 1.1,
            }
        if name == "get_screening":
            p = self._find(args["reference"])
            holds = [{"id": "HOLD-0000001", "kind": "sanctions", "status": "active"}] if p["_held"] else []
            return {"payment_id": p["id"], "hits": [], "holds": holds, "summary": {"held": p["_held"]}}
        if name == "get_cases":
            return {"payment_id": self._find(args["reference"])["id"], "cases": []}
        if name == "get_risk_signals":
            return {
                "payment_id": self._find(args["reference"])["id"],
                "scored": True,
                "score": 0.1,
                "flags": [],
            }
        if name == "get_account":
            for p in self.payments:
                if p["creditor_account"] == args["account"]:
                    return {
                        "id": "ACC-00000001",
                        "account_number": p["creditor_account"],
                        "holder_name": p["creditor_name"],
                        "status": p["_account_status"],
                        "currency": p["instructed_currency"],
                        "bank_bic": p["creditor_agent_bic"],
                    }
            raise ToolFailure("account_not_found", f"no account {args['account']}")
        if name == "search_payments":
            found = [
                {k: v for k, v in p.items() if not k.startswith("_")}
                for p in self.payments
                if (not args.get("currency") or p["instructed_currency"] == args["currency"])
                and (not args.get("amount_min") or float(p["instructed_amount"]) == float(args["amount_min"]))
                and (
                    not args.get("party")
                    or args["party"].lower() in (p["debtor_name"] + " " + p["creditor_name"]).lower()
                )
            ]
            return {"count": len(found), "payments": found}
        raise ToolFailure("not_supported", f"{name} is not available")

    def validate_args(self, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]:
        if kind not in ARG_MODELS:
            raise ValueError(f"{kind} not supported")
        return ARG_MODELS[kind].model_validate(args).model_dump(exclude_none=True)

    async def draft(self, kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]:
        self._find(args["reference"])
        message_type = "camt.056.001.12" if kind == ActionKind.RECALL else "camt.110.001.01"
        return {"message_type": message_type, "xml": f"<Document>{kind.value}:{args}</Document>"}

    async def execute(
        self, kind: ActionKind, args: dict[str, Any], *, idempotency_key: str, approval_ref: str
    ) -> dict[str, Any]:
        with sqlite3.connect(self.db_path) as conn:
            row = conn.execute(
                "SELECT id FROM actions WHERE idempotency_key=?", (idempotency_key,)
            ).fetchone()
            if row is None:
                cur = conn.execute(
                    "INSERT INTO actions (idempotency_key, kind, args, approval_ref) VALUES (?,?,?,?)",
                    (idempotency_key, kind.value, json.dumps(args), approval_ref),
                )
                return {"action_id": cur.lastrowid, "status": "accepted", "replayed": False}
            return {"action_id": row[0], "status": "accepted", "replayed": True}

    def action_rows(self) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path) as conn:
            return conn.execute(
                "SELECT id, idempotency_key, kind, args, approval_ref FROM actions"
            ).fetchall()

    async def aclose(self) -> None:
        return None


# --- retrieval ------------------------------------------------------------------------------------------------


class ListRetriever:
    """Returns the given hits whose case types match the filter."""

    def __init__(self, hits: list[dict[str, Any]]) -> None:
        self.hits = hits
        self.queries: list[tuple[str, Any]] = []

    def search(
        self, query: str, k: int = 5, case_type: Any = None, include_superseded: bool = False
    ) -> list[dict[str, Any]]:
        self.queries.append((query, case_type))
        return [h for h in self.hits if case_type is None or case_type in h["case_types"]][:k]


def sop_hit(sop: str, section: str, text: str, case_types: list[str]) -> dict[str, Any]:
    return {
        "chunk_id": f"{sop}#{section}",
        "citation": f"{sop} §{section}",
        "sop_id": sop,
        "section": section,
        "section_title": "Steps",
        "title": sop,
        "version": "1.0",
        "score": 1.0,
        "text": text,
        "case_types": case_types,
    }


# --- classifier -----------------------------------------------------------------------------------------------


class FakePrediction(BaseModel):
    case_type: str
    confidence: float
    probabilities: dict[str, float] = Field(default_factory=dict)
    version: str = "fake"
    margin: float = 0.0


class FakeClassifier:
    """Stands in for agent.classifier.CaseClassifier: a fixed case type (or the keyword guess) and confidence."""

    def __init__(self, case_type: str | None = None, confidence: float = 0.99) -> None:
        self.case_type = case_type
        self.confidence = confidence
        self.texts: list[str] = []

    def predict(self, text: str) -> FakePrediction:
        from agent.nodes.intake import keyword_case_type
        from agent.references import extract_references

        self.texts.append(text)
        case_type = self.case_type or keyword_case_type(text, extract_references(text)).value
        rest = (1 - self.confidence) / 2
        return FakePrediction(
            case_type=case_type,
            confidence=self.confidence,
            probabilities={case_type: self.confidence, "status_chaser": rest, "general": rest},
        )
