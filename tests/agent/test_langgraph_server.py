"""`langgraph dev`'s server loads langgraph.json; langgraph-sdk runs a turn, sees the HITL interrupt and resumes.

The server runs from data/langgraph-venv (scripts/langgraph-venv.sh: langgraph-cli[inmem] pins clash with the
project's); decisions sent through it meet the same approval rules as the web app's.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client

from core.audit import AuditLog
from core.controls import set_controls
from core.schema import open_app_db
from core.settings import Settings
from core.users import UserStore
from tests.servers import VENV_BIN, free_port, serve_process

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
QUESTION = "Customer says payment PAY-90000001 never arrived"  # scenario cnr-g002-intermediary, USD 48,250


def _langgraph_python() -> Path:
    done = subprocess.run(
        [str(ROOT / "scripts" / "langgraph-venv.sh")], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    if done.returncode != 0:
        pytest.fail(f"scripts/langgraph-venv.sh failed:\n{done.stderr[-2000:]}")
    return Path(done.stdout.strip().splitlines()[-1]) / "python"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("langgraph")
    env = {
        **os.environ,
        "PAYINVEST_DATA_DIR": str(tmp / "data"),
        "LANGGRAPH_NO_VERSION_CHECK": "true",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGSMITH_TRACING": "false",
    }
    subprocess.run(
        [str(VENV_BIN / "payinvest"), "seed", "-n", "50"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    settings = Settings(data_dir=tmp / "data")
    engine = open_app_db(settings.app_db_url)
    set_controls(engine, actor="test", llm_enabled=False)  # findings are the answer: no model weights needed
    UserStore(engine).ensure_demo_users()
    python, port = _langgraph_python(), free_port()
    command = [
        str(python),
        str(ROOT / "scripts" / "langgraph_dev.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    url = f"http://127.0.0.1:{port}"
    with serve_process(command, f"{url}/ok", tmp / "server.log", timeout=120, env=env, cwd=ROOT):
        yield {"url": url, "engine": engine}


async def _turn(client: Any, user: str) -> tuple[str, dict[str, Any]]:
    thread = await client.threads.create()
    await client.runs.wait(
        thread["thread_id"],
        "payinvest",
        input={"messages": [{"role": "user", "content": QUESTION}], "user": user},
    )
    return thread["thread_id"], await client.threads.get_state(thread["thread_id"])


async def _decide(client: Any, thread_id: str, approver: str, **decision: Any) -> dict[str, Any]:
    response = {"decisions": [{"type": "approve", **decision}], "approver": approver}
    await client.runs.wait(thread_id, "payinvest", command={"resume": response})
    return await client.threads.get_state(thread_id)


async def test_sdk_runs_a_turn_sees_the_hitl_interrupt_and_approves(server):
    client = get_client(url=server["url"])
    thread_id, state = await _turn(client, "analyst1")
    [pending] = state["interrupts"]
    [request] = pending["value"]["action_requests"]
    assert request["name"] == "investigation" and request["args"]["reference"] == "PAY-90000001"
    assert pending["value"]["review_configs"][0]["allowed_decisions"] == ["approve", "edit", "reject"]
    kinds = [m["type"] for m in state["values"]["messages"]]
    assert kinds[0] == "human" and "tool" in kinds and kinds[-1] == "ai"

    state = await _decide(client, thread_id, "supervisor1")
    assert state["interrupts"] == [] and state["values"]["status"] == "completed"
    assert [e["status"] for e in state["values"]["executions"]] == ["executed"]
    assert "was approved by supervisor1 and sent as camt.110" in state["values"]["messages"][-1]["content"]
    audited = AuditLog(server["engine"]).events(conversation_id=thread_id, event_type="agent.decision")
    assert [(e.actor, e.payload["action"]) for e in audited] == [("supervisor1", "approve")]


async def test_sdk_path_cannot_approve_what_the_rules_refuse(server):
    client = get_client(url=server["url"])
    thread_id, _ = await _turn(client, "supervisor1")
    refused = await _decide(client, thread_id, "supervisor1")  # the requester approving their own proposal
    assert refused["interrupts"][0]["value"]["error"]["code"] == "four_eyes_violation"
    set_controls(server["engine"], actor="test", actions_enabled=False)
    try:
        refused = await _decide(client, thread_id, "supervisor2")
        assert refused["interrupts"][0]["value"]["error"]["code"] == "actions_disabled"
    finally:
        set_controls(server["engine"], actor="test", actions_enabled=True)
    assert refused["values"]["executions"] == [] and refused["values"]["proposals"][0]["status"] != "approved"
    done = await _decide(client, thread_id, "supervisor2")
    assert [e["status"] for e in done["values"]["executions"]] == ["executed"]
