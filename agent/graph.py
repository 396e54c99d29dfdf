"""The LangGraph wiring: intake → triage → classify → plan → reads (bounded loop) → propose → findings → answer
→ approval → writes → summary."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.graph import END, START, StateGraph

from agent.context import AgentContext
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


def build_graph() -> StateGraph[Any, Any, Any, Any]:
    """The uncompiled graph (compile it with a checkpointer)."""
    graph = StateGraph(AgentState, context_schema=AgentContext)
    graph.add_node("intake", intake)
    graph.add_node("triage", triage)
    graph.add_node("classify", classify)
    graph.add_node("plan", plan)
    graph.add_node("execute_reads", execute_reads)
    graph.add_node("propose", propose)
    graph.add_node("findings", findings)
    graph.add_node("answer", answer)
    graph.add_node("approval", approval)
    graph.add_node("execute_writes", execute_writes)
    graph.add_node("summary", summary)
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
