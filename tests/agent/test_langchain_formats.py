"""The graph speaks LangChain's formats: an input JSON schema, tool calls as messages, no streamed raw tokens."""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

from agent.graph import compile_graph
from tests.agent.conftest import UETR_STUCK
from tests.agent.fakes import default_script

_TOKEN = re.compile(r"<[A-Z]+(?:_[A-Z]+)*_\d+>")


def test_input_json_schema_lists_the_state_fields():
    schema = compile_graph().get_input_jsonschema()
    assert {"messages", "message", "user", "thread_id"} <= set(schema["properties"])


async def test_tool_calls_and_results_are_recorded_as_messages(make_service):
    service = make_service(default_script(steps=[{"tool": "get_screening", "reference": "PAY-00000001"}]))
    try:
        result = await service.ask(f"Customer Anna Schmidt says payment {UETR_STUCK} never arrived")
        graph = await service._ready()
        messages = (await graph.aget_state(service._cfg(result.thread_id))).values["messages"]
        assert isinstance(messages[0], HumanMessage) and isinstance(messages[-1], AIMessage)
        calls = [c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
        results = {m.tool_call_id: m for m in messages if isinstance(m, ToolMessage)}
        assert {c["name"] for c in calls} >= {"get_payment", "get_tracker", "get_screening"}
        assert [c["id"] for c in calls] == list(results)  # every call answered, in order
        payment_result = next(results[c["id"]] for c in calls if c["name"] == "get_payment")
        assert UETR_STUCK in payment_result.content and payment_result.status == "success"
        # What the analyst sees carries the real values, never the model's pseudonyms.
        assert not any(_TOKEN.search(str(m.content)) for m in messages)
    finally:
        await service.aclose()


async def test_messages_stream_mode_carries_whole_restored_messages_only(make_service):
    service = make_service(default_script())
    try:
        graph = await service._ready()
        streamed = []
        async for chunk, _meta in graph.astream(
            {
                "messages": [HumanMessage(content=f"Customer Anna Schmidt says {UETR_STUCK} never arrived")],
                "message": f"Customer Anna Schmidt says {UETR_STUCK} never arrived",
                "user": "analyst1",
                "thread_id": "t-stream",
                "turn": 1,
            },
            service._cfg("t-stream"),
            context=service._context(),
            stream_mode="messages",
        ):
            streamed.append(chunk)
        assert streamed, "the node outputs (tool calls, results, reply) stream as messages"
        # The model calls (structured intake/plan, the answer's raw tokens) are tagged nostream.
        assert not any(isinstance(m, AIMessageChunk) for m in streamed)
        assert not any(_TOKEN.search(str(m.content)) for m in streamed)
        assert any(isinstance(m, ToolMessage) for m in streamed)
    finally:
        await service.aclose()
