"""Operations views for admins: the drift monitor (the same report as ``payinvest monitor report``)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.auth import Admin
from app.errors import ApiError
from app.routes.deps import jsonable
from app.schemas import MonitorOut

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/monitor", response_model=MonitorOut)
def monitor(
    _admin: Admin,
    request: Request,
    since: str = Query("24h", max_length=40, description="30m, 24h, 7d or an ISO 8601 time."),
    format: str = Query("json", pattern="^(json|html)$"),
) -> dict | Response:
    """Drift of the turns since ``since`` against the serving release's evaluation (PSI per signal)."""
    from evals.monitor import MonitorError, monitor_report, parse_since, render_html

    try:
        report = monitor_report(request.app.state.engine, parse_since(since))
    except MonitorError as exc:
        raise ApiError(409, "no_reference", str(exc)) from None
    except ValueError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    if format == "html":
        # The page is self-contained: inline styles for its bars, no script at all.
        policy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        return HTMLResponse(
            render_html(report), headers={"Cache-Control": "no-store", "Content-Security-Policy": policy}
        )
    return {"monitor": jsonable(report)}
