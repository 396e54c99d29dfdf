"""AgentService: the one door to the agent for the web app, the CLI and the evals (docs/architecture.md)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import structlog
from langchain_core.messages import HumanMessage
from langgraph.types import Command

from agent.approvals import queue_view
from agent.case_choice import check_case_type, record_choice
from agent.config import AgentConfig
from agent.context import AgentContext
from agent.deciding import apply_decisions, parse_decisions
from agent.errors import (
    AgentError,
    NotAuthorised,
    NothingToSubmit,
    ServiceNotReady,
    ThreadAwaitingApproval,
    ThreadNotFound,
    TurnFailed,
)
from agent.faults import fault_point
from agent.proposals import FINAL_STATUSES, PENDING_STATUSES
from agent.recovery import discard_unsaved, fail_stranded
from agent.results import TurnResult, result_from_state
from agent.service_support import AuditSink, Dependencies, check_message
from agent.shadow import ShadowRunner
from agent.store import AgentStore
from agent.telemetry import TimedRetriever, TurnSpans, observe_findings, observe_turn
from core.conversations import ConversationRepository
from core.errors import DATABASE_DOWN, DatabaseUnavailable, database_down
from core.identity import Principal
from core.releases import ServingRelease
from core.settings import Settings

log = structlog.get_logger("payinvest.agent")
_OUTCOME_FIELDS = ("status", "answer", "decisions", "executions", "latency_ms", "release_id")
_PROPOSAL_FIELDS = (
    "id",
    "status",
    "args",
    "reason_code",
    "message_type",
    "iso_xml",
    "requested_by",
    "decided_by",
    "reason",
    "idempotency_key",
    "result",
)


class AgentService:
    """Runs turns, submissions and decisions on checkpointed threads; keeps no state another worker needs."""

    def __init__(
        self,
        settings: Settings,
        chat_model: Any = None,
        systems: Any = None,
        retriever: Any = None,
        audit: Any = None,
        config: AgentConfig | None = None,
        classifier: Any = None,
        shadow: ShadowRunner | None = None,
    ) -> None:
        self.settings = settings
        self._classifier = classifier  # agent.case_typing.TextClassifier; loaded on first use when None
        self.config = config or AgentConfig(max_iterations=settings.max_plan_iterations)
        self.deps = Dependencies(settings, chat_model=chat_model, systems=systems, retriever=retriever)
        self.audit = AuditSink(audit)
        self.store = AgentStore(self.deps.app_engine)
        self.conversation_store = ConversationRepository(self.deps.app_engine)
        from core.approval_tokens import signer_from_settings

        self._approvals = signer_from_settings(settings)
        from core.users import UserStore

        self._users = UserStore(self.deps.app_engine)
        self._serving = ServingRelease(self.deps.app_engine)
        # The challenger run in shadow on a share of first turns (agent.shadow): the served app passes one.
        self.shadow = shadow
        self._stack = contextlib.AsyncExitStack()
        self._graph: Any = None

    async def _ready(self) -> Any:
        if self._graph is None:
            from agent.checkpoint import open_checkpointer
            from agent.graph import compile_graph

            self._graph = compile_graph(await open_checkpointer(self.settings, self._stack))
        return self._graph

    async def start(self) -> None:
        """Open the checkpointer, recover approved work a crash left unexecuted and warm the embedded model's
        prompt cache (the web app calls this at start-up)."""
        await self._ready()
        await self.recover()
        if self.deps.llm_enabled():
            from agent.llm.calls import warm_prompt_cache

            await warm_prompt_cache(self._context())

    async def aclose(self) -> None:
        """Close the checkpointer and the payment systems this service opened (after the shadow runs)."""
        if self.shadow is not None:
            await self.shadow.drain()
        await self._stack.aclose()
        await self.deps.aclose()
        self._graph = None

    def run_context(self, *, index_required: bool = True) -> AgentContext:
        """The run-scoped dependencies of one graph run (agent.server_graph builds the LangGraph server's runs
        with it); ``index_required=False`` runs without procedures when the SOP index is not built."""
        return self._context(index_required=index_required)

    def _context(self, *, index_required: bool = True) -> AgentContext:
        provider, model = self.deps.model_identity()
        port = self.deps.port()  # data and index first: the model is slow to start
        try:
            retriever = self.deps.retriever()
        except ServiceNotReady:
            if index_required:
                raise
            log.warning("sop_index_missing", hint="run `payinvest index build`")
            retriever = None
        llm_on = (
            self.deps.llm_enabled()
        )  # read once per run; the actions switch is re-read right before a write
        return AgentContext(
            chat_model=self.deps.chat_model() if llm_on else None,
            port=port,
            retriever=TimedRetriever(retriever) if retriever is not None else None,
            store=self.store,
            config=self.config,
            provider=provider,
            model_name=model,
            actions_enabled=self.deps.actions_enabled,
            llm_enabled=lambda: llm_on,
            classifier=self.text_classifier(),
            approvals=self._approvals,
            users=self._users,
            audit=self.audit,
            slot_group=self.settings.llm_slot_group,
        )

    def serving_release_id(self) -> str | None:
        """The release serving now (``payinvest release promote|rollback``; re-read every few seconds)."""
        release = self._serving.current()
        return release.id if release else None

    def llm_base_url(self) -> tuple[str, str | None] | None:
        """The OpenAI-compatible base URL and key of the loaded chat model, for the readiness probe (None: not
        loaded yet, or scripted)."""
        model = self.deps.loaded_chat_model()
        base = getattr(model, "openai_api_base", None)
        if not base:
            return None
        key = getattr(model, "openai_api_key", None)
        return base, key.get_secret_value() if key is not None else None

    def llm_provider(self) -> str:
        """The provider recorded with every LLM call ("scripted" for a test model)."""
        return self.deps.model_identity()[0]

    def text_classifier(self) -> Any:
        """The trained case-type classifier (loaded or trained once per service; None when not installed)."""
        if self._classifier is None and self.config.classifier == "trained":
            from agent.case_typing import load_text_classifier

            self._classifier = load_text_classifier(self.settings) or False
        return self._classifier or None

    @staticmethod
    def _cfg(thread_id: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id}}

    async def _run(
        self,
        graph_input: Any,
        thread_id: str,
        actor: str,
        durability: str = "sync",
        spans: TurnSpans | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        graph, ctx = await self._ready(), self._context()
        spans = spans or TurnSpans("agent run", {"payinvest.thread_id": thread_id, "payinvest.actor": actor})
        failure: BaseException | None = None
        try:
            with spans.current():  # the instrumented run, its nodes and their calls nest under it
                async for mode, chunk in graph.astream(
                    graph_input,
                    self._cfg(thread_id),
                    context=ctx,
                    stream_mode=["custom", "updates"],
                    durability=durability,
                ):
                    if mode == "custom":
                        event = chunk
                    elif "__interrupt__" in chunk:
                        value = chunk["__interrupt__"][0].value
                        event = {"type": "approval", "data": {"status": "awaiting_approval", **value}}
                    else:
                        continue
                    self.audit.record(event, actor=actor, thread_id=thread_id)
                    yield event
        except AgentError as exc:
            failure = exc
            raise
        except Exception as exc:  # surface as a typed event; the caller gets a clear error, never a trace
            failure = exc
            if database_down(
                exc
            ):  # the caller's mapper says database_unavailable (auditing it would fail too)
                raise DatabaseUnavailable(DATABASE_DOWN) from exc
            event = {
                "type": "error",
                "data": {"code": "turn_failed", "message": f"{type(exc).__name__}: {exc}"[:300]},
            }
            self.audit.record(event, actor=actor, thread_id=thread_id)
            yield event
            raise TurnFailed(event["data"]["message"]) from exc
        finally:
            spans.close(failure)

    async def _result(
        self, thread_id: str, started: float | None = None, actor: str = "system"
    ) -> TurnResult:
        snapshot = await (await self._ready()).aget_state(self._cfg(thread_id))
        values = snapshot.values or {}
        if not values:
            raise ThreadNotFound(f"no conversation {thread_id}")
        status = "awaiting_approval" if snapshot.interrupts else values.get("status", "answered")
        proposals = self.store.list_proposals(thread_id=thread_id, turn=values.get("turn"))
        result = result_from_state(
            values,
            status=status,
            proposals=proposals,
            prompt_versions=dict(self.config.prompt_versions),
            latency_ms=round((time.perf_counter() - started) * 1000, 1) if started else None,
        )
        result.release_id = self.serving_release_id()
        record = result.model_dump(mode="json")
        if result.turn in self.store.saved_turns(thread_id):  # a decision's outcome: never over the answer
            outcome = {"by": actor, **{k: record.get(k) for k in _OUTCOME_FIELDS}}
            self.store.add_outcome(thread_id=thread_id, turn=result.turn, outcome=outcome)
        else:
            self.store.save_turn(
                thread_id=thread_id,
                turn=result.turn,
                user=result.user,
                message=values.get("message", ""),
                result=record,
            )
        return result

    async def _resumable(self, thread_id: str) -> bool:
        snapshot = await (await self._ready()).aget_state(self._cfg(thread_id))
        return bool(snapshot.interrupts or snapshot.next)

    async def recover(self) -> dict[str, list[str]]:
        """At start-up: resume the threads a crash left with approved, unexecuted proposals; a thread with
        nothing left to resume gets its approved proposals ``failed`` (agent.recovery)."""
        threads = sorted({r["thread_id"] for r in self.store.list_proposals(statuses=("approved",))})
        failed: list[str] = []
        for thread_id in threads:
            try:
                async for _ in self.resume(thread_id):
                    pass
            except Exception:  # the payments API may be down: the thread stays resumable for the next start
                log.exception("recovery_failed", thread_id=thread_id)
            if not await self._resumable(thread_id):
                failed += fail_stranded(self.store, self.audit, thread_id=thread_id, actor="system")
        if threads:
            log.info("recovered", threads=len(threads), failed=len(failed))
        return {"threads": threads, "failed": failed}

    async def stream(
        self,
        message: str,
        thread_id: str | None = None,
        user: str = "analyst1",
        case_type: str | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """One turn as events (triage, classification, findings, proposals, token, answer, approval); the last is
        ``turn``. ``case_type`` is the analyst's pick when the agent asked (stored as a labelled example)."""
        started = time.perf_counter()
        message = check_message(message)
        chosen = check_case_type(case_type)
        thread_id = thread_id or uuid.uuid4().hex
        graph = await self._ready()
        snapshot = await graph.aget_state(self._cfg(thread_id))
        conversation = self.conversation_store.get(thread_id)
        if conversation and conversation.owner != user:
            raise NotAuthorised(f"thread {thread_id} belongs to {conversation.owner}")
        if snapshot.interrupts or snapshot.next:
            self._supersede(thread_id)  # approved-but-unexecuted work also blocks a new turn (resume() first)
        turn = int((snapshot.values or {}).get("turn") or 0) + 1
        self.conversation_store.record_turn(
            thread_id=thread_id, owner=user, title=message[:80], case_type=None, references={}
        )
        structlog.contextvars.bind_contextvars(user=user, thread_id=thread_id, turn=turn)
        # The run's span exists before the first audit event, so a CLI turn (no HTTP span) has a trace id too.
        spans = TurnSpans("agent run", {"payinvest.thread_id": thread_id, "payinvest.actor": user})
        data = {
            "text": message,
            "turn": turn,
            "trace_id": spans.trace_id,
            "release_id": self.serving_release_id(),
        }
        self.audit.record(
            {"type": "user_message", "data": data},
            actor=user,
            thread_id=thread_id,
        )
        graph_input = {
            "messages": [HumanMessage(content=message)],
            "message": message,
            "user": user,
            "thread_id": thread_id,
            "turn": turn,
            "chosen_case_type": chosen,
        }
        if chosen:
            record_choice(self.settings, message, chosen, user, thread_id, self.audit)
        # A read-only turn is checkpointed when it ends or pauses: a crash mid-turn only loses that turn, and its
        # proposals count only once the turn is saved. Decisions and writes are checkpointed after every step.
        finished = False
        try:
            async for event in self._run(graph_input, thread_id, user, durability="exit", spans=spans):
                if event["type"] == "findings":
                    observe_findings(started)
                yield event
            result = await self._result(thread_id, started, actor=user)
            finished = True
        finally:
            if not finished:  # a proposal stands only with its saved turn
                discard_unsaved(self.store, self.audit, thread_id=thread_id, turn=turn)
        observe_turn(result.status, started)
        log.info(
            "turn_completed",
            status=result.status,
            case_type=result.case_type,
            latency_ms=result.latency_ms,
            proposals=len(result.proposals),
            unsupported_claims=result.unsupported_claims,
        )
        self.conversation_store.record_turn(
            thread_id=thread_id,
            owner=user,
            title=message[:80],
            case_type=result.case_type,
            references=result.references,
        )
        if (
            self.shadow is not None
        ):  # in the background: the analyst never waits for, nor sees, the challenger
            self.shadow.start(
                context=self._context(),
                message=message,
                chosen=chosen,
                champion=result,
                champion_release=result.release_id,
            )
        yield {"type": "turn", "data": result.model_dump(mode="json")}

    def _supersede(self, thread_id: str) -> None:
        """A new question drops the previous turn's unsubmitted proposals; submitted ones block it."""
        rows = self.store.list_proposals(thread_id=thread_id)
        if any(r["status"] in (*PENDING_STATUSES, "approved") for r in rows):
            raise ThreadAwaitingApproval(f"thread {thread_id} has proposals awaiting a supervisor's decision")
        for row in rows:
            if row["status"] == "proposed":
                self.store.transition(
                    row["id"],
                    expected=("proposed",),
                    status="rejected",
                    decided_by="system",
                    reason="superseded by a new question",
                    history_event={"event": "superseded"},
                )

    async def ask(
        self,
        message: str,
        thread_id: str | None = None,
        user: str = "analyst1",
        case_type: str | None = None,
    ) -> TurnResult:
        """One turn; returns its TurnResult."""
        last: dict[str, Any] = {}
        async for event in self.stream(message, thread_id=thread_id, user=user, case_type=case_type):
            last = event
        return TurnResult.model_validate(last["data"])

    async def submit(self, thread_id: str, user: str) -> list[dict[str, Any]]:
        """The analyst who asked submits the thread's proposals to the supervisor queue."""
        saved = self.store.saved_turns(thread_id)  # a proposal of a turn that never finished is not submitted
        rows = [
            r
            for r in self.store.list_proposals(thread_id=thread_id, statuses=("proposed",))
            if r["turn"] in saved
        ]
        if not rows:
            raise NothingToSubmit(f"thread {thread_id} has no proposals waiting to be submitted")
        submitted = []
        for row in rows:
            if row["requested_by"] != user:
                raise NotAuthorised(f"only {row['requested_by']} can submit proposal {row['id']}")
            if self.store.transition(
                row["id"],
                expected=("proposed",),
                status="submitted",
                history_event={"event": "submitted", "by": user},
            ):
                submitted.append(self.store.get_proposal(row["id"]) or row)
        if submitted:
            self.conversation_store.mark_submitted(thread_id)
        self.audit.record(
            {"type": "submission", "data": {"proposal_ids": [r["id"] for r in submitted]}},
            actor=user,
            thread_id=thread_id,
        )
        return submitted

    async def decide(
        self, thread_id: str, decisions: list[Any], approver: Principal | dict[str, Any]
    ) -> TurnResult:
        """Approve / edit / reject proposals; the graph resumes once every proposal of the batch is decided."""
        started = time.perf_counter()
        approver = approver if isinstance(approver, Principal) else Principal.model_validate(approver)
        await self._ready()
        try:
            records = await apply_decisions(
                self.store,
                self.deps.port(),
                thread_id,
                parse_decisions(decisions),
                approver,
                actions_enabled=self.deps.actions_enabled(),
            )
        except AgentError as exc:  # four-eyes, limit, role, kill switch: the refusal is evidence too
            refused = {
                "code": exc.code,
                "message": exc.message,
                "role": approver.role,
                "decisions": decisions,
            }
            self.audit.record(
                {"type": "decision_refused", "data": refused}, actor=approver.username, thread_id=thread_id
            )
            raise
        for record in records:
            self.audit.record(
                {"type": "decision", "data": record}, actor=approver.username, thread_id=thread_id
            )
        fault_point("after_decision")
        async for _ in self.resume(thread_id, actor=approver.username):
            pass
        if not await self._resumable(thread_id):  # approved but nothing can run it: failed, visibly
            fail_stranded(self.store, self.audit, thread_id=thread_id, actor=approver.username)
        return await self._result(thread_id, started, actor=approver.username)

    async def resume(self, thread_id: str, actor: str = "system") -> AsyncIterator[dict[str, Any]]:
        """Continue a thread after decisions or after a crash (idempotent: does nothing when nothing is due)."""
        snapshot = await (await self._ready()).aget_state(self._cfg(thread_id))
        if snapshot.interrupts:
            turn = (snapshot.values or {}).get("turn")
            rows = self.store.list_proposals(thread_id=thread_id, turn=turn)
            rows = [r for r in rows if r["status"] != "rejected" or r["decided_by"] != "system"]
            if not rows or any(r["status"] not in FINAL_STATUSES for r in rows):
                return
            value = {
                "proposals": [{k: r.get(k) for k in _PROPOSAL_FIELDS} for r in rows],
                "decisions": [h for r in rows for h in (r.get("history") or [])],
            }
            graph_input: Any = Command(resume=value)
        elif snapshot.next:
            graph_input = None  # a crash interrupted a node: run it again from its checkpoint
        else:
            return
        async for event in self._run(graph_input, thread_id, actor):
            yield event

    def pending_approvals(self) -> list[dict[str, Any]]:
        """Every submitted or edited proposal waiting for a supervisor, across threads and workers, with the
        compliance sign-off and first approval it has (agent.approvals.queue_view)."""
        return [queue_view(p) for p in self.store.list_proposals(statuses=PENDING_STATUSES)]

    def conversations(self, user: str | None = None) -> list[dict[str, Any]]:
        """Conversations, newest first (one user's when ``user`` is given)."""
        return [c.as_thread() for c in self.conversation_store.list(owner=user, limit=200)]

    async def evidence(self, thread_id: str) -> dict[str, Any]:
        """The reads of the thread's last checkpointed turn with their structured data (the analyst's evidence
        cards and case view); a turn that is still running or was stopped is not in the checkpoint yet."""
        if self.conversation_store.get(thread_id) is None:
            raise ThreadNotFound(f"no conversation {thread_id}")
        snapshot = await (await self._ready()).aget_state(self._cfg(thread_id))
        values = snapshot.values or {}
        items = [e for e in values.get("evidence") or [] if e.get("tool") != "retrieval"]
        keys = ("id", "tool", "args", "ok", "summary", "data", "error")
        return {"turn": values.get("turn"), "evidence": [{k: e.get(k) for k in keys} for e in items]}

    def thread(self, thread_id: str) -> dict[str, Any]:
        """A conversation with its turns (TurnResults) and all its proposals."""
        conversation = self.conversation_store.get(thread_id)
        if conversation is None:
            raise ThreadNotFound(f"no conversation {thread_id}")
        saved = self.store.saved_turns(thread_id)  # proposals of a turn that never finished are not shown
        return {
            "conversation": conversation.as_thread(),
            "turns": self.store.list_turns(thread_id),
            "proposals": [p for p in self.store.list_proposals(thread_id=thread_id) if p["turn"] in saved],
        }
