"""The openai-compatible provider against a tiny fake OpenAI server on 127.0.0.1 (JSON schema + streaming)."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from agent.config import AgentConfig
from agent.llm.factory import make_chat_model
from agent.service import AgentService
from core.settings import Settings
from tests.agent.conftest import UETR_STUCK

ANSWER = "The payment stopped at BNPAFRPPXXX with ACSP/G002 [E2] [SOP-002 §3]."


def _fake_openai(received: list[dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> Any:
        body = await request.json()
        received.append({"body": body, "auth": request.headers.get("authorization")})
        fmt = body.get("response_format") or {}
        name = (fmt.get("json_schema") or {}).get("name")
        content = {
            "CaseClassification": json.dumps({"case_type": "claim_non_receipt"}),
            "Plan": json.dumps(
                {"steps": [{"tool": "get_cases", "reference": UETR_STUCK}], "queries": ["G002"]}
            ),
        }.get(name, ANSWER)
        usage = {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}
        base = {"id": "cmpl-1", "created": int(time.time()), "model": body["model"]}
        if not body.get("stream"):
            return JSONResponse(
                {
                    **base,
                    "object": "chat.completion",
                    "usage": usage,
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": content},
                        }
                    ],
                }
            )

        def events():
            for i in range(0, len(content), 9):
                chunk = {
                    **base,
                    "object": "chat.completion.chunk",
                    "choices": [
                        {"index": 0, "delta": {"content": content[i : i + 9]}, "finish_reason": None}
                    ],
                }
                yield f"data: {json.dumps(chunk)}\n\n"
            yield f"data: {json.dumps({**base, 'object': 'chat.completion.chunk', 'choices': [], 'usage': usage})}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


@pytest.fixture
def fake_openai_url():
    received: list[dict[str, Any]] = []
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(
        uvicorn.Config(_fake_openai(received), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1", received
    server.should_exit = True
    thread.join(5)


async def test_openai_compatible_provider_runs_a_turn(tmp_path, fake_openai_url, port, retriever):
    base_url, received = fake_openai_url
    settings = Settings(
        data_dir=tmp_path / "data",
        llm_provider="openai",
        openai_base_url=base_url,
        openai_api_key="sk-test",
        openai_model="gpt-test",
    )
    # The LLM classifier and planner are the challenger configurations a capable hosted model can run.
    config = AgentConfig(classifier="llm", planner="llm")
    service = AgentService(settings, systems=port, retriever=retriever, config=config)
    try:
        result = await service.ask(f"Customer says {UETR_STUCK} never arrived")
    finally:
        await service.aclose()
    assert result.case_type == "claim_non_receipt"
    assert "get_cases" in {c.name for c in result.tool_calls}
    assert result.answer.startswith("The payment stopped") and result.citations[:2] == ["E2", "SOP-002 §3"]
    assert {(c["provider"], c["model"]) for c in result.llm_calls} == {("openai", "gpt-test")}
    assert all(c["ok"] for c in result.llm_calls)
    answer_call = next(c for c in result.llm_calls if c["prompt"] == "answer")
    assert (answer_call["prompt_tokens"], answer_call["completion_tokens"]) == (42, 7)
    assert all(r["auth"] == "Bearer sk-test" for r in received)
    structured = [r["body"] for r in received if r["body"].get("response_format")]
    assert [b["response_format"]["type"] for b in structured] == ["json_schema", "json_schema"]
    plan_schema = json.dumps(structured[1]["response_format"]["json_schema"]["schema"])
    assert "get_tracker" in plan_schema and "PAY-[0-9]{8}" in plan_schema  # tool enum + id pattern
    assert all("tools" not in r["body"] for r in received)  # never native tool calls


def test_openai_provider_without_configuration_is_a_clear_error(tmp_path):
    from agent.errors import ServiceNotReady

    with pytest.raises(ServiceNotReady, match="OPENAI"):
        make_chat_model(Settings(data_dir=tmp_path, llm_provider="openai"))
