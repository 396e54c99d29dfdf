"""Property-based run over the OpenAPI schema: no input may produce a 5xx (bounded examples, marked slow)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import response_schema_conformance

from core.settings import Settings
from sandbox.api import create_app
from tests.approvals import api_headers
from tests.sandbox_api.factories import small_engine

_TMP = Path(tempfile.mkdtemp(prefix="payinvest-schemathesis-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
_SETTINGS = Settings(data_dir=_TMP / "data")
APP = create_app(_SETTINGS, engine=small_engine(str(_TMP / "payments.db")))
AUTH = api_headers(_SETTINGS)  # the app's bearer token; writes still need a signed approval (401/428)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, headers=AUTH)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call(headers=AUTH)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    else:  # the routes declare the tools contract models: a 2xx body must match the OpenAPI document
        case.validate_response(response, checks=[response_schema_conformance])
