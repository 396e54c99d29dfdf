"""Tool calls and their results as LangChain messages, so Studio, chat UIs and Ragas see what the agent did.

The evidence items hold the real values the payment systems returned (the model only ever sees pseudonyms),
so these messages show the analyst the restored values.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage

_CONTENT_CHARS = 4000


def tool_call_id(thread_id: str, turn: int, evidence_id: str) -> str:
    """Stable id of one tool call: a node re-run after a crash replaces its messages instead of adding more."""
    return f"call-{thread_id}-{turn}-{evidence_id}"


def _content(item: dict[str, Any]) -> str:
    body = item.get("data") if item.get("ok") else item.get("error")
    text = json.dumps(body, default=str, ensure_ascii=False)
    return text if len(text) <= _CONTENT_CHARS else text[: _CONTENT_CHARS - 1] + "…"


def tool_messages(
    items: list[dict[str, Any]], *, thread_id: str, turn: int, round_id: str
) -> list[AIMessage | ToolMessage]:
    """One AIMessage carrying the round's tool calls, then one ToolMessage per result (empty when no items)."""
    if not items:
        return []
    calls = [
        {
            "id": tool_call_id(thread_id, turn, item["id"]),
            "name": item["tool"],
            "args": dict(item.get("args") or {}),
            "type": "tool_call",
        }
        for item in items
    ]
    messages: list[AIMessage | ToolMessage] = [
        AIMessage(content="", tool_calls=calls, id=f"calls-{thread_id}-{turn}-{round_id}")
    ]
    for item, call in zip(items, calls, strict=True):
        messages.append(
            ToolMessage(
                content=_content(item),
                tool_call_id=call["id"],
                name=item["tool"],
                status="success" if item.get("ok") else "error",
                id=f"result-{call['id']}",
                artifact={"evidence_id": item["id"], "summary": item.get("summary")},
            )
        )
    return messages
