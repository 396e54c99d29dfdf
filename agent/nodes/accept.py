"""Accept: a LangGraph server run starts from ``messages`` only; derive the turn fields the service sets itself."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableConfig

from agent.service_support import check_message
from agent.state import AgentState

DEFAULT_USER = "studio"  # the requester when the server has no authenticated user and the input names none


def _text(message: Any) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")


def requester(state: AgentState, config: RunnableConfig) -> str:
    """The server's authenticated user, else the input's ``user``, else ``studio``."""
    auth_user = ((config or {}).get("configurable") or {}).get("langgraph_auth_user")
    identity = getattr(auth_user, "identity", None) or (
        auth_user.get("identity") if isinstance(auth_user, dict) else None
    )
    return identity or state.get("user") or DEFAULT_USER


def accept(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
    """This turn's message (the last human message), its number, the thread id and the requester."""
    human = [m for m in state.get("messages") or [] if isinstance(m, HumanMessage)]
    if not human:
        raise ValueError("a turn needs a human message in `messages`")
    thread_id = ((config or {}).get("configurable") or {}).get("thread_id") or state.get("thread_id") or ""
    return {
        "message": check_message(_text(human[-1])),
        "turn": int(state.get("turn") or 0) + 1,
        "thread_id": str(thread_id),
        "user": requester(state, config),
    }
