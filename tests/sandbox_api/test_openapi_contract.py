"""The payments API's OpenAPI document is the tools contract: each read route answers a tools.models model."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tools import models

ROUTES = [
    ("get", "/v1/payments", models.PaymentSearch),
    ("get", "/v1/payments/{reference}", models.Payment),
    ("get", "/v1/payments/{reference}/tracker", models.Tracker),
    ("get", "/v1/payments/{reference}/screening", models.Screening),
    ("get", "/v1/payments/{reference}/duplicates", models.Duplicates),
    ("get", "/v1/payments/{reference}/cases", models.Cases),
    ("get", "/v1/payments/{reference}/risk", models.RiskSignals),
    ("get", "/v1/payments/{reference}/compensation", models.Compensation),
    ("get", "/v1/accounts/{account}", models.Account),
    ("post", "/v1/accounts/verify-payee", models.PayeeVerification),
    ("get", "/v1/calendar", models.CalendarInfo),
    ("get", "/v1/calendar/sla", models.SlaDueDates),
    ("get", "/v1/fx", models.FxRate),
    ("get", "/v1/actions/{action_id}", models.ActionResult),
    ("post", "/v1/actions/recall/draft", models.ActionDraft),
    ("post", "/v1/actions/recall", models.ActionResult),
]


@pytest.mark.parametrize(("method", "path", "model"), ROUTES)
def test_route_declares_the_contract_model(client: TestClient, method: str, path: str, model: type) -> None:
    document = client.get("/openapi.json").json()
    schema = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": f"#/components/schemas/{model.__name__}"}
    declared = document["components"]["schemas"][model.__name__]
    assert set(declared["required"]) == {n for n, f in model.model_fields.items() if f.is_required()}


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/v1/payments/PAY-00000002/tracker", models.Tracker),
        ("/v1/payments?currency=EUR", models.PaymentSearch),
        ("/v1/calendar/sla?case_type=claim_non_receipt&start=2026-11-02&currency=EUR", models.SlaDueDates),
    ],
)
def test_bodies_keep_every_field_the_api_sends(client: TestClient, path: str, model: type) -> None:
    body = client.get(path).json()
    assert model.model_validate(body).model_dump(mode="json", exclude_unset=True) == body
