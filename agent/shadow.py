"""Shadow champion-challenger: a share of new conversations' first turns also run on a challenger release.

The challenger is a registered release (``payinvest release register``, ``PAYINVEST_SHADOW_RELEASE``): its eval
report's agent configuration and prompt versions, on the serving model and the same read tools. Its run is
invisible and inert: its own in-memory checkpointer and thread, a proposals store that keeps nothing, no audit
sink or metrics for its events, actions switched off, and the graph stopped before ``approval`` (so nothing is
submitted and nothing can be executed). When it ends, one ``shadow_turn`` audit event records both sides with
their release ids (case type, proposals, latency, the challenger's answer); ``payinvest monitor report``
compares them (evals.shadow_report). Only first turns are shadowed: the challenger sees the message alone,
so a follow-up would be compared without the conversation it follows."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

import structlog
from langchain_core.messages import HumanMessage

from agent.config import AgentConfig
from agent.context import AgentContext
from agent.results import TurnResult, result_from_state
from core.releases import Release, ReleaseStore
from core.settings import Settings
from core.tasks import drain_tasks

log = structlog.get_logger("payinvest.shadow")
SHADOW_EVENT = "shadow_turn"
DRAIN_TIMEOUT_S = 30.0


class ShadowStore:
    """The proposals store of a shadow run: proposals stay in this object; any other store call is refused."""

    def __init__(self) -> None:
        self.proposals: dict[str, dict[str, Any]] = {}

    def add_proposal(self, proposal: dict[str, Any]) -> bool:
        self.proposals[str(proposal["id"])] = proposal
        return True

    def get_proposal(self, proposal_id: str) -> dict[str, Any] | None:
        return self.proposals.get(proposal_id)

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(f"a shadow run may not call the proposals store's {name}")


def routed(thread_id: str, share: float) -> bool:
    """Whether a conversation is shadowed: a stable hash of its id below ``share`` (reproducible, no RNG)."""
    if share <= 0:
        return False
    bucket = int(hashlib.sha256(thread_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return bucket < share


def challenger_config(release: Release, base: AgentConfig) -> AgentConfig:
    """The agent configuration the challenger's eval ran with: its report's ``config`` (agent fields, retrieval
    k) and the manifest's prompt versions, over ``base`` for what they do not say."""
    try:
        report = json.loads(Path(release.report_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {}
    config = report.get("config") or {} if isinstance(report, dict) else {}
    data = base.model_dump()
    data.update({k: v for k, v in (config.get("agent") or {}).items() if k in AgentConfig.model_fields})
    k = (config.get("retrieval") or {}).get("k")
    if k:
        data["retrieval_k"] = k
    versions = {**(release.manifest.get("prompt_versions") or {}), **(config.get("prompt_versions") or {})}
    data["prompt_versions"] = {**base.prompt_versions, **versions}
    return AgentConfig.model_validate(data)


def side(result: TurnResult | dict[str, Any], release_id: str | None) -> dict[str, Any]:
    """What the comparison needs of one side's turn."""
    record = result.model_dump(mode="json") if isinstance(result, TurnResult) else result
    return {
        "release_id": release_id,
        "status": record.get("status"),
        "case_type": record.get("case_type"),
        "proposals": sorted(
            f"{p.get('kind')}:{p.get('reason_code') or ''}" for p in record.get("proposals") or []
        ),
        "latency_ms": record.get("latency_ms"),
        "unsupported_claims": int(record.get("unsupported_claims") or 0),
        "llm_failures": sum(1 for c in record.get("llm_calls") or [] if not c.get("ok")),
    }


class ShadowRunner:
    """Runs the challenger in the background after a champion turn and audits the pair."""

    def __init__(self, release: Release, config: AgentConfig, *, share: float, audit: Any) -> None:
        self.release = release
        self.config = config
        self.share = share
        self.audit = audit  # core.audit.AuditLog (None: the pair is only logged)
        self._graph: Any = None
        self._tasks: set[asyncio.Task[dict[str, Any]]] = set()

    @classmethod
    def from_settings(
        cls, settings: Settings, engine: Any, base: AgentConfig, audit: Any
    ) -> ShadowRunner | None:
        """The runner of ``settings.shadow_release`` (None when shadowing is off or the release is unknown)."""
        if not settings.shadow_release or settings.shadow_share <= 0:
            return None
        release = ReleaseStore(engine, audit=None).get(settings.shadow_release)
        if release is None:
            log.warning("shadow_release_unknown", release_id=settings.shadow_release)
            return None
        return cls(release, challenger_config(release, base), share=settings.shadow_share, audit=audit)

    def _ready(self) -> Any:
        if self._graph is None:
            from langgraph.checkpoint.memory import InMemorySaver

            from agent.graph import build_graph

            self._graph = build_graph().compile(checkpointer=InMemorySaver(), interrupt_before=["approval"])
        return self._graph

    def start(
        self,
        *,
        context: AgentContext,
        message: str,
        chosen: str | None,
        champion: TurnResult,
        champion_release: str | None,
    ) -> asyncio.Task[dict[str, Any]] | None:
        """Shadow ``champion``'s turn when its conversation is routed (first turns only); returns the task."""
        if champion.turn != 1 or not routed(champion.thread_id, self.share):
            return None
        task = asyncio.create_task(
            self.run(context, message, chosen, champion, champion_release),
            name=f"shadow-{champion.thread_id}",
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def run(
        self,
        context: AgentContext,
        message: str,
        chosen: str | None,
        champion: TurnResult,
        champion_release: str | None,
    ) -> dict[str, Any]:
        """One challenger run of ``message``; the audited pair (an error on the challenger's side is recorded)."""
        store = ShadowStore()
        ctx = dataclasses.replace(
            context,
            config=self.config,
            store=store,
            audit=None,
            approvals=None,
            actions_enabled=lambda: False,
        )
        thread = f"shadow-{uuid.uuid4().hex[:16]}"
        cfg = {"configurable": {"thread_id": thread}}
        graph_input = {
            "messages": [HumanMessage(content=message)],
            "message": message,
            "user": champion.user,
            "thread_id": thread,
            "turn": 1,
            "chosen_case_type": chosen,
        }
        started = time.perf_counter()
        challenger: dict[str, Any]
        try:
            graph = self._ready()
            async for _ in graph.astream(graph_input, cfg, context=ctx, stream_mode="custom"):
                pass  # the challenger's events reach no one
            snapshot = await graph.aget_state(cfg)
            result = result_from_state(
                snapshot.values or {},
                status="awaiting_approval"
                if snapshot.next
                else (snapshot.values or {}).get("status", "answered"),
                proposals=list(store.proposals.values()),
                prompt_versions=dict(self.config.prompt_versions),
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            challenger = {**side(result, self.release.id), "answer": result.answer}
        except Exception as exc:  # a failing challenger never touches the champion's turn
            log.warning("shadow_failed", error=f"{type(exc).__name__}: {exc}"[:200])
            challenger = {"release_id": self.release.id, "error": f"{type(exc).__name__}: {exc}"[:300]}
        payload: dict[str, Any] = {
            "thread_id": champion.thread_id,
            "turn": champion.turn,
            "champion": side(champion, champion_release),
            "challenger": challenger,
        }
        if self.audit is not None:
            self.audit.append(
                SHADOW_EVENT, actor="system", conversation_id=champion.thread_id, payload=payload
            )
        log.info(
            "shadow_turn",
            challenger=self.release.id,
            agree_case_type=payload["champion"]["case_type"] == challenger.get("case_type"),
            agree_proposals=payload["champion"]["proposals"] == challenger.get("proposals"),
        )
        return payload

    async def drain(self, timeout: float = DRAIN_TIMEOUT_S) -> None:
        """Let running shadow runs finish (then cancel what is left after ``timeout``)."""
        await drain_tasks(list(self._tasks), timeout)
