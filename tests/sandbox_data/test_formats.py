"""Identifiers, account numbers and value dates in the generated data are well formed."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from schwifty import BIC, IBAN
from sqlalchemy import Engine, text

from core.domain import BIC_PATTERN, E2E_ID_PATTERN, PAYMENT_ID_PATTERN, UETR_PATTERN
from sandbox.calendar import is_business_day, value_date_for


def rows(engine: Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_every_iban_has_a_valid_checksum_and_structure(seeded_engine: Engine) -> None:
    ibans = [r[0] for r in rows(seeded_engine, "SELECT iban FROM accounts WHERE iban IS NOT NULL")]
    assert len(ibans) > 20
    for iban in ibans:
        assert str(IBAN(iban)) == iban  # schwifty validates length, structure and mod-97 check digits


def test_accounts_without_iban_have_local_numbers(seeded_engine: Engine) -> None:
    local = rows(
        seeded_engine,
        "SELECT a.account_number, b.country FROM accounts a JOIN banks b "
        "ON a.bank_bic = b.bic WHERE a.iban IS NULL",
    )
    assert local, "expected US/JP/SG/AU accounts"
    assert {country for _, country in local} <= {"US", "JP", "SG", "AU"}
    assert all(number.isdigit() for number, _ in local)


def test_bics_are_well_formed_across_eight_currencies(seeded_engine: Engine) -> None:
    banks = rows(seeded_engine, "SELECT bic, country, currency, gpi FROM banks")
    for bic, country, _, _ in banks:
        assert re.fullmatch(BIC_PATTERN, bic)
        assert BIC(bic).country_code == country
    assert len({c for _, _, c, _ in banks}) >= 7 and len({c for _, c, _, _ in banks}) >= 8
    assert sum(1 for *_, gpi in banks if not gpi) >= 5


def test_payment_identifiers_follow_the_shared_patterns(seeded_engine: Engine) -> None:
    for pid, uetr, e2e, inter in rows(
        seeded_engine, "SELECT id, uetr, end_to_end_id, intermediary_bics FROM payments"
    ):
        assert re.fullmatch(PAYMENT_ID_PATTERN, pid)
        assert re.fullmatch(UETR_PATTERN, uetr)
        assert re.fullmatch(E2E_ID_PATTERN, e2e)
        hops = json.loads(inter)
        assert 0 <= len(hops) <= 3 and all(re.fullmatch(BIC_PATTERN, b) for b in hops)


def test_credited_value_dates_follow_the_calendar_and_cutoffs(seeded_engine: Engine) -> None:
    credited = rows(
        seeded_engine,
        "SELECT settled_currency, created_at, requested_execution_date, value_date "
        "FROM payments WHERE status = 'ACCC' AND scenario_id IS NULL",
    )
    assert len(credited) > 100
    for currency, created, requested, value in credited:
        value_day = date.fromisoformat(value)
        assert is_business_day(currency, value_day)
        expected = value_date_for(currency, datetime.fromisoformat(created), date.fromisoformat(requested))
        assert value_day == expected, (currency, created, requested, value)


def test_tracker_ends_where_the_payment_status_says(seeded_engine: Engine) -> None:
    last = rows(
        seeded_engine,
        """
        SELECT p.status, p.status_reason, e.status, e.reason, e.forwarded_at, p.creditor_agent_bic, e.agent_bic
        FROM payments p JOIN tracker_events e ON e.payment_id = p.id
        WHERE e.seq = (SELECT max(seq) FROM tracker_events WHERE payment_id = p.id)""",
    )
    assert len(last) == len(rows(seeded_engine, "SELECT id FROM payments"))
    for status, reason, ev_status, ev_reason, forwarded, creditor_agent, agent in last:
        assert ev_reason == reason
        if status == "ACCC":
            assert ev_status == "ACCC" and agent == creditor_agent and forwarded is None
        if status == "ACSP" and reason in ("G000", "G001"):
            assert forwarded is not None  # in flight: forwarded, next agent has not confirmed yet


def test_shar_charges_reduce_the_settled_amount(seeded_engine: Engine) -> None:
    shar = rows(
        seeded_engine,
        """
        SELECT p.instructed_amount, p.settled_amount, coalesce(sum(e.charges_amount), 0)
        FROM payments p JOIN tracker_events e ON e.payment_id = p.id
        WHERE p.status = 'ACCC' AND p.charge_bearer = 'SHAR' AND p.fx_rate IS NULL AND p.scenario_id IS NULL
        GROUP BY p.id""",
    )
    assert shar
    for instructed, settled, charges in shar:
        assert abs(instructed - charges - settled) < 0.011


def test_side_tables_are_consistent(seeded_engine: Engine) -> None:
    g003 = rows(seeded_engine, "SELECT id FROM payments WHERE status_reason = 'G003'")
    held = {r[0] for r in rows(seeded_engine, "SELECT payment_id FROM holds WHERE status = 'active'")}
    assert {r[0] for r in g003} <= held
    assert rows(seeded_engine, "SELECT count(*) FROM fx_rates")[0][0] > 1000
    scores = rows(seeded_engine, "SELECT score, flags FROM risk_scores")
    assert len(scores) == len(rows(seeded_engine, "SELECT id FROM payments"))
    assert all(0 < s <= 1 and isinstance(json.loads(f), list) for s, f in scores)
