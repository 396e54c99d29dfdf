"""The agent over the real payments sandbox API (ASGI, seeded SQLite): named scenarios → playbook proposals."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from agent.approvals import Principal, SignOffRequired
from agent.errors import ApprovalLimitExceeded, FourEyesViolation
from agent.service import AgentService
from core.settings import Settings
from sandbox.generator import seed_database
from sandbox.scenarios import get_scenario
from sandbox.schema import get_payments_engine
from tests.agent.conftest import SUPERVISOR, SUPERVISOR2, sample_hits
from tests.agent.fakes import ListRetriever, ScriptedChatModel, default_script
from tests.sandbox_api.factories import sandbox_systems


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """One payments database with every named scenario (no random payments: fast and deterministic)."""
    data_dir = tmp_path_factory.mktemp("sandbox") / "data"
    settings = Settings(data_dir=data_dir)
    seed_database(get_payments_engine(settings.payments_db_url), payments=0, seed=7)
    return data_dir


@pytest.fixture
def settings_for(seeded, tmp_path):
    def make() -> Settings:
        # a fresh app DB per test, sharing the seeded payments DB
        return Settings(
            data_dir=tmp_path / "app", payments_database_url=f"sqlite:///{seeded / 'payments.db'}"
        )

    return make


@pytest.mark.parametrize(
    ("scenario_id", "kind", "code"),
    [
        ("cnr-g002-intermediary", "investigation", "CCNR"),
        ("mc-g004-creditor-agent", "investigation_answer", "INPO"),  # the creditor agent raised CONR
        ("dup-sent-twice-dupl", "recall", "DUPL"),
        ("ch-g003-sanctions-rfi", "investigation_answer", "ARPL"),  # answer the RQFI, do not raise one
        ("ch-g003-aml-rfi", "investigation_answer", "ARPL"),
        ("uta-mm20-name-mismatch", "investigation_answer", "ARPL"),  # the creditor agent raised UTAP
        ("chaser-non-gpi-g001", "investigation", "pacs.028"),
        ("recall-fraud-after-settlement", "recall", "UAPA"),  # account takeover: unauthorised
        ("fraud-app-scam-uk", "recall", "FRAD"),  # APP scam: authorised under deception
        ("rof-ac04-closed-account", "return_funds", "AC04"),
        ("chg-our-deducted-wrongly", "investigation", "RQCH"),
        ("recall-beneficiary-refuses", "close_case", "RJCT"),
        ("amend-currency-change", "recall", "CUST"),  # never amend the currency: cancel and re-send
        (
            "amend-wrong-creditor-account-um14",
            "recall",
            "AC03",
        ),  # camt.087 refused with UM14  # camt.029 RJCR received: close as rejected
        ("cnr-accc-disputed", None, None),
        ("chaser-gpi-g000-in-flight", None, None),
    ],
)
async def test_scenario_proposals_follow_the_truth(settings_for, scenario_id, kind, code):
    scenario = get_scenario(scenario_id)
    settings = settings_for()
    service = AgentService(
        settings,
        chat_model=ScriptedChatModel(script=default_script(case_type=scenario.case_type.value)),
        systems=sandbox_systems(settings),
        retriever=ListRetriever(sample_hits()),
    )
    try:
        result = await service.ask(scenario.analyst_message)
    finally:
        await service.aclose()
    assert all(c.ok for c in result.tool_calls), [c.summary for c in result.tool_calls if not c.ok]
    assert {"get_payment"} <= {c.name for c in result.tool_calls}
    got = [(p["kind"], p["reason_code"]) for p in result.proposals]
    assert got == ([(kind, code)] if kind else [])
    forbidden = set(scenario.truth.get("forbidden_actions") or [])
    assert not forbidden & {p["kind"] for p in result.proposals}
    for p in result.proposals:
        assert p["kind"] == "close_case" or (p["iso_xml"] and p["message_type"])  # closing sends no message


async def test_a_message_naming_only_the_case_finds_its_payment(settings_for):
    scenario = get_scenario("amend-wrong-creditor-account-um14")
    case_id = scenario.references["case_id"]
    service = AgentService(
        settings_for(),
        chat_model=ScriptedChatModel(script=default_script(case_type="amendment")),
        systems=sandbox_systems(settings_for()),
        retriever=ListRetriever(sample_hits()),
    )
    try:
        result = await service.ask(f"case {case_id}: the account fix was refused by the other bank, what now")
    finally:
        await service.aclose()
    assert result.triage["source"] == "case"
    assert result.triage["targets"] == [scenario.references["payment_id"]]
    assert result.tool_calls[0].name == "get_case"
    assert "reason UM14 (the creditor account can no longer be changed)" in result.answer  # structured answer
    assert [(p["kind"], p["reason_code"]) for p in result.proposals] == [("recall", "AC03")]


def _service(settings_for, case_type: str) -> AgentService:
    return AgentService(
        settings_for(),
        chat_model=ScriptedChatModel(script=default_script(case_type=case_type)),
        systems=sandbox_systems(settings_for()),
        retriever=ListRetriever(sample_hits()),
    )


async def _ask_scenario(settings_for, scenario_id: str, case_type: str):
    service = _service(settings_for, case_type)
    try:
        return await service.ask(get_scenario(scenario_id).analyst_message)
    finally:
        await service.aclose()


async def test_a_described_pair_sent_twice_is_one_subject_not_a_choice(settings_for):
    service = _service(settings_for, "duplicate")
    try:
        result = await service.ask(
            "Harbour Electronics sent GBP 41,200.00 to Ironbark Engineering twice in November; recall the duplicate"
        )
    finally:
        await service.aclose()
    assert result.triage["source"] == "search_pair"
    later = get_scenario("dup-sent-twice-dupl").references["twin_payment_id"]
    assert [(p["kind"], p["reason_code"], p["args"]["reference"]) for p in result.proposals] == [
        ("recall", "DUPL", later)
    ]


async def test_a_returned_duplicate_shows_its_pacs004_and_nothing_is_proposed(settings_for):
    result = await _ask_scenario(settings_for, "dup-returned-am05", "duplicate")
    assert "was returned: pacs.004" in result.answer and "AM05 (duplication)" in result.answer
    assert result.proposals == []


async def test_a_follow_up_with_unclear_wording_stays_in_the_threads_case(settings_for):
    scenario = get_scenario("dup-sent-twice-dupl")
    service = _service(settings_for, "duplicate")
    try:
        first = await service.ask(scenario.analyst_message)
        assert first.case_type == "duplicate"
        follow = await service.ask(
            f"ok. anything else on {scenario.references['payment_id']}?", thread_id=first.thread_id
        )
    finally:
        await service.aclose()
    assert follow.case_type == "duplicate", follow.classification
    assert follow.classification["source"] in ("thread", "trained", "rule")


async def test_approved_action_lands_once_in_the_payments_database(settings_for, seeded):
    settings = settings_for()
    scenario = get_scenario("mc-g004-usd-cover")
    service = AgentService(
        settings,
        chat_model=ScriptedChatModel(script=default_script(case_type="missing_cover")),
        systems=sandbox_systems(settings),
        retriever=ListRetriever(sample_hits()),
    )
    try:
        result = await service.ask(scenario.analyst_message)
        await service.submit(result.thread_id, user="analyst1")
        approve = [{"proposal_id": result.proposals[0]["id"], "action": "approve"}]
        with pytest.raises(ApprovalLimitExceeded):  # USD 215,000 is about EUR 213k: above supervisor1's tier
            await service.decide(result.thread_id, approve, SUPERVISOR)
        done = await service.decide(result.thread_id, approve, SUPERVISOR2)
        async for _ in service.resume(result.thread_id):  # a restarted worker finds nothing left to do
            pass
    finally:
        await service.aclose()
    assert done.status == "completed" and done.executions[0]["status"] == "executed"
    key = done.proposals[0]["idempotency_key"]
    with sqlite3.connect(seeded / "payments.db") as conn:
        rows = conn.execute("SELECT count(*) FROM actions WHERE idempotency_key = ?", (key,)).fetchone()
    assert rows == (1,)


COMPLIANCE = Principal(username="compliance1", role="compliance")


async def test_fraud_recall_needs_compliance_sign_off_before_the_supervisor(settings_for, seeded):
    settings = settings_for()
    scenario = get_scenario("fraud-invoice-redirection-frad")
    service = AgentService(
        settings,
        chat_model=ScriptedChatModel(script=default_script(case_type="fraud_recall")),
        systems=sandbox_systems(settings),
        retriever=ListRetriever(sample_hits()),
    )
    try:
        # The analyst picks the case type (the sign-off path is under test, not the classifier).
        result = await service.ask(scenario.analyst_message, case_type="fraud_recall")
        [proposal] = result.proposals
        assert (proposal["kind"], proposal["reason_code"]) == ("recall", "FRAD")
        await service.submit(result.thread_id, user="analyst1")
        approve = [{"proposal_id": proposal["id"], "action": "approve"}]
        with pytest.raises(SignOffRequired):  # a supervisor alone cannot approve a FRAD recall
            await service.decide(result.thread_id, approve, SUPERVISOR2)
        await service.decide(result.thread_id, approve, COMPLIANCE)
        [queued] = service.pending_approvals()  # signed off, still waiting for the operational approver
        assert queued["compliance_signoff_required"] and queued["compliance_signoff_by"] == "compliance1"
        with pytest.raises(FourEyesViolation):  # the compliance officer cannot also be the checker
            await service.decide(
                result.thread_id,
                approve,
                Principal(username="compliance1", role="supervisor", approval_limit_eur=1e9),
            )
        done = await service.decide(result.thread_id, approve, SUPERVISOR2)
    finally:
        await service.aclose()
    assert done.status == "completed" and done.executions[0]["status"] == "executed"
    stages = [h["event"] for h in done.proposals[0]["history"]]
    assert stages[-3:] == ["compliance_signoff", "approve", "executed"]


async def test_a_hold_reason_is_quoted_to_the_analyst_and_never_sent_to_the_model(settings_for):
    scenario = get_scenario("ch-g003-aml-rfi")
    model = ScriptedChatModel(script=default_script(case_type="compliance_hold"))
    service = AgentService(
        settings_for(),
        chat_model=model,
        systems=sandbox_systems(settings_for()),
        retriever=ListRetriever(sample_hits()),
    )
    try:
        result = await service.ask(scenario.analyst_message)
    finally:
        await service.aclose()
    [note] = [f for f in result.findings if f["kind"] == "hold_note"]
    assert note["untrusted"] is True and "RFI AMLI on source of funds" in note["text"]
    assert "RFI AMLI on source of funds" in result.answer
    prompts = " ".join(str(m.content) for call in model.calls for m in call["messages"])
    assert "source of funds" not in prompts  # free text of the hold: shown, not phrased by the model


async def test_a_uk_app_scam_shows_the_reimbursement_limits_from_the_bank_parameters(settings_for):
    result = await _ask_scenario(settings_for, "fraud-app-scam-uk", "fraud_recall")
    [deadline] = [f for f in result.findings if f["kind"] == "deadline"]
    assert "app_reimbursement by" in deadline["text"]
    assert "app_reimbursement_cap GBP 85,000.00" in deadline["text"]
    assert "app_excess_max GBP 100.00" in deadline["text"]


async def test_a_eur_fraud_recall_has_no_uk_app_limits(settings_for):
    result = await _ask_scenario(settings_for, "fraud-invoice-redirection-frad", "fraud_recall")
    deadlines = [f["text"] for f in result.findings if f["kind"] == "deadline"]
    assert deadlines and not any("app_reimbursement_cap" in text for text in deadlines)
