"""Account routes: lookup by IBAN or account number, and Verification of Payee."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, StringConstraints

from sandbox.queries_accounts import account_view, verify_payee
from sandbox.routes_common import EngineDep
from tools.models import Account, Clean, PayeeVerification

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


class VerifyPayeeRequest(BaseModel):
    """An account and the payee name the payer typed."""

    model_config = ConfigDict(extra="forbid")

    account: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=42)]
    name: Annotated[str, Clean, StringConstraints(strip_whitespace=True, min_length=1, max_length=140)]


@router.get(
    "/{account}",
    summary="An account by IBAN or account number",
    response_model=Account,
    response_model_exclude_unset=True,
)
def get_account(account: str, engine: EngineDep) -> dict[str, Any]:
    """The account, its holder and its bank (nothing masked: the agent layer pseudonymises)."""
    with engine.connect() as conn:
        return account_view(conn, account)


@router.post(
    "/verify-payee",
    summary="Verification of Payee",
    response_model=PayeeVerification,
    response_model_exclude_unset=True,
)
def post_verify_payee(body: VerifyPayeeRequest, engine: EngineDep) -> dict[str, Any]:
    """``match`` / ``close_match`` (with the registered name) / ``no_match`` for an account and a name."""
    with engine.connect() as conn:
        return verify_payee(conn, body.account, body.name)
