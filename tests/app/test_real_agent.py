"""The web API over the real AgentService (scripted model): ask → submit → approve → executed, audited."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from app.server import create_app
from core.settings import Settings
from tests.app.conftest import login
from tests.app.fakes import fast_hasher
from tests.app.real_agent import UETR_STUCK, build_real_service


def test_real_agent_flow_through_the_api(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    service, port, retriever = build_real_service(settings, app.state.audit, tmp_path)
    app.state.agent_service, app.state.retriever = service, retriever
    app.state.case_reader = port.read
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    # One client, one event loop (the agent's async checkpointer is bound to it); roles switch by logging in.
    with TestClient(app) as client:
        analyst = login(client, "analyst1")
        conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
        r = analyst.post(
            f"/api/conversations/{conv}/messages",
            json={"message": f"Customer says {UETR_STUCK} never arrived"},
        )
        blocks = [b for b in r.text.strip().split("\n\n") if b]
        types = [b.split("\n")[0].removeprefix("event: ") for b in blocks]
        assert "answer" in types and types[-2:] == ["turn", "done"], types
        turn = json.loads(next(ln for ln in blocks[-2].split("\n") if ln.startswith("data: "))[6:])
        [proposal] = turn["proposals"]
        thread = analyst.get(f"/api/conversations/{conv}").json()["thread"]
        assert thread["turns"][0]["result"]["answer"].startswith("The payment is at BNPAFRPPXXX")
        assert analyst.get("/api/sop/SOP-002/3").json()["section"]["citation"] == "SOP-002 §3"
        case = analyst.get(f"/api/case/{UETR_STUCK}").json()
        tracker = case["tracker"]["data"]
        assert case["payment"]["ok"] and (tracker.get("hops") or tracker.get("events")), case
        assert analyst.post(f"/api/conversations/{conv}/submit").status_code == 200
        client.cookies.clear()
        sup1 = login(client, "supervisor1")
        assert [p["id"] for p in sup1.get("/api/approvals").json()["approvals"]] == [proposal["id"]]
        pid = proposal["id"]
        edited = {**proposal["args"], "responder_bic": "DEUTDEFFXXX"}
        r = sup1.post(
            f"/api/approvals/{conv}/decide",
            json={"decisions": [{"proposal_id": pid, "action": "edit", "args": edited}]},
        )
        assert r.status_code == 200, r.text
        # The editor became the requester: approving their own edit is a four-eyes violation, shown as JSON.
        r = sup1.post(
            f"/api/approvals/{conv}/decide", json={"decisions": [{"proposal_id": pid, "action": "approve"}]}
        )
        assert r.status_code == 403 and r.json()["error"]["code"] == "four_eyes_violation"
        assert port.action_rows() == []
        client.cookies.clear()
        sup2 = login(client, "supervisor2")
        r = sup2.post(
            f"/api/approvals/{conv}/decide", json={"decisions": [{"proposal_id": pid, "action": "approve"}]}
        )
        assert r.status_code == 200, r.text
        assert r.json()["result"]["proposals"][0]["status"] == "executed"
        assert len(port.action_rows()) == 1
        types = {e.event_type for e in app.state.audit.events(conversation_id=conv)}
        assert {"conversation_created", "agent.user_message", "agent.decision"} <= types
        assert app.state.audit.verify().ok
        client.cookies.clear()
        admin = login(client, "admin1")
        config = admin.get("/api/admin/config").json()["config"]
        assert config["agent_running"] and "answer" in config["prompt_versions"]
