"""Analysts' feedback becomes evaluation cases: thumbs-down / corrected case type -> candidate -> admin decision ->
feedback dataset (audited; never a training example)."""

from __future__ import annotations

import json
import subprocess
import sys

from evals.candidates import feedback_dataset_path
from evals.dataset import load_dataset
from tests.conftest import PROJECT_ROOT


def _turn(c: dict, analyst: str, message: str) -> str:
    conv = c[analyst].post("/api/conversations", json={}).json()["conversation"]["id"]
    assert (
        c[analyst].post(f"/api/conversations/{conv}/messages", json={"message": message}).status_code == 200
    )
    return conv


def _events(app_env: dict, conversation_id: str) -> list[str]:
    return [e.event_type for e in app_env["app"].state.audit.events(conversation_id=conversation_id)]


def test_thumbs_up_makes_no_candidate_and_thumbs_down_does(app_env: dict) -> None:
    c = app_env["clients"]
    conv = _turn(c, "analyst1", "PAY-00000042 never arrived, customer chasing")
    up = c["analyst1"].post(f"/api/conversations/{conv}/feedback", json={"rating": "up"})
    assert up.status_code == 201 and up.json()["candidate"] is None
    down = c["analyst1"].post(
        f"/api/conversations/{conv}/feedback", json={"rating": "down", "comment": "missed the G002 hop"}
    )
    assert down.status_code == 201
    cid = down.json()["candidate"]
    [cand] = [x for x in c["admin1"].get("/api/admin/eval-candidates").json()["candidates"] if x["id"] == cid]
    assert cand["kind"] == "thumbs_down" and cand["status"] == "pending" and cand["turn"] == 1
    assert cand["message"] == "PAY-00000042 never arrived, customer chasing"
    assert cand["what_was_wrong"] == "missed the G002 hop" and cand["created_by"] == "analyst1"
    assert cand["observed"]["proposals"] and cand["observed"]["tools"] == ["get_payment"]
    assert "eval_candidate_created" in _events(app_env, conv)


def test_a_corrected_case_type_is_a_correction_candidate(app_env: dict) -> None:
    c = app_env["clients"]
    conv = _turn(c, "analyst1", "the fee on PAY-00000042 looks wrong")
    r = c["analyst1"].post(
        f"/api/conversations/{conv}/feedback", json={"rating": "up", "case_type": "charges"}
    )
    cand = next(
        x
        for x in c["admin1"].get("/api/admin/eval-candidates").json()["candidates"]
        if x["id"] == r.json()["candidate"]
    )
    assert cand["kind"] == "case_type_correction" and "case type should be charges" in cand["what_was_wrong"]


def test_admin_accepts_with_the_expected_outcome_and_the_next_eval_runs_it(app_env: dict) -> None:
    c, settings = app_env["clients"], app_env["settings"]
    message = "beneficiary says PAY-00000042 never came, pls check"
    conv = _turn(c, "analyst1", message)
    labels = settings.data_dir / "classifier" / "labels.jsonl"
    labels.parent.mkdir(parents=True, exist_ok=True)
    labels.write_text(json.dumps({"text": message, "case_type": "claim_non_receipt"}) + "\n")
    cid = (
        c["analyst1"].post(f"/api/conversations/{conv}/feedback", json={"rating": "down"}).json()["candidate"]
    )
    expected = {
        "case_type": "claim_non_receipt",
        "expected_proposals": [{"kind": "investigation", "reason_code": "CCNR"}],
        "required_facts": ["G002"],
    }
    r = c["admin1"].post(f"/api/admin/eval-candidates/{cid}/accept", json=expected)
    assert r.status_code == 200, r.text
    assert r.json()["candidate"]["status"] == "accepted" and r.json()["candidate"]["decided_by"] == "admin1"
    cases = {case.id: case for case in load_dataset(feedback_dataset_path(settings))}
    case = cases[f"fb-{cid.lower()}"]
    assert case.case_type == "claim_non_receipt" and case.turns[0].content == message
    assert [(p.kind, p.reason_code) for p in case.expected_proposals] == [("investigation", "CCNR")]
    assert case.required_facts == ["G002"] and "feedback" in case.tags
    assert labels.read_text() == ""  # an evaluation case is never a training example
    accepted = [
        e
        for e in app_env["app"].state.audit.events(conversation_id=conv)
        if e.event_type == "eval_candidate_accepted"
    ]
    assert accepted[0].payload["case_id"] == case.id and len(accepted[0].payload["dataset_sha256"]) == 64
    assert accepted[0].payload["labels_removed"] == 1
    # Deciding twice: 409, and the dataset keeps one copy.
    again = c["admin1"].post(f"/api/admin/eval-candidates/{cid}/dismiss", json={"reason": "dup"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "candidate_already_decided"
    # The next `payinvest eval` run picks the accepted case up (dataset check of the CLI, no agent run).
    env = {"PAYINVEST_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", _LOAD_INPUTS],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert case.id in out.stdout.split()


_LOAD_INPUTS = """
from evals.cli import _load_inputs
paths, cases, *_ = _load_inputs(None, None, None, None, None, True)
print(" ".join(c.id for c in cases))
"""


def test_bad_expected_outcomes_are_clear_errors_and_change_nothing(app_env: dict) -> None:
    c, settings = app_env["clients"], app_env["settings"]
    conv = _turn(c, "analyst1", "PAY-00000042 stuck?")
    cid = (
        c["analyst1"].post(f"/api/conversations/{conv}/feedback", json={"rating": "down"}).json()["candidate"]
    )
    path = feedback_dataset_path(settings)
    before = path.read_text() if path.exists() else None
    for body in (
        {"case_type": "not_a_type"},
        {"case_type": "general", "expected_proposals": [{"kind": "recal"}]},
        {"case_type": "general", "forbidden_actions": ["teleport"]},
        {"case_type": "general", "surprise": 1},
    ):
        r = c["admin1"].post(f"/api/admin/eval-candidates/{cid}/accept", json=body)
        assert r.status_code in (400, 422), r.text
        assert "error" in r.json() and r.json()["error"]["message"]
    assert (path.read_text() if path.exists() else None) == before
    missing = c["admin1"].post(
        "/api/admin/eval-candidates/EC-ffffffffff/accept", json={"case_type": "general"}
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "candidate_not_found"
    r = c["admin1"].post(f"/api/admin/eval-candidates/{cid}/dismiss", json={"reason": "not a real case"})
    assert r.status_code == 200 and r.json()["candidate"]["status"] == "dismissed"
    assert "eval_candidate_dismissed" in _events(app_env, conv)
    pending = c["admin1"].get("/api/admin/eval-candidates").json()["candidates"]
    assert cid not in {x["id"] for x in pending}
    assert cid in {
        x["id"] for x in c["admin1"].get("/api/admin/eval-candidates?status=dismissed").json()["candidates"]
    }


def test_feedback_on_a_turn_that_does_not_exist_is_404(app_env: dict) -> None:
    c = app_env["clients"]
    conv = _turn(c, "analyst1", "PAY-00000042?")
    r = c["analyst1"].post(f"/api/conversations/{conv}/feedback", json={"rating": "down", "turn": 9})
    assert r.status_code == 404 and r.json()["error"]["code"] == "turn_not_found"


def test_the_latest_feedback_on_each_turn_comes_back_with_the_conversation(app_env: dict) -> None:
    c = app_env["clients"]
    conv = _turn(c, "analyst1", "PAY-00000042 never arrived, customer chasing")
    assert c["analyst1"].get(f"/api/conversations/{conv}").json()["feedback"] == {}
    c["analyst1"].post(f"/api/conversations/{conv}/feedback", json={"rating": "up"})
    c["analyst1"].post(f"/api/conversations/{conv}/feedback", json={"rating": "down", "comment": "wrong hop"})
    c["analyst1"].post(f"/api/conversations/{conv}/messages", json={"message": "and now?"})
    c["analyst1"].post(f"/api/conversations/{conv}/feedback", json={"rating": "up", "turn": 2})
    assert c["analyst1"].get(f"/api/conversations/{conv}").json()["feedback"] == {
        "1": {"rating": "down", "comment": "wrong hop"},
        "2": {"rating": "up", "comment": ""},
    }
