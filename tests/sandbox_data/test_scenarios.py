"""The scenario catalogue is complete, and every scenario's truth holds in the seeded database."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest
from rapidfuzz import fuzz
from sqlalchemy import Engine, text

from core.domain import (
    CASE_ID_PATTERN,
    E2E_ID_PATTERN,
    PAYMENT_ID_PATTERN,
    UETR_PATTERN,
    ActionKind,
    CaseType,
)
from sandbox.calendar import value_date_for
from sandbox.scenarios import SCENARIOS, Scenario, UnknownScenario, get_scenario
from tools.read_args import READ_TOOL_SPECS

IDS = [s.id for s in SCENARIOS]


def one(engine: Engine, sql: str, **params: Any) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(text(sql), params).mappings().first()
    return dict(row) if row else None


def many(engine: Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def test_catalogue_covers_every_case_type_twice() -> None:
    assert len(SCENARIOS) >= 30
    assert len(set(IDS)) == len(IDS)
    per_type = Counter(s.case_type for s in SCENARIOS)
    for case_type in CaseType:
        if case_type is not CaseType.GENERAL:
            assert per_type[case_type] >= 2, case_type


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_scenario_contract(scenario: Scenario) -> None:
    refs, truth = scenario.references, scenario.truth
    assert re.fullmatch(PAYMENT_ID_PATTERN, refs["payment_id"])
    assert re.fullmatch(UETR_PATTERN, refs["uetr"])
    assert re.fullmatch(E2E_ID_PATTERN, refs["end_to_end_id"])
    if "case_id" in refs:
        assert re.fullmatch(CASE_ID_PATTERN, refs["case_id"])
    assert "{" not in scenario.analyst_message
    assert set(truth) >= {
        "what_happened",
        "payment_status",
        "status_reason",
        "stopped_at_bic",
        "key_facts",
        "next_action",
        "forbidden_actions",
        "expected_tools",
    }
    assert truth["key_facts"] and all(isinstance(f, str) for f in truth["key_facts"])
    assert set(truth["expected_tools"]) <= set(READ_TOOL_SPECS)
    assert "get_payment" in truth["expected_tools"]
    forbidden = {ActionKind(k) for k in truth["forbidden_actions"]}
    if truth["next_action"] is not None:
        assert ActionKind(truth["next_action"]["kind"]) not in forbidden


def test_get_scenario() -> None:
    assert get_scenario("cnr-g002-intermediary").references["payment_id"] == "PAY-90000001"
    with pytest.raises(UnknownScenario):
        get_scenario("no-such-scenario")


def test_references_are_stable() -> None:
    scenario = get_scenario("cnr-g002-intermediary")
    assert scenario.references["uetr"] == "8da08e05-d273-4f03-a044-d4b31bae6fd5"
    assert scenario.references["end_to_end_id"] == "E2E-CNRG002INTERMEDIARY01"


def _subject(engine: Engine, scenario: Scenario) -> dict[str, Any]:
    """The payment the truth describes (the one the analyst message names)."""
    refs = scenario.references
    named = refs["twin_payment_id"] if refs.get("twin_payment_id", "~") in scenario.analyst_message else None
    payment = one(engine, "SELECT * FROM payments WHERE id = :id", id=named or refs["payment_id"])
    assert payment is not None
    return payment


@pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)
def test_truth_holds_in_database(seeded_engine: Engine, scenario: Scenario) -> None:
    refs, truth = scenario.references, scenario.truth
    main = one(seeded_engine, "SELECT * FROM payments WHERE id = :id", id=refs["payment_id"])
    assert (
        main is not None and main["uetr"] == refs["uetr"] and main["end_to_end_id"] == refs["end_to_end_id"]
    )
    assert main["scenario_id"] == scenario.id and main["creditor_account"] == refs["creditor_account"]
    payment = _subject(seeded_engine, scenario)
    assert payment["status"] == truth["payment_status"]
    assert payment["status_reason"] == truth["status_reason"]
    last = many(
        seeded_engine,
        "SELECT * FROM tracker_events WHERE payment_id = :id ORDER BY seq DESC",
        id=payment["id"],
    )[0]
    assert last["agent_bic"] == truth["stopped_at_bic"]
    if "case_id" in refs:
        case = one(seeded_engine, "SELECT * FROM cases WHERE id = :id", id=refs["case_id"])
        assert case is not None and case["case_type"] == scenario.case_type.value
    for fact in truth["key_facts"]:
        assert fact.lower() in (truth["what_happened"] + scenario.title).lower() or fact in json.dumps(truth)


def _holder(engine: Engine, account: str) -> dict[str, Any] | None:
    return one(engine, "SELECT * FROM accounts WHERE iban = :a OR account_number = :a", a=account)


def test_duplicates_exist_as_near_identical_pairs(seeded_engine: Engine) -> None:
    for sid in ("recall-duplicate-before-settlement", "dup-sent-twice-dupl", "dup-returned-am05"):
        refs = get_scenario(sid).references
        pair = many(
            seeded_engine,
            "SELECT * FROM payments WHERE id IN (:a, :b)",
            a=refs["payment_id"],
            b=refs["twin_payment_id"],
        )
        assert len(pair) == 2
        keys = {
            (p["debtor_account"], p["creditor_account"], p["instructed_amount"], p["remittance_info"])
            for p in pair
        }
        assert len(keys) == 1
        gap = abs(
            datetime.fromisoformat(pair[0]["created_at"]) - datetime.fromisoformat(pair[1]["created_at"])
        )
        assert gap.days <= 3
    returned = one(
        seeded_engine,
        "SELECT * FROM returns WHERE payment_id = :id",
        id=get_scenario("dup-returned-am05").references["twin_payment_id"],
    )
    assert returned is not None and returned["reason_code"] == "AM05"


@pytest.mark.parametrize("sid", ["ch-g003-sanctions-rfi", "ch-g003-aml-rfi"])
def test_compliance_holds_have_hit_and_active_hold(seeded_engine: Engine, sid: str) -> None:
    pid = get_scenario(sid).references["payment_id"]
    assert one(
        seeded_engine, "SELECT * FROM screening_hits WHERE payment_id = :id AND status = 'open'", id=pid
    )
    assert one(seeded_engine, "SELECT * FROM holds WHERE payment_id = :id AND status = 'active'", id=pid)


@pytest.mark.parametrize(
    "sid", ["wb-vop-no-match", "uta-mm20-name-mismatch", "fraud-invoice-redirection-frad"]
)
def test_payee_name_does_not_match_the_account(seeded_engine: Engine, sid: str) -> None:
    payment = _subject(seeded_engine, get_scenario(sid))
    account = _holder(seeded_engine, payment["creditor_account"])
    assert account is not None
    assert fuzz.token_set_ratio(account["holder_name"].lower(), payment["creditor_name"].lower()) < 70


def test_close_match_is_close_but_not_equal(seeded_engine: Engine) -> None:
    payment = _subject(seeded_engine, get_scenario("wb-vop-close-match"))
    holder = _holder(seeded_engine, payment["creditor_account"])["holder_name"]
    assert holder != payment["creditor_name"]
    # Inside the close-match band of a token_sort_ratio Verification of Payee (75-92).
    assert 75 <= fuzz.token_sort_ratio(holder.lower(), payment["creditor_name"].lower()) < 92


@pytest.mark.parametrize("sid", ["vd-late-value-vada-eur", "vd-late-value-vada-usd"])
def test_value_date_errors_are_later_than_the_calendar(seeded_engine: Engine, sid: str) -> None:
    p = _subject(seeded_engine, get_scenario(sid))
    correct = value_date_for(p["settled_currency"], datetime.fromisoformat(p["created_at"]))
    assert date.fromisoformat(p["value_date"]) > correct
    assert correct.isoformat() in get_scenario(sid).truth["key_facts"]


def test_after_cutoff_value_date_is_correct(seeded_engine: Engine) -> None:
    p = _subject(seeded_engine, get_scenario("vd-after-cutoff-correct"))
    assert date.fromisoformat(p["value_date"]) == value_date_for(
        "EUR", datetime.fromisoformat(p["created_at"])
    )


def test_account_states_and_returns(seeded_engine: Engine) -> None:
    for sid, state in (
        ("cnr-rjct-ac04", "closed"),
        ("rof-ac04-closed-account", "closed"),
        ("rof-ac06-blocked-account", "blocked"),
    ):
        p = _subject(seeded_engine, get_scenario(sid))
        assert _holder(seeded_engine, p["creditor_account"])["status"] == state
    pid = get_scenario("cnr-rjct-ac04").references["payment_id"]
    assert one(seeded_engine, "SELECT * FROM returns WHERE payment_id = :id AND reason_code = 'AC04'", id=pid)
    p = _subject(seeded_engine, get_scenario("uta-ms13-missing-account"))
    assert _holder(seeded_engine, p["creditor_account"]) is None


def test_charges_scenarios(seeded_engine: Engine) -> None:
    shar = _subject(seeded_engine, get_scenario("chg-shar-deducted"))
    assert shar["charge_bearer"] == "SHAR" and float(shar["settled_amount"]) == 9965.0
    our = _subject(seeded_engine, get_scenario("chg-our-deducted-wrongly"))
    deducted = many(
        seeded_engine,
        "SELECT agent_bic, charges_amount FROM tracker_events "
        "WHERE payment_id = :id AND charges_amount IS NOT NULL",
        id=our["id"],
    )
    assert our["charge_bearer"] == "DEBT" and deducted == [{"agent_bic": "HUDSUS33", "charges_amount": 3500}]


def test_non_gpi_chaser_forwards_to_a_non_gpi_bank(seeded_engine: Engine) -> None:
    p = _subject(seeded_engine, get_scenario("chaser-non-gpi-g001"))
    last = many(
        seeded_engine, "SELECT * FROM tracker_events WHERE payment_id = :id ORDER BY seq DESC", id=p["id"]
    )[0]
    bank = one(seeded_engine, "SELECT * FROM banks WHERE bic = :b", b=last["forwarded_to_bic"])
    assert bank is not None and not bank["gpi"]
