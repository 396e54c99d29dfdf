"""Client of accounts and Verification of Payee."""

from __future__ import annotations

from tools.http_base import ApiClient, segment
from tools.models import Account, PayeeVerification


class AccountsClient(ApiClient):
    """Typed async client of ``/v1/accounts``."""

    async def get_account(self, account: str) -> Account:
        """An account by IBAN or account number."""
        return Account.model_validate(await self._get(f"/v1/accounts/{segment(account)}"))

    async def verify_payee(self, account: str, name: str) -> PayeeVerification:
        """``match`` / ``close_match`` / ``no_match`` for an account and a payee name."""
        body = await self._post("/v1/accounts/verify-payee", {"account": account, "name": name})
        return PayeeVerification.model_validate(body)
