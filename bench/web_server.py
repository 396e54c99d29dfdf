"""The web app the ``bench web`` load test drives: the real app, AgentService and payments API on a seeded
sandbox database, with the zero-latency scripted model and a fixed SOP retriever (no index, no LLM).

Usage: ``python -m bench.web_server PORT DATA_DIR LIFETIME_S``. Rate limits are off (the load is the point);
the process exits by itself after ``LIFETIME_S`` even when its parent never stops it.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

BENCH_PAYMENTS = 300  # plus every named scenario (the questions' payments)
SOP_HITS = (
    ("SOP-002", "3", "If the tracker shows ACSP/G002 at an intermediary, send camt.110 CCNR."),
    ("SOP-004", "2", "Recall a duplicate with camt.056 reason DUPL after confirming the duplicate."),
    (
        "SOP-015",
        "4",
        "Approvals follow the four-eyes principle; amounts above the limit need a second approver.",
    ),
)


class FixedRetriever:
    """The same few SOP sections for every query (retrieval is benchmarked by ``bench retrieval``)."""

    def __init__(self) -> None:
        self.hits = [
            {
                "chunk_id": f"{sop}#{section}",
                "citation": f"{sop} §{section}",
                "sop_id": sop,
                "section": section,
                "section_title": "Steps",
                "title": sop,
                "version": "1.0",
                "score": 1.0,
                "text": text,
                "case_types": [],
            }
            for sop, section, text in SOP_HITS
        ]

    def search(self, query: str, k: int = 5, case_type: Any = None, include_superseded: bool = False) -> list:
        return self.hits[:k]

    def get_section(self, sop_id: str, section: str) -> dict[str, Any] | None:
        return next((h for h in self.hits if h["sop_id"] == sop_id and h["section"] == section), None)


def build_app(data_dir: Path) -> Any:
    """Seed the payments database and the demo users; the app with the scripted agent service."""
    from agent.config import AgentConfig
    from agent.service import AgentService
    from app.server import create_app
    from bench.scripted_model import BenchChatModel
    from core.settings import Settings
    from sandbox.generator import seed_database
    from sandbox.schema import get_payments_engine

    settings = Settings(data_dir=data_dir, login_rate_limit=0, turn_rate_limit=0)
    seed_database(get_payments_engine(settings.payments_db_url), payments=BENCH_PAYMENTS, seed=settings.seed)
    app = create_app(settings, retriever=FixedRetriever(), mount_sandbox=True, start_agent=False)
    app.state.users.ensure_demo_users()
    app.state.agent_service = AgentService(
        settings,
        chat_model=BenchChatModel(),
        systems=app.state.payment_systems,
        retriever=app.state.retriever,
        audit=app.state.audit,
        config=AgentConfig(classifier="llm", max_iterations=settings.max_plan_iterations),
    )
    app.state.agent_error = None
    return app


async def _recover(service: Any) -> None:
    """What the app's start-up does for a service it builds: resume approved work a crash left behind."""
    try:
        await service.recover()
    finally:
        await service.aclose()  # its checkpointer belongs to this loop; the server's loop opens its own


def main(port: int, data_dir: Path, lifetime_s: float) -> None:
    import asyncio

    import uvicorn

    threading.Timer(lifetime_s, lambda: os._exit(0)).start()
    app = build_app(data_dir)
    asyncio.run(_recover(app.state.agent_service))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]))
