"""One error tree: every area's typed errors derive from core.errors.PayinvestError; ApiError exists once."""

from __future__ import annotations

import pytest

import app.errors
import sandbox.routes_common
from agent.errors import AgentError, FourEyesViolation
from app.evidence import ExportRefused
from core.errors import ApiError, PayinvestError, as_api_error
from core.users import UserError, UserNotFound
from retrieval.errors import IndexNotBuilt, RetrievalError
from tools.errors import PaymentNotFound, ToolError, error_from_response


@pytest.mark.parametrize("base", [ToolError, AgentError, RetrievalError, UserError, ApiError, ExportRefused])
def test_every_area_error_is_a_payinvest_error(base: type[Exception]) -> None:
    assert issubclass(base, PayinvestError)


def test_api_error_is_defined_once() -> None:
    assert app.errors.ApiError is sandbox.routes_common.ApiError is ApiError


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (FourEyesViolation("you cannot approve your own proposal"), 403, "four_eyes_violation"),
        (UserNotFound("no user x"), 404, "user_not_found"),
        (
            error_from_response(404, {"error": {"code": "payment_not_found", "message": "no"}}),
            400,
            "payment_not_found",
        ),
        (IndexNotBuilt("chroma"), 400, "index_not_built"),
        (ApiError(423, "llm_disabled", "off"), 423, "llm_disabled"),
    ],
)
def test_typed_errors_map_to_their_status_and_code(exc: PayinvestError, status: int, code: str) -> None:
    mapped = as_api_error(exc)
    assert mapped is not None and (mapped.status, mapped.code) == (status, code)
    assert mapped.to_dict() == {"code": code, "message": exc.message}


def test_untyped_errors_are_not_mapped() -> None:
    assert as_api_error(RuntimeError("boom")) is None


def test_tool_errors_keep_the_upstream_status_and_code() -> None:
    exc = error_from_response(404, {"error": {"code": "payment_not_found", "message": "no such payment"}})
    assert (
        isinstance(exc, PaymentNotFound)
        and exc.status == 404
        and exc.as_dict()["error"]["code"] == "payment_not_found"
    )
