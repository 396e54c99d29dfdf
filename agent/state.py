"""The graph state of one conversation thread (checkpointed after every node)."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict  # typing.TypedDict on 3.11 breaks get_input_jsonschema()


class AgentState(TypedDict, total=False):
    """Everything the agent knows about a thread; per-turn fields are reset by intake."""

    messages: Annotated[
        list[AnyMessage], add_messages
    ]  # the conversation as the analyst sees it (restored text): human, AI tool calls, tool results, replies
    thread_id: str  # the conversation id (also the checkpointer thread)
    user: str  # username of the analyst who asked this turn (the proposals' requester)
    turn: int  # 1-based turn counter
    message: str  # this turn's user message
    case_type: str  # core.domain.CaseType value from intake
    references: dict[
        str, list[str]
    ]  # extracted ids: payment_refs, uetrs, payment_ids, e2e_ids, case_ids, ibans, bics, amounts, dates
    plan: dict[
        str, Any
    ]  # {"steps": [{"tool", "args", "source"}], "queries": [...], "source": "llm"|"playbook"}
    evidence: list[
        dict[str, Any]
    ]  # {"id": "E1", "tool", "args", "ok", "summary", "data"|"error"}; errors are evidence
    hits: list[
        dict[str, Any]
    ]  # retrieved SOP sections: {"chunk_id", "citation", "sop_id", "section", "version", "title", "text"}
    answer: str  # the reply shown to the analyst (pseudonyms restored)
    citations: list[str]  # valid citations kept in the answer ("SOP-012 §3", "E2")
    invalid_citations: int  # citations removed because they were not retrieved / not evidence ids
    proposals: list[dict[str, Any]]  # agent.proposals.Proposal dumps for this turn
    blocked: list[dict[str, Any]]  # proposals the playbook refused, with the missing checks
    decisions: list[dict[str, Any]]  # approval decisions applied on resume
    approval_error: dict[str, Any] | None  # {"code", "message"} of the last refused HITL decision, else None
    executions: list[dict[str, Any]]  # results of approved actions (exactly once)
    llm_calls: list[dict[str, Any]]  # one record per LLM call: prompt name+version, tokens, latency
    iteration: int  # plan/read rounds done in this turn
    max_iterations: int  # bound on plan/read rounds for this turn (AgentConfig.max_iterations)
    seen_refs: list[str]  # payment references already planned in this turn
    pending_refs: list[str]  # payment references revealed by reads, not yet read (drives another round)
    pseudonyms: dict[str, str]  # token -> real value, stable for the thread
    status: str  # "answered" | "awaiting_approval" (also: a HITL decision is still due) | "completed"
    chosen_case_type: str | None  # the analyst's pick for this turn (--case-type), else None
    classification: dict[str, Any]  # agent.case_typing.CaseDecision.to_dict() + the text intent
    case_type_choices: list[str]  # non-empty: the case type is unclear and the analyst is asked to pick
    triage: dict[str, Any]  # {"targets", "source", "candidates", "description", "reads"}
    findings: list[
        dict[str, Any]
    ]  # agent.findings.Finding dicts: {"id", "kind", "text", "evidence_ids", ...}
    unsupported_claims: int  # sentences of the model reply the verifier removed
    thread_payment: str  # the payment the thread is about (kept across turns for follow-ups)
    thread_case_type: (
        str  # the case type settled for that payment (a follow-up with unclear wording keeps it)
    )
