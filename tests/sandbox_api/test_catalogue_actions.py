"""Every catalogue scenario's next action, end to end: drafted by the payments API, valid against its vendored
XSD, approved by the people SOP-015 requires (agent.approvals), executed once, and every code inside its ISO set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from agent.approvals import Decision, Principal, check_decision, needs_compliance
from core.settings import Settings
from sandbox import codesets
from sandbox.api import create_app
from sandbox.generator import seed_database
from sandbox.iso20022 import validate_xml
from sandbox.scenarios import SCENARIOS, Scenario
from sandbox.schema import get_payments_engine
from tests.approvals import api_headers, sign_ref

WITH_ACTION = [s for s in SCENARIOS if s.truth["next_action"]]
ANALYST = "analyst1"
COMPLIANCE = Principal(username="compliance1", role="compliance")
SUPERVISORS = [
    Principal(username="supervisor1", role="supervisor", approval_limit_eur=5_000_000),
    Principal(username="head_of_ops", role="admin", approval_limit_eur=50_000_000),
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("catalogue")
    engine = get_payments_engine(f"sqlite:///{data / 'payments.db'}")
    seed_database(engine, payments=0, seed=7)
    settings = Settings(data_dir=Path(data))
    with TestClient(create_app(settings, engine=engine), headers=api_headers(settings)) as c:
        c.settings = settings  # type: ignore[attr-defined]  # the signer's key lives in this data dir
        yield c


def _args(scenario: Scenario) -> dict[str, Any]:
    """The arguments of the truth's next action, from the scenario's structured references."""
    action, refs = scenario.truth["next_action"], scenario.references
    kind, code = action["kind"], action.get("reason_code")
    reference = refs["payment_id"]
    if kind == "recall":
        return {"reference": reference, "reason_code": code}
    if kind == "return_funds":
        return {"reference": reference, "reason_code": code}
    if kind == "close_case":
        return {"case_id": refs["case_id"], "resolution_code": code}
    if kind == "investigation_answer":
        return {
            "reference": reference,
            "message": action["message_type"],
            "status": action["status"],
            "reason_code": code,
            "investigation_type": action["investigation_type"],
        }
    if kind == "investigation" and action["message_type"] == "pacs.028":
        return {"reference": reference, "message": "pacs.028"}
    if kind == "investigation":
        return {
            "reference": reference,
            "investigation_type": action["investigation_type"],
            "reason_code": code,
        }
    raise AssertionError(f"no argument recipe for {kind}")


def _amount_eur(client: TestClient, payment: dict[str, Any]) -> float:
    amount, currency = float(payment["instructed_amount"]), payment["instructed_currency"]
    if currency == "EUR":
        return amount
    res = client.get(
        "/v1/fx", params={"base": currency, "quote": "EUR", "date": date(2026, 11, 20).isoformat()}
    )
    assert res.status_code == 200, res.text
    return amount * float(res.json()["rate"])


def _approve(proposal: dict[str, Any], amount_eur: float | None) -> list[tuple[str, str]]:
    """Run the approval chain the rules demand: compliance first when needed, then supervisors until final."""
    chain = ([COMPLIANCE] if needs_compliance(proposal) else []) + SUPERVISORS
    done: list[tuple[str, str]] = []
    for approver in chain:
        decision = Decision(proposal_id=proposal["id"], action="approve")
        stage = check_decision(
            decision, proposal, approver, "T-1", actions_enabled=True, amount_eur=amount_eur
        )
        done.append((approver.username, stage))
        proposal["history"].append({"event": stage, "by": approver.username})
        if stage == "approve":
            return done
    raise AssertionError(f"{proposal['id']} never reached a final approval: {done}")


def _codes_in(xml: str) -> list[tuple[str, str]]:
    """(element path below the business root, code) of every coded element in the message."""
    root = etree.fromstring(xml.encode())
    found = []
    for row in codesets.ELEMENTS:
        parts = row.path.split("/")
        for el in root.iter():
            if etree.QName(el).localname != parts[-1] or el.text is None:
                continue
            chain = [*[etree.QName(a).localname for a in el.iterancestors()][::-1][2:], parts[-1]]
            if "/".join(chain).endswith(row.path) and row.message in etree.QName(root).namespace:
                found.append((row.path, el.text))
    return found


@pytest.mark.parametrize("scenario", WITH_ACTION, ids=lambda s: s.id)
def test_next_action_drafts_validates_is_approved_and_executes(
    client: TestClient, scenario: Scenario
) -> None:
    action = scenario.truth["next_action"]
    kind, args = action["kind"], _args(scenario)
    draft = client.post(f"/v1/actions/{kind}/draft", json=args)
    assert draft.status_code == 200, draft.text
    body = draft.json()
    if action["message_type"]:
        assert body["message_type"].startswith(action["message_type"]) and body["xsd_validated"] is True
        assert validate_xml(action["message_type"], body["xml"]) == []
        coded = _codes_in(body["xml"])
        assert coded or action["message_type"] == "pacs.028"  # pacs.028 has no coded element
        for path, code in coded:
            assert code in codesets.element(action["message_type"], path).codes, (path, code)
    payment = client.get(f"/v1/payments/{scenario.references['payment_id']}").json()
    proposal = {
        "id": f"PR-{scenario.number}",
        "thread_id": "T-1",
        "status": "submitted",
        "kind": kind,
        "args": args,
        "reason_code": action.get("reason_code") or action.get("investigation_type") or "",
        "amount": payment.get("instructed_amount"),
        "currency": payment.get("instructed_currency"),
        "requested_by": ANALYST,
        "history": [],
    }
    stages = _approve(proposal, _amount_eur(client, payment))
    if needs_compliance(proposal):
        assert stages[0] == ("compliance1", "compliance_signoff")
    key = f"e2e-{scenario.id}"
    ref = sign_ref(
        client.settings,  # type: ignore[attr-defined]
        kind,
        args,
        key,
        approver=stages[-1][0],
        requester=ANALYST,
        proposal_id=proposal["id"],
    )
    headers = {"Idempotency-Key": key, "X-Approval-Ref": ref}
    done = client.post(f"/v1/actions/{kind}", json=args, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "executed"
    if action["message_type"]:
        assert done.json()["message"]["xsd_validated"] is True


def test_fraud_recalls_need_compliance_and_top_tier_needs_two() -> None:
    recall = {"kind": "recall", "args": {"reason_code": "UAPA"}, "reason_code": "UAPA"}
    assert needs_compliance(recall) and needs_compliance({"kind": "release_hold", "args": {}})
    assert not needs_compliance({"kind": "recall", "args": {"reason_code": "DUPL"}})
    proposal = {
        "id": "PR-1",
        "thread_id": "T-1",
        "status": "submitted",
        "kind": "return_funds",
        "args": {"reason_code": "AC04"},
        "amount": 2_000_000,
        "currency": "EUR",
        "requested_by": ANALYST,
        "history": [],
    }
    assert _approve(proposal, 2_000_000.0) == [("supervisor1", "first_approval"), ("head_of_ops", "approve")]
