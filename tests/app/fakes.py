"""A scripted stand-in for agent.service.AgentService with the same methods (tests only)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from core.errors import PayinvestError

UETR = "1b4e28ba-2fa1-4d2b-883f-0016d3cca427"


class FakeAgentError(PayinvestError):
    """Typed like agent.errors.AgentError: code, message, http_status."""

    def __init__(self, code: str, message: str, http_status: int) -> None:
        super().__init__(message, code=code, http_status=http_status)


class FakeAgentService:
    """Answers every message with one tool call, a cited answer and one camt.110 proposal."""

    def __init__(
        self,
        audit: Any = None,
        amount_eur: float = 25_000.0,
        token_delay: float = 0.0,
        conversations: Any = None,
    ) -> None:
        self.audit = audit
        self.conversations = conversations  # core.conversations.ConversationRepository, as the real service
        self.amount_eur = amount_eur
        self.token_delay = token_delay
        self.threads: dict[str, dict[str, Any]] = {}
        self.executed: list[str] = []

    def _log(self, event_type: str, user: str, thread_id: str, payload: dict[str, Any]) -> None:
        if self.audit is not None:
            self.audit.append(event_type, actor=user, conversation_id=thread_id, payload=payload)

    async def stream(self, message: str, *, thread_id: str, user: str) -> AsyncIterator[dict[str, Any]]:
        thread = self.threads.setdefault(
            thread_id, {"conversation": {"thread_id": thread_id, "owner": user}, "turns": [], "proposals": []}
        )
        if any(p["status"] == "submitted" for p in thread["proposals"]):
            raise FakeAgentError("thread_awaiting_approval", "proposals are waiting for a supervisor", 409)
        if self.conversations is not None:
            self.conversations.record_turn(
                thread_id=thread_id, owner=user, title=message[:80], case_type=None, references={}
            )
        self._log("user_message", user, thread_id, {"message": message})
        yield {"type": "intake", "data": {"case_type": "claim_non_receipt", "references": {"uetrs": [UETR]}}}
        args = {"reference": UETR}
        yield {"type": "tool_call", "data": {"id": "E1", "tool": "get_payment", "args": args}}
        result = {
            "payment_id": "PAY-00000042",
            "status": "ACSP",
            "debtor_name": "Ada Lovelace",
            "debtor_iban": "DE89370400440532013000",
            "note": "<img src=x onerror=alert(1)>",
        }
        self._log("tool_result", user, thread_id, {"tool": "get_payment", "args": args, "result": result})
        summary = f"payment PAY-00000042 status ACSP debtor {result['debtor_name']} {result['note']}"
        yield {
            "type": "tool_result",
            "data": {"id": "E1", "tool": "get_payment", "args": args, "ok": True, "summary": summary},
        }
        yield {
            "type": "retrieval",
            "data": {"hits": [{"citation": "SOP-001 §3", "sop_id": "SOP-001", "section": "3"}]},
        }
        answer = f"The payment {UETR} is pending at the intermediary (G002) [E1] [SOP-001 §3]."
        for word in answer.split(" "):
            if self.token_delay:
                await asyncio.sleep(self.token_delay)
            yield {"type": "token", "data": {"text": word + " "}}
        proposal = {
            "id": f"{thread_id}-P{len(thread['proposals']) + 1}",
            "kind": "investigation",
            "args": {"reference": UETR, "investigation_type": "CCNR", "amount_eur": self.amount_eur},
            "amount": self.amount_eur,
            "currency": "EUR",
            "reason_code": "CCNR",
            "message_type": "camt.110.001.01",
            "iso_xml": "<Document><InvstgtnReq><Id>X</Id></InvstgtnReq></Document>",
            "explanation": "The tracker shows G002 for 3 days <b>not bold</b>.",
            "evidence_ids": ["E1"],
            "citations": ["SOP-001 §3"],
            "status": "proposed",
            "requested_by": user,
            "turn": 1,
            "thread_id": thread_id,
        }
        thread["proposals"].append(proposal)
        turn = {
            "turn": len(thread["turns"]) + 1,
            "user": user,
            "message": message,
            "result": {
                "answer": answer,
                "citations": ["SOP-001 §3", "E1"],
                "proposals": [proposal],
                "tool_calls": [
                    {"id": "E1", "name": "get_payment", "args": args, "ok": True, "summary": summary}
                ],
            },
        }
        thread["turns"].append(turn)
        self._log("answer", user, thread_id, {"answer": answer, "citations": ["SOP-001 §3", "E1"]})
        self._log("proposals", user, thread_id, {"proposals": [proposal]})
        yield {"type": "answer", "data": {"text": answer, "citations": ["SOP-001 §3", "E1"]}}
        yield {"type": "proposals", "data": {"proposals": [proposal]}}
        yield {
            "type": "turn",
            "data": {"thread_id": thread_id, "answer": answer, "proposals": [proposal], "status": "answered"},
        }

    async def submit(self, thread_id: str, *, user: str) -> dict[str, Any]:
        thread = self.threads.get(thread_id)
        open_ = [p for p in (thread or {}).get("proposals", []) if p["status"] == "proposed"]
        if not open_:
            raise FakeAgentError("nothing_to_submit", "no proposals to submit", 409)
        for p in open_:
            p["status"] = "submitted"
        if self.conversations is not None:
            self.conversations.mark_submitted(thread_id)
        self._log("submitted", user, thread_id, {"proposal_ids": [p["id"] for p in open_]})
        return {"thread_id": thread_id, "status": "awaiting_approval", "proposals": open_}

    def pending_approvals(self) -> list[dict[str, Any]]:
        return [dict(p) for t in self.threads.values() for p in t["proposals"] if p["status"] == "submitted"]

    async def decide(self, thread_id: str, decisions: list[dict[str, Any]], approver: Any) -> dict[str, Any]:
        thread = self.threads.get(thread_id)
        if thread is None:
            raise FakeAgentError("thread_not_found", "no such thread", 404)
        by_id = {p["id"]: p for p in thread["proposals"]}
        for d in decisions:
            p = by_id.get(d["proposal_id"])
            if p is None or p["status"] != "submitted":
                raise FakeAgentError("proposal_not_pending", "proposal is not pending", 409)
            if approver.username == p["requested_by"]:
                raise FakeAgentError("four_eyes_violation", "you cannot approve your own proposal", 403)
            if d["action"] != "reject" and (approver.approval_limit_eur or 0) < p["amount"]:
                raise FakeAgentError("approval_limit_exceeded", "amount above your approval limit", 403)
        for d in decisions:
            p = by_id[d["proposal_id"]]
            if d["action"] == "reject":
                p["status"] = "rejected"
            elif d["action"] == "edit":
                p["status"], p["args"] = "submitted", d["args"]
                p["requested_by"] = approver.username
                continue
            else:
                p["status"] = "executed"
                self.executed.append(p["id"])
            self._log("approval", approver.username, thread_id, {"decision": d, "kind": p["kind"]})
        return {"thread_id": thread_id, "status": "completed", "proposals": list(by_id.values())}

    async def aclose(self) -> None:
        return None

    def conversations(self, user: str | None = None) -> list[dict[str, Any]]:
        return [
            t["conversation"] for t in self.threads.values() if user in (None, t["conversation"]["owner"])
        ]

    def thread(self, thread_id: str) -> dict[str, Any]:
        if thread_id not in self.threads:
            raise FakeAgentError("thread_not_found", "no such thread", 404)
        return self.threads[thread_id]

    async def evidence(self, thread_id: str) -> dict[str, Any]:
        self.thread(thread_id)
        return {"turn": None, "evidence": []}


class FakeRetriever:
    """get_section over two known sections."""

    SECTIONS: ClassVar[dict[tuple[str, str], str]] = {
        ("SOP-001", "3"): "Before a claim, read the tracker. <script>alert(1)</script>"
    }

    def get_section(self, sop_id: str, section: str) -> dict[str, Any] | None:
        text = self.SECTIONS.get((sop_id, section))
        if text is None:
            return None
        return {
            "citation": f"{sop_id} §{section}",
            "sop_id": sop_id,
            "section": section,
            "version": "1.2",
            "title": "Claim non-receipt",
            "section_title": "Checks before a claim",
            "text": text,
        }


def fast_hasher() -> Any:
    """Argon2 with tiny costs: the same code path, milliseconds instead of a second per test module."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
