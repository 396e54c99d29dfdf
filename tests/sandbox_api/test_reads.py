"""Contract tests of the payments API read endpoints over a small seeded database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from core.settings import Settings
from sandbox.api import create_app
from tests.approvals import api_headers
from tests.sandbox_api.factories import IBAN_CREDITOR, IBAN_DEBTOR, UETR_CREDITED, UETR_STUCK, small_engine


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One API over one seeded database for every read test (reads change nothing)."""
    folder = tmp_path_factory.mktemp("reads")
    settings = Settings(data_dir=folder / "data")
    app = create_app(settings, engine=small_engine(str(folder / "payments.db")))
    with TestClient(app, headers=api_headers(settings)) as c:
        yield c


@pytest.mark.parametrize(
    "reference", ["PAY-00000001", UETR_CREDITED, UETR_CREDITED.upper(), "E2E-TEST000001"]
)
def test_payment_by_any_reference(client: TestClient, reference: str) -> None:
    res = client.get(f"/v1/payments/{reference}")
    assert res.status_code == 200
    body = res.json()
    assert body["id"] == "PAY-00000001"
    assert body["instructed_amount"] == "1500.00"
    assert body["intermediary_bics"] == []


@pytest.mark.parametrize(
    ("reference", "status", "code"),
    [
        ("0b2c5f0e-1234-4abc-8def-0123456789a", 400, "invalid_reference"),  # one hex digit short
        ("0b2c5f0e-1234-1abc-8def-0123456789ab", 400, "invalid_reference"),  # not version 4
        ("PAY-123", 400, "invalid_reference"),
        ("'; DROP TABLE payments; --", 400, "invalid_reference"),
        ("x" * 5000, 400, "invalid_reference"),
        ("PAY-99999999", 404, "payment_not_found"),
        ("5f1d2e3c-4b5a-4c6d-9e8f-a1b2c3d4e5f6", 404, "payment_not_found"),
    ],
)
def test_bad_references_are_typed_errors(client: TestClient, reference: str, status: int, code: str) -> None:
    res = client.get(f"/v1/payments/{reference}")
    assert res.status_code == status
    assert res.json()["error"]["code"] == code
    assert res.json()["error"]["message"]


def test_search_filters(client: TestClient) -> None:
    res = client.get("/v1/payments", params={"currency": "EUR", "amount_min": "1000", "amount_max": "2000"})
    ids = {p["id"] for p in res.json()["payments"]}
    assert ids == {"PAY-00000001", "PAY-00000003", "PAY-00000004"}
    res = client.get("/v1/payments", params={"party": "dupont", "status": "RJCT"})
    assert [p["id"] for p in res.json()["payments"]] == ["PAY-00000003"]
    res = client.get("/v1/payments", params={"party": IBAN_DEBTOR, "limit": 2})
    assert res.json()["count"] == 2
    res = client.get("/v1/payments", params={"party": "100%_"})
    assert res.json()["count"] == 0  # LIKE wildcards are escaped


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"amount_min": "10", "amount_max": "5"}, 400, "invalid_range"),
        ({"date_from": "2026-11-10", "date_to": "2026-11-01"}, 400, "invalid_range"),
        ({"amount_min": "-5"}, 422, "validation_error"),
        ({"amount_max": "1e30"}, 422, "validation_error"),
        ({"currency": "euro"}, 422, "validation_error"),
        ({"currency": "EUR", "limit": "101"}, 422, "validation_error"),
        ({"currency": "EUR", "limit": "abc"}, 422, "validation_error"),
        ({"status": "DONE"}, 422, "validation_error"),
        ({"party": "x" * 500}, 422, "validation_error"),
        ({}, 400, "filter_required"),
        ({"date_to": "9999-12-31"}, 400, "date_out_of_range"),
        ({"party": "\x00\x00"}, 422, "validation_error"),
    ],
)
def test_search_bad_input(client: TestClient, params: dict[str, str], status: int, code: str) -> None:
    res = client.get("/v1/payments", params=params)
    assert res.status_code == status
    assert res.json()["error"]["code"] == code


def test_tracker_summary_of_stuck_payment(client: TestClient) -> None:
    body = client.get(f"/v1/payments/{UETR_STUCK}/tracker").json()
    assert [h["seq"] for h in body["hops"]] == [1, 2]
    summary = body["summary"]
    assert summary["current_status"] == "ACSP"
    assert summary["status_reason"] == "G002"
    assert summary["stopped_at_bic"] == "CHASUS33XXX"
    assert summary["total_charges"] == {"USD": "25.00"}
    assert summary["gpi"] is True


def test_tracker_of_credited_payment(client: TestClient) -> None:
    summary = client.get("/v1/payments/PAY-00000001/tracker").json()["summary"]
    assert summary["credited"] is True
    assert summary["stopped_at_bic"] is None
    assert summary["total_charges"] == {"EUR": "7.50"}


def test_screening_hits_and_holds(client: TestClient) -> None:
    body = client.get("/v1/payments/PAY-00000005/screening").json()
    assert body["summary"] == {"open_hits": 1, "active_holds": 1, "held": True}
    assert body["hits"][0]["list_name"] == "EU-CONSOLIDATED"
    assert client.get("/v1/payments/PAY-00000001/screening").json()["summary"]["held"] is False


def test_account_lookup_by_iban_and_number(client: TestClient) -> None:
    spaced = " ".join(IBAN_CREDITOR[i : i + 4] for i in range(0, len(IBAN_CREDITOR), 4))
    assert client.get(f"/v1/accounts/{spaced}").json()["holder_name"] == "Jean Dupont"
    body = client.get("/v1/accounts/0532013000").json()
    assert body["iban"] == IBAN_DEBTOR
    assert body["customer"]["kind"] == "business"
    assert client.get("/v1/accounts/DE00000000000000000000").json()["error"]["code"] == "account_not_found"
    assert client.get("/v1/accounts/%3Cscript%3E").json()["error"]["code"] == "invalid_account"


@pytest.mark.parametrize(
    ("name", "result"),
    [
        ("Jean Dupont", "match"),
        ("DUPONT JEAN", "match"),
        ("Mr. Jean Dupont", "match"),
        ("Jean Dupond", "close_match"),
        ("Acme Holdings", "no_match"),
    ],
)
def test_verify_payee(client: TestClient, name: str, result: str) -> None:
    body = client.post("/v1/accounts/verify-payee", json={"account": IBAN_CREDITOR, "name": name}).json()
    assert body["result"] == result
    assert (body["registered_name"] == "Jean Dupont") == (result == "close_match")


def test_verify_payee_bad_input(client: TestClient) -> None:
    res = client.post("/v1/accounts/verify-payee", json={"account": IBAN_CREDITOR, "name": "x" * 141})
    assert res.status_code == 422 and res.json()["error"]["code"] == "validation_error"
    res = client.post("/v1/accounts/verify-payee", json={"account": 123, "name": ["a"]})
    assert res.status_code == 422
    res = client.post(
        "/v1/accounts/verify-payee", content=b"not json", headers={"content-type": "application/json"}
    )
    assert res.status_code == 422


def test_duplicates(client: TestClient) -> None:
    body = client.get("/v1/payments/PAY-00000001/duplicates").json()
    ids = [c["payment"]["id"] for c in body["candidates"]]
    assert "PAY-00000004" in ids
    first = body["candidates"][0]
    assert first["hours_apart"] == 2.0 and 0.9 < first["similarity"] <= 1.0
    narrow = client.get("/v1/payments/PAY-00000001/duplicates", params={"days": 0}).json()
    assert narrow["candidates"] == []
    assert client.get("/v1/payments/PAY-00000001/duplicates", params={"days": 99}).status_code == 422


def test_cases_and_risk(client: TestClient) -> None:
    body = client.get(f"/v1/payments/{UETR_STUCK}/cases").json()
    assert body["open"] == 1 and body["cases"][0]["id"] == "CASE-000001"
    risk = client.get("/v1/payments/PAY-00000001/risk").json()
    assert risk["scored"] is True and risk["flags"] == ["first payment to this creditor"]
    assert client.get("/v1/payments/PAY-00000002/risk").json()["scored"] is False


def test_calendar_and_sla(client: TestClient) -> None:
    body = client.get("/v1/calendar", params={"currency": "EUR", "date": "2026-12-25"}).json()
    assert body["is_business_day"] is False
    assert body["next_business_day"] == "2026-12-28"
    late = client.get(
        "/v1/calendar",
        params={"currency": "EUR", "date": "2026-11-20", "received_at": "2026-11-20T17:30:00Z"},
    ).json()
    assert late["value_date"] == "2026-11-23"  # after the 17:00 CET cut-off on a Friday
    sla = client.get(
        "/v1/calendar/sla", params={"case_type": "cancellation_recall", "start": "2026-11-02"}
    ).json()
    assert {d["name"]: d["due_date"] for d in sla["due"]}["recall_window"] == "2026-11-16"
    assert client.get("/v1/calendar", params={"currency": "XYZ", "date": "2026-11-02"}).json()["error"][
        "code"
    ] == ("unsupported_currency")
    assert client.get("/v1/calendar", params={"currency": "EUR", "date": "2026-13-45"}).status_code == 422
    assert (
        client.get("/v1/calendar/sla", params={"case_type": "nope", "start": "2026-11-02"}).status_code == 422
    )


def test_fx(client: TestClient) -> None:
    assert (
        client.get("/v1/fx", params={"base": "EUR", "quote": "USD", "date": "2026-11-05"}).json()["rate"]
        == 1.09
    )
    inverse = client.get("/v1/fx", params={"base": "USD", "quote": "EUR", "date": "2026-11-02"}).json()
    assert inverse["rate"] == pytest.approx(1 / 1.08)
    res = client.get("/v1/fx", params={"base": "EUR", "quote": "USD", "date": "2020-01-01"})
    assert res.status_code == 404 and res.json()["error"]["code"] == "fx_rate_not_found"


def test_compensation(client: TestClient) -> None:
    params = {"corrected_value_date": "2026-10-27", "annual_rate": "0.036"}
    body = client.get("/v1/payments/PAY-00000001/compensation", params=params).json()
    # 1500.00 x 3.6% x 6 days / 360 = 0.90
    assert body == body | {"days": 6, "day_count_basis": 360, "interest": "0.90", "currency": "EUR"}
    assert client.get("/v1/payments/PAY-00000002/compensation", params=params).json()["error"]["code"] == (
        "payment_not_settled"
    )
    bad = client.get(
        "/v1/payments/PAY-00000001/compensation",
        params={"corrected_value_date": "2026-10-27", "annual_rate": "-1"},
    )
    assert bad.status_code == 422


def test_bearer_token(settings: Settings, engine) -> None:  # type: ignore[no-untyped-def]
    secured = settings.model_copy(update={"payments_api_token": "s3cret"})
    with TestClient(create_app(secured, engine=engine)) as c:
        res = c.get("/v1/payments/PAY-00000001")
        assert res.status_code == 401 and res.json()["error"]["code"] == "unauthorized"
        ok = c.get("/v1/payments/PAY-00000001", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert c.get("/openapi.json").status_code == 401
        assert c.get("/healthz").status_code == 200
    # Mounted under a prefix (as app.server does) the token is still required.
    from fastapi import FastAPI

    outer = FastAPI()
    outer.mount("/payments-api", create_app(secured, engine=engine))
    with TestClient(outer) as c:
        assert c.get("/payments-api/v1/payments/PAY-00000001").status_code == 401
        ok = c.get("/payments-api/v1/payments/PAY-00000001", headers={"Authorization": "Bearer s3cret"})
        assert ok.json()["id"] == "PAY-00000001"


def test_unknown_route_and_method_use_the_error_shape(client: TestClient) -> None:
    assert client.get("/v1/nothing").json()["error"]["code"] == "not_found"
    assert client.delete("/v1/payments/PAY-00000001").json()["error"]["code"] == "method_not_allowed"


@pytest.mark.parametrize(
    "url",
    [
        "/v1/calendar?currency=EUR&date=9999-12-31",
        "/v1/calendar?currency=EUR&date=2026-11-20&received_at=9999-12-31T23:59:59",
        "/v1/calendar/sla?case_type=fraud_recall&start=9999-12-01",
        "/v1/fx?base=EUR&quote=USD&date=0001-01-01",
        "/v1/payments/PAY-00000001/compensation?corrected_value_date=9999-12-31",
    ],
)
def test_dates_out_of_range(client: TestClient, url: str) -> None:
    res = client.get(url)
    assert res.status_code == 400 and res.json()["error"]["code"] == "date_out_of_range"
