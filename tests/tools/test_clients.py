"""The typed clients against the real API in process: results, typed errors, path safety."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from core.approval_tokens import payments_api_token
from core.settings import Settings
from tests.approvals import sign_ref
from tests.sandbox_api.factories import IBAN_CREDITOR, UETR_STUCK
from tools import errors
from tools.accounts_client import AccountsClient
from tools.actions_client import ActionsClient
from tools.calendar_client import CalendarClient
from tools.payments_client import PaymentsClient
from tools.registry import PaymentSystems
from tools.tracker_client import TrackerClient


async def test_payment_and_tracker(settings: Settings, transport: httpx.ASGITransport) -> None:
    payments = PaymentsClient("http://sandbox", token=payments_api_token(settings), transport=transport)
    pay = await payments.get_payment(UETR_STUCK)
    assert pay.id == "PAY-00000002" and pay.instructed_amount == Decimal("25000.00")
    assert pay.intermediary_bics == ["CHASUS33XXX"]
    tracker_client = TrackerClient("http://sandbox", token=payments_api_token(settings), transport=transport)
    tracker = await tracker_client.get_tracker("PAY-00000002")
    assert tracker.summary["stopped_at_bic"] == "CHASUS33XXX"
    found = await payments.search_payments(party="Dupont", status="RJCT")
    assert [p.id for p in found.payments] == ["PAY-00000003"]
    await payments.aclose()


@pytest.mark.parametrize(
    ("reference", "error"),
    [
        ("nonsense", errors.InvalidReference),
        ("PAY-99999999", errors.PaymentNotFound),
        ("../accounts/DE89370400440532013000", errors.NotFound),  # stays a payments path, never the account
        ("PAY-00000001?x=1", errors.InvalidReference),
    ],
)
async def test_typed_errors(systems: PaymentSystems, reference: str, error: type[errors.ToolError]) -> None:
    with pytest.raises(error) as info:
        await systems.payments.get_payment(reference)
    assert info.value.status in (400, 404)


async def test_accounts_calendar_fx_compensation(systems: PaymentSystems) -> None:
    vop = await systems.accounts.verify_payee(IBAN_CREDITOR, "Jean Dupond")
    assert vop.result == "close_match" and vop.registered_name == "Jean Dupont"
    with pytest.raises(errors.AccountNotFound):
        await systems.accounts.get_account("GB00XXXX00000000000000")
    cal = await systems.calendar.get_calendar("EUR", "2026-12-25")
    assert cal.is_business_day is False
    fx = await systems.calendar.get_fx_rate("EUR", "USD", "2026-11-02")
    assert fx.rate == 1.08
    comp = await systems.calendar.compute_compensation("PAY-00000001", "2026-10-27", annual_rate=0.036)
    assert comp.interest == Decimal("0.90") and comp.days == 6
    with pytest.raises(errors.InvalidInput):
        await systems.calendar.get_fx_rate("EURO", "USD", "2026-11-02")
    with pytest.raises(errors.FxRateNotFound):
        await systems.calendar.get_fx_rate("EUR", "JPY", "2026-11-02")


async def test_actions_client(settings: Settings, transport: httpx.ASGITransport) -> None:
    client = ActionsClient("http://sandbox", token=payments_api_token(settings), transport=transport)
    args = {"reference": "PAY-00000001", "reason_code": "DUPL"}
    draft = await client.draft("recall", args)
    assert draft.xsd_validated and draft.message_type == "camt.056.001.12"
    ref = sign_ref(settings, "recall", args, "k1")
    first = await client.execute("recall", args, idempotency_key="k1", approval_ref=ref)
    again = await client.execute(
        "recall", args, idempotency_key="k1", approval_ref=sign_ref(settings, "recall", args, "k1")
    )
    assert again.replayed and again.action_id == first.action_id
    with pytest.raises(errors.ApprovalRefused) as refused:
        await client.execute("recall", args, idempotency_key="k1", approval_ref=ref)
    assert refused.value.code == "approval_replayed" and refused.value.status == 403
    frad = args | {"reason_code": "FRAD"}
    with pytest.raises(errors.IdempotencyConflict):
        await client.execute(
            "recall", frad, idempotency_key="k1", approval_ref=sign_ref(settings, "recall", frad, "k1")
        )
    with pytest.raises(errors.ApprovalRefused) as tampered:
        await client.execute(
            "recall", frad, idempotency_key="k2", approval_ref=sign_ref(settings, "recall", args, "k2")
        )
    assert tampered.value.code == "approval_mismatch"
    with pytest.raises(errors.BusinessRuleViolation) as info:
        await client.execute(
            "recall", args, idempotency_key="k2", approval_ref=sign_ref(settings, "recall", args, "k2")
        )
    assert info.value.code == "recall_pending"
    with pytest.raises(errors.ApprovalRequired):
        await client.execute("recall", args, idempotency_key="k3", approval_ref="")
    assert (await client.get_action(first.action_id)).kind == "recall"
    await client.aclose()


async def test_token_and_unreachable(settings, engine) -> None:  # type: ignore[no-untyped-def]
    from sandbox.api import create_app

    app = create_app(settings.model_copy(update={"payments_api_token": "tok"}), engine=engine)
    transport = httpx.ASGITransport(app=app)
    with pytest.raises(errors.Unauthorized):
        await CalendarClient("http://sandbox", transport=transport).get_fx_rate("EUR", "USD", "2026-11-02")
    ok = CalendarClient("http://sandbox", token="tok", transport=transport)
    assert (await ok.get_fx_rate("EUR", "USD", "2026-11-02")).rate == 1.08

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    down = AccountsClient("http://127.0.0.1:9", transport=httpx.MockTransport(refuse))
    with pytest.raises(errors.UpstreamUnavailable):
        await down.get_account(IBAN_CREDITOR)
    broken = AccountsClient(
        "http://x", transport=httpx.MockTransport(lambda r: httpx.Response(502, text="bad gateway"))
    )
    with pytest.raises(errors.UpstreamUnavailable):
        await broken.get_account(IBAN_CREDITOR)
