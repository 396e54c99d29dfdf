"""Turn events over SSE: ids on every event, Last-Event-ID resume, stop, approval statuses pushed."""

from __future__ import annotations

import asyncio
import json

from app.turns import TurnRegistry


def _events(text: str) -> list[dict]:
    out = []
    for block in text.strip().split("\n\n"):
        if not block.strip() or block.startswith(":"):
            continue
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        out.append({"event": lines["event"], "id": lines.get("id"), "data": json.loads(lines["data"])})
    return out


def _turn(client, conv_id: str) -> list[dict]:
    r = client.post(f"/api/conversations/{conv_id}/messages", json={"message": "PAY never arrived"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    return _events(r.text)


def test_every_event_has_an_id_and_a_reload_resumes_after_the_last_one_seen(app_env):
    analyst = app_env["clients"]["analyst1"]
    conv = analyst.post("/api/conversations", json={}).json()["conversation"]
    events = _turn(analyst, conv["id"])
    run = events[0]["id"].split(":")[0]
    assert [e["id"] for e in events] == [f"{run}:{n}" for n in range(len(events))]
    assert events[-1]["event"] == "done"

    seen = events[2]["id"]  # the page was reloaded after the third event
    r = analyst.get(f"/api/conversations/{conv['id']}/events", headers={"Last-Event-ID": seen})
    assert [e["id"] for e in _events(r.text)] == [e["id"] for e in events[3:]]
    r = analyst.get(f"/api/conversations/{conv['id']}/events")  # a fresh page: the whole turn
    assert [e["event"] for e in _events(r.text)] == [e["event"] for e in events]


def test_events_of_a_conversation_without_a_turn_here_is_an_empty_stream(app_env):
    analyst = app_env["clients"]["analyst1"]
    conv = analyst.post("/api/conversations", json={}).json()["conversation"]
    r = analyst.get(f"/api/conversations/{conv['id']}/events")
    assert r.status_code == 200 and _events(r.text) == []
    assert analyst.post(f"/api/conversations/{conv['id']}/stop").json() == {"stopped": False}


def test_another_analyst_cannot_follow_or_stop_the_turn(app_env):
    analyst, other = app_env["clients"]["analyst1"], app_env["clients"]["analyst2"]
    conv = analyst.post("/api/conversations", json={}).json()["conversation"]
    _turn(analyst, conv["id"])
    assert other.get(f"/api/conversations/{conv['id']}/events").status_code in (403, 404)
    assert other.post(f"/api/conversations/{conv['id']}/stop").status_code in (403, 404)


def test_approval_status_stream_ends_once_nothing_waits(app_env):
    analyst = app_env["clients"]["analyst1"]
    conv = analyst.post("/api/conversations", json={}).json()["conversation"]
    proposal = _turn(analyst, conv["id"])[-2]["data"]["proposals"][0]
    r = analyst.get(f"/api/conversations/{conv['id']}/approval-events")  # proposed: nothing to wait for
    [event] = _events(r.text)
    assert event["event"] == "approval_status" and event["data"]["proposals"] == {proposal["id"]: "proposed"}


async def _gated_source(gate: asyncio.Event):
    yield {"type": "intake", "data": {"n": 1}}
    await gate.wait()
    yield {"type": "answer", "data": {"text": "never sent"}}


async def test_stop_cancels_the_running_turn_and_followers_see_it_end():
    turns, gate = TurnRegistry(), asyncio.Event()
    log = turns.start("c1", lambda: _gated_source(gate), lambda exc: {"code": "x"})
    follower = asyncio.create_task(_collect(log.follow()))
    while not log.events:  # the first event is in
        await asyncio.sleep(0)
    assert turns.running("c1") and await turns.stop("c1")
    events = await follower
    assert [e.event for e in events] == ["intake", "stopped", "done"]
    assert not turns.running("c1") and not await turns.stop("c1")


async def test_a_follower_that_joins_late_gets_the_missed_events_then_the_live_ones():
    turns, gate = TurnRegistry(), asyncio.Event()
    log = turns.start("c2", lambda: _gated_source(gate), lambda exc: {"code": "x"})
    while not log.events:
        await asyncio.sleep(0)
    late = asyncio.create_task(_collect(log.follow(log.start_after(f"{log.run_id}:0"))))
    other_run = asyncio.create_task(_collect(log.follow(log.start_after("some-older-run:5"))))
    gate.set()
    assert [e.event for e in await late] == ["answer", "done"]
    assert [e.event for e in await other_run] == ["intake", "answer", "done"]


async def test_a_decision_wakes_the_approval_stream_before_its_recheck():
    turns = TurnRegistry()
    waiting = asyncio.create_task(turns.wait_for_approvals("c3", timeout=30))
    await asyncio.sleep(0)
    turns.approvals_changed("c3")
    await asyncio.wait_for(waiting, timeout=2)  # woken, not timed out


async def _collect(events):
    return [e async for e in events]
