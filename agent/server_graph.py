"""The graph the LangGraph server loads (``langgraph.json``: ``langgraph dev``, Studio, ``langgraph-sdk``).

The server passes no live objects, so the factory builds the run's dependencies from ``Settings`` (the
environment, ``PAYINVEST_*``) through the same AgentService the web app uses; the server brings its own
checkpointer. Decisions arrive as LangChain HITL responses and pass the approval rules inside the graph
(agent.nodes.approval) and are recorded in the audit log with the submission and any refusal; the turn's
other events and the web app's conversation list are not written on this path.
"""

from __future__ import annotations

from typing import Any

from langchain_core.runnables import RunnableConfig

from agent.graph import build_graph
from agent.service import AgentService
from core.settings import Settings

_services: dict[str, AgentService] = {}  # one per server process, built on the first run (never at import)


def server_service(settings: Settings | None = None) -> AgentService:
    """The process's AgentService, built from ``settings`` (default: the environment) on first use."""
    if "service" not in _services:
        from core.audit_anchor import open_audit_log

        settings = settings or Settings()
        _services["service"] = AgentService(settings, audit=open_audit_log(settings))
    return _services["service"]


def make_graph(config: RunnableConfig | None = None) -> Any:
    """The compiled graph for one server run, with dependencies read now (kill switches, serving model)."""
    context = server_service().run_context(index_required=False)
    return build_graph(context).compile()
