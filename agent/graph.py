"""The LangGraph wiring: intake → triage → classify → plan → reads (bounded loop) → propose → findings → answer
→ approval → writes → summary."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.instrumentation import in_node_span
from agent.nodes.accept import accept
from agent.nodes.answer import answer
from agent.nodes.approval import approval
from agent.nodes.classify import classify
from agent.nodes.findings import findings
from agent.nodes.intake import intake
from agent.nodes.plan import plan
from agent.nodes.propose import propose
from agent.nodes.reads import execute_reads
from agent.nodes.summary import summary
from agent.nodes.triage import triage
from agent.nodes.writes import execute_writes
from agent.state import AgentState


def after_reads(state: AgentState) -> Literal["plan", "propose"]:
    """Another plan round only when a read revealed a new reference and the bound allows it."""
    if state.get("pending_refs") and state.get("iteration", 0) < state.get("max_iterations", 1):
        return "plan"
    return "propose"


def after_answer(state: AgentState) -> Literal["approval", "__end__"]:
    """Wait for approval only when there is something to approve."""
    return "approval" if state.get("proposals") else "__end__"


def after_approval(state: AgentState) -> Literal["approval", "execute_writes", "summary"]:
    """Wait again while a decision was refused or approvals are missing; execute approved proposals (or collect
    results recorded before a crash); rejections go to the summary."""
    if state.get("status") == "awaiting_approval":
        return "approval"
    statuses = {p.get("status") for p in state.get("proposals") or []}
    return "execute_writes" if statuses & {"approved", "executed", "failed"} else "summary"


Node = Callable[[AgentState, Runtime[AgentContext]], Awaitable[dict[str, Any]]]


def with_context(node: Node, context: AgentContext) -> Any:
    """The node run with ``context`` instead of the caller's (a server run cannot pass live objects)."""

    async def run(state: AgentState, runtime: Runtime[AgentContext]) -> dict[str, Any]:
        return await node(state, runtime.override(context=context))

    run.__name__ = run.__qualname__ = getattr(node, "__name__", "node")
    return run


def build_graph(context: AgentContext | None = None) -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled graph (compile it with a checkpointer). With ``context`` (the LangGraph server's graph,
    agent.server_graph) every node runs with it, and an ``accept`` node derives the turn fields from
    ``messages``."""
    graph: StateGraph[Any, Any, Any, Any] = StateGraph(
        AgentState, context_schema=None if context else AgentContext
    )
    nodes: dict[str, Any] = {  # Any: add_node matches nodes by parameter names, which Callable drops
        "intake": intake,
        "triage": triage,
        "classify": classify,
        "plan": plan,
        "execute_reads": execute_reads,
        "propose": propose,
        "findings": findings,
        "answer": answer,
        "approval": approval,
        "execute_writes": execute_writes,
        "summary": summary,
    }
    for name, node in nodes.items():
        graph.add_node(name, in_node_span(with_context(node, context) if context else node))
    if context:
        graph.add_node("accept", accept)
        graph.add_edge(START, "accept")
        graph.add_edge("accept", "intake")
    else:
        graph.add_edge(START, "intake")
    graph.add_edge("intake", "triage")
    graph.add_edge("triage", "classify")
    graph.add_edge("classify", "plan")
    graph.add_edge("plan", "execute_reads")
    graph.add_conditional_edges("execute_reads", after_reads)
    graph.add_edge("propose", "findings")
    graph.add_edge("findings", "answer")
    graph.add_conditional_edges("answer", after_answer)
    graph.add_conditional_edges("approval", after_approval)
    graph.add_edge("execute_writes", "summary")
    graph.add_edge("summary", END)
    return graph


def compile_graph(checkpointer: Any = None) -> Any:
    """The compiled graph, checkpointed when a checkpointer is given."""
    return build_graph().compile(checkpointer=checkpointer)
