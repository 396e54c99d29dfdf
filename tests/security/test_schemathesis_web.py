"""Property-based run over the web app's OpenAPI as each role (session cookie + CSRF header): no input may
produce a 5xx, errors are the one JSON shape, 2xx bodies match the document (bounded, derandomised, slow).

The payments API has its own run (tests/sandbox_api/test_schemathesis.py). Logout is left out (it would end
the role's session for the rest of the run); everything else, admin writes included, is fuzzed.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import response_schema_conformance

from app.server import create_app
from core.errors import ApiError
from core.settings import Settings
from tests.app.conftest import ROLES_USERS, login
from tests.app.fakes import FakeAgentService, FakeRetriever, fast_hasher

_TMP = Path(tempfile.mkdtemp(prefix="payinvest-schemathesis-web-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
# limits off: the run is about inputs, and 429 would stop it from reaching the routes
_SETTINGS = Settings(data_dir=_TMP / "data", login_rate_limit=0, turn_rate_limit=0)
APP = create_app(_SETTINGS, retriever=FakeRetriever(), mount_sandbox=False, start_agent=False)
APP.state.agent_service = FakeAgentService(audit=APP.state.audit, conversations=APP.state.conversations)
APP.state.users.hasher = fast_hasher()
APP.state.users.ensure_demo_users()


async def _no_payment(name: str, args: dict) -> dict:
    """The case panel's reads against payment systems that know no payment (the app here has no sandbox)."""
    raise ApiError(404, "payment_not_found", f"{name}: no payment {args.get('reference')!r}")


APP.state.case_reader = _no_payment


def _role_headers() -> dict[str, dict[str, str]]:
    headers = {}
    for role, username in ROLES_USERS.items():
        client = login(TestClient(APP), username)
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
        headers[role] = {"Cookie": cookie, "X-CSRF-Token": client.headers["X-CSRF-Token"]}
    return headers


HEADERS = _role_headers()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path="/api/auth/logout")


@pytest.mark.slow
@pytest.mark.parametrize("role", list(ROLES_USERS))
@schema.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_as_any_role(case: schemathesis.Case, role: str) -> None:
    response = case.call(headers=HEADERS[role])
    if case.path == "/api/health/ready" and response.status_code == 503:
        return  # the readiness probe's documented answer here: no payments database, no agent service
    assert response.status_code < 500, f"{role} {case.method} {case.formatted_path}: {response.text[:300]}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    elif "application/json" in str(response.headers.get("content-type")):
        case.validate_response(response, checks=[response_schema_conformance])
