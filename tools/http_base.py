"""The async HTTP client every payment-system client builds on: auth, JSON, typed errors."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from tools.errors import UpstreamUnavailable, error_from_response


def segment(value: str) -> str:
    """Quote one path segment so untrusted text cannot change the route (``../``, ``?``, ``#``)."""
    return quote(str(value).strip(), safe="")


class ApiClient:
    """Base of the typed clients: constructed with ``(base_url, *, token=None, transport=None)``."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._owns_client = client is None
        self._http = client or httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, transport=transport, timeout=timeout
        )

    async def aclose(self) -> None:
        """Close the connection pool when this client created it."""
        if self._owns_client:
            await self._http.aclose()

    async def _request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:  # fmt: skip
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            res = await self._http.request(method, path, params=clean or None, json=json, headers=headers)
        except httpx.TimeoutException as exc:
            raise UpstreamUnavailable(f"payments API timed out: {type(exc).__name__}") from exc
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(f"payments API unreachable: {type(exc).__name__}") from exc
        try:
            body = res.json()
        except ValueError:
            body = None
        if res.status_code >= 400:
            raise error_from_response(res.status_code, body)
        if body is None:
            raise UpstreamUnavailable(f"payments API answered {res.status_code} without JSON")
        return body

    async def _get(self, path: str, **params: Any) -> Any:
        return await self._request("GET", path, params=params)

    async def _post(self, path: str, json: Any, headers: dict[str, str] | None = None) -> Any:
        return await self._request("POST", path, json=json, headers=headers)
