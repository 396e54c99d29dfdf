"""LangChain's human-in-the-loop request and decisions, mapped one to one onto the project's proposals.

The approval interrupt carries a ``HITLRequest`` (``action_requests`` / ``review_configs``) next to the
project's own fields, so Studio, agent-inbox and ``langgraph-sdk`` clients can read it; a resume with a
``HITLResponse`` (``{"decisions": [{"type": "approve" | "edit" | "reject", ...}]}``, one decision per action
request, in order) becomes the project's :class:`agent.approvals.Decision` list and goes through the same
approval rules as the web app's decisions (agent.deciding.apply_decisions).
"""

from __future__ import annotations

from typing import Any

from langchain.agents.middleware.human_in_the_loop import (
    ActionRequest,
    DecisionType,
    HITLRequest,
    ReviewConfig,
)
from langchain_core.runnables import RunnableConfig

from agent.approvals import Decision
from agent.errors import InvalidDecision, NotAuthorised
from core.identity import Principal

ALLOWED_DECISIONS: list[DecisionType] = ["approve", "edit", "reject"]


def _description(proposal: dict[str, Any]) -> str:
    head = f"{proposal['id']}: {proposal['kind']} {proposal.get('reason_code') or ''}".strip()
    target = (proposal.get("args") or {}).get("reference")
    lines = [head + (f" on {target}" if target else "")]
    if proposal.get("amount") is not None:
        lines.append(f"amount {proposal['amount']} {proposal.get('currency') or ''}".strip())
    if proposal.get("explanation"):
        lines.append(str(proposal["explanation"]))
    return "\n".join(lines)


def hitl_request(proposals: list[dict[str, Any]]) -> HITLRequest:
    """One action request per proposal (name = action kind) and one review config per kind."""
    requests = [
        ActionRequest(name=p["kind"], args=dict(p.get("args") or {}), description=_description(p))
        for p in proposals
    ]
    kinds = dict.fromkeys(p["kind"] for p in proposals)
    configs = [ReviewConfig(action_name=k, allowed_decisions=list(ALLOWED_DECISIONS)) for k in kinds]
    return HITLRequest(action_requests=requests, review_configs=configs)


def is_hitl_response(value: Any) -> bool:
    """A resume value shaped like LangChain's ``HITLResponse`` (the service resumes with ``proposals``)."""
    return (
        isinstance(value, dict)
        and "proposals" not in value
        and isinstance(value.get("decisions"), list)
        and all(isinstance(d, dict) and "type" in d for d in value["decisions"])
    )


def to_decisions(response: dict[str, Any], proposals: list[dict[str, Any]]) -> list[Decision]:
    """The project's decisions for a ``HITLResponse``: the n-th decision is about the n-th action request."""
    raw = response["decisions"]
    if len(raw) != len(proposals):
        raise InvalidDecision(f"{len(proposals)} actions await a decision; {len(raw)} decisions were given")
    decisions = []
    for item, proposal in zip(raw, proposals, strict=True):
        kind = item.get("type")
        if kind == "approve":
            decisions.append(Decision(proposal_id=proposal["id"], action="approve"))
        elif kind == "reject":
            decisions.append(
                Decision(proposal_id=proposal["id"], action="reject", reason=item.get("message"))
            )
        elif kind == "edit":
            action = item.get("edited_action") or {}
            if action.get("name", proposal["kind"]) != proposal["kind"]:
                raise InvalidDecision("an edit cannot change the kind of action: reject it instead")
            decisions.append(Decision(proposal_id=proposal["id"], action="edit", args=action.get("args")))
        else:
            raise InvalidDecision(f"decision type {kind!r} is not allowed: approve, edit or reject")
    return decisions


def reviewer_name(response: dict[str, Any], config: RunnableConfig | None) -> str:
    """Who decides: the LangGraph server's authenticated user when there is one, else the ``approver`` named
    in the response (``langgraph dev`` has no authentication); the role and limit come from the user store."""
    configurable = (config or {}).get("configurable") or {}
    auth_user = configurable.get("langgraph_auth_user")
    identity = getattr(auth_user, "identity", None) or (
        auth_user.get("identity") if isinstance(auth_user, dict) else None
    )
    name = identity or response.get("approver")
    if not name or not isinstance(name, str):
        raise NotAuthorised("a decision needs an approver: the authenticated user or `approver`")
    return name


def reviewer(response: dict[str, Any], config: RunnableConfig | None, users: Any) -> Principal:
    """The reviewer's principal, read from the user store (never from the client's claims)."""
    name = reviewer_name(response, config)
    if users is None:
        raise NotAuthorised("no user store: decisions through the graph are refused")
    try:
        user = users.get(name)
    except Exception as exc:  # core.users.UserNotFound
        raise NotAuthorised(f"unknown approver {name!r}") from exc
    if not getattr(user, "active", True):
        raise NotAuthorised(f"{name} is deactivated")
    return Principal.from_user(user)
