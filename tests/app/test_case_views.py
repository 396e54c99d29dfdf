"""The read-only routes behind the analyst's case view: code meanings and the last turn's evidence with data."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app.server import create_app
from core.settings import Settings
from tests.app.conftest import login
from tests.app.fakes import fast_hasher
from tests.app.real_agent import UETR_STUCK, build_real_service


def test_codes_and_the_last_turns_evidence(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    service, port, retriever = build_real_service(settings, app.state.audit, tmp_path)
    app.state.agent_service, app.state.retriever, app.state.case_reader = service, retriever, port.read
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    with TestClient(app) as client:
        analyst = login(client, "analyst1")
        codes = analyst.get("/api/codes").json()
        assert codes["reason"]["G002"].startswith("credit may not be confirmed")
        assert codes["status"]["ACCC"] == "credited to the creditor's account"
        conv = analyst.post("/api/conversations", json={}).json()["conversation"]["id"]
        assert analyst.get(f"/api/conversations/{conv}/evidence").json() == {"turn": None, "evidence": []}
        analyst.post(f"/api/conversations/{conv}/messages", json={"message": f"{UETR_STUCK} never arrived"})
        found = analyst.get(f"/api/conversations/{conv}/evidence").json()
        assert found["turn"] == 1
        tracker = next(e for e in found["evidence"] if e["tool"] == "get_tracker")
        assert tracker["ok"] and [h["agent_bic"] for h in tracker["data"]["hops"]] == [
            "DEUTDEFFXXX",
            "BNPAFRPPXXX",
        ]
        assert all(e["tool"] != "retrieval" for e in found["evidence"])
        client.cookies.clear()
        other = login(client, "analyst2")  # another analyst's conversation does not exist for them
        r = other.get(f"/api/conversations/{conv}/evidence")
        assert r.status_code == 404 and r.json()["error"]["code"] == "conversation_not_found"
        assert other.get("/api/conversations/nope/evidence").status_code == 404
