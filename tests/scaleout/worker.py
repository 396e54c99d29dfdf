"""Launch one app worker (real create_app, real AgentService on the scripted chat model) as its own process.

Usage: ``python -m tests.scaleout.worker PORT`` with the ``PAYINVEST_*`` environment of the worker. The process
stops by itself after ``SCALEOUT_WORKER_TTL`` seconds (default 120) or when its parent process goes away.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def build_app(worker: str) -> Any:
    """The web app of one worker: nothing shared with other workers but the databases in the settings."""
    from agent.service import AgentService
    from app.server import create_app
    from core.settings import Settings
    from tests.agent.conftest import sample_hits
    from tests.agent.fakes import ScriptedChatModel, default_script
    from tests.app.fakes import fast_hasher
    from tests.app.real_agent import SectionRetriever
    from tests.sandbox_api.factories import sandbox_systems

    settings = Settings()
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    app.state.users.hasher = fast_hasher()
    systems = sandbox_systems(settings)
    model = ScriptedChatModel(
        script=default_script(answer=f"Held at the intermediary with G002 [E2] per [SOP-002 §3] ({worker}).")
    )
    retriever: Any = SectionRetriever(sample_hits())
    if settings.chroma_url:  # the real SOP index: dense vectors on Chroma's server, BM25 files in data_dir
        from retrieval.search import open_retriever
        from tests.scaleout.embedder import ProjectionEmbedder

        retriever = open_retriever(settings, embedder=ProjectionEmbedder())
    service = AgentService(
        settings,
        chat_model=model,
        systems=systems,
        retriever=retriever,
        audit=app.state.audit,
    )
    app.state.agent_service, app.state.payment_systems, app.state.retriever = service, systems, retriever
    app.state.agent_error = None
    app.state.worker_name = worker

    @app.get("/api/scaleout/whoami", include_in_schema=False)
    def whoami() -> dict[str, Any]:
        return {
            "worker": worker,
            "pid": os.getpid(),
            "retriever": type(retriever).__name__,
            "payments_api_url": settings.payments_api_url,
        }

    return app


def _watchdog(server: Any, ttl: float, parent: int) -> None:
    """Ask uvicorn to exit when the time is up or the test process that started us is gone."""
    deadline = time.monotonic() + ttl
    while not server.should_exit:
        if time.monotonic() > deadline or os.getppid() != parent:
            server.should_exit = True
            return
        time.sleep(0.5)


def main(argv: list[str]) -> int:
    """Serve one worker on 127.0.0.1:PORT until stopped."""
    import uvicorn

    port = int(argv[1])
    worker = os.environ.get("SCALEOUT_WORKER_NAME", f"worker-{port}")
    app = build_app(worker)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    ttl = float(os.environ.get("SCALEOUT_WORKER_TTL", "120"))
    threading.Thread(target=_watchdog, args=(server, ttl, os.getppid()), daemon=True).start()
    server.run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
