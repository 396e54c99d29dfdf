"""``/metrics``: the Prometheus exposition of ``core.metrics`` plus gauges read from the shared database.

On the app port it is for admins only (session cookie). ``PAYINVEST_METRICS_BIND`` starts a second listener
without login on another address, for a scraper on an internal network (docs/operations.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from agent.store import proposals
from app.auth import Admin
from core.controls import read_controls
from core.metrics import REGISTRY

log = structlog.get_logger("payinvest.metrics")
router = APIRouter(tags=["operations"])


class DatabaseCollector(Collector):
    """Proposals by kind and status and the kill switches, read from the app database at scrape time (every
    worker reports the same shared numbers: do not sum these across workers, take max)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = GaugeMetricFamily(
            "payinvest_proposals",
            "Proposals in the app database by kind and status.",
            labels=["kind", "status"],
        )
        switches = GaugeMetricFamily(
            "payinvest_kill_switch_enabled",
            "1 when the function is enabled, 0 when an administrator switched it off.",
            labels=["switch"],
        )
        up = GaugeMetricFamily("payinvest_app_database_up", "1 when the app database answered this scrape.")
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(proposals.c.kind, proposals.c.status, func.count()).group_by(
                        proposals.c.kind, proposals.c.status
                    )
                ).all()
            controls = read_controls(self.engine)
        except Exception as exc:  # a scrape must still answer: the database being down is itself the signal
            log.warning("metrics_database_unavailable", error=f"{type(exc).__name__}: {exc}"[:200])
            up.add_metric([], 0)
            yield up
            return
        for kind, status, count in rows:
            counts.add_metric([kind, status], count)
        switches.add_metric(["actions"], int(controls.actions_enabled))
        switches.add_metric(["llm"], int(controls.llm_enabled))
        up.add_metric([], 1)
        yield from (counts, switches, up)


class _ProcessRegistry(Collector):
    """Forwards the process-wide registry into an app's own registry."""

    def collect(self) -> Iterator[Any]:
        yield from REGISTRY.collect()


def app_registry(engine: Engine) -> CollectorRegistry:
    """The registry one app serves: the process's families and its database's gauges."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_ProcessRegistry())
    registry.register(DatabaseCollector(engine))
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(_admin: Admin, request: Request) -> Response:
    """Prometheus text format; admins only on the app port."""
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST)


def parse_bind(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:9464`` for IPv6) as a pair; ValueError with a clear message otherwise."""
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"PAYINVEST_METRICS_BIND must be HOST:PORT, got {value!r}")
    return host.strip("[]"), int(port)


def start_metrics_listener(bind: str, registry: CollectorRegistry) -> Any:
    """Serve the registry at ``http://HOST:PORT/metrics`` in a daemon thread; returns the server."""
    host, port = parse_bind(bind)
    server, _thread = start_http_server(port, addr=host, registry=registry)
    log.info("metrics_listener", address=f"{host}:{server.server_port}")
    return server
