"""Run-scoped dependencies handed to every node through LangGraph's runtime context (never checkpointed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.config import AgentConfig
from agent.ports import PaymentPort


@dataclass
class AgentContext:
    """The model, the payment systems, the retriever, the proposals store and the configuration."""

    chat_model: BaseChatModel | None
    port: PaymentPort
    retriever: Any
    store: Any  # agent.store.AgentStore
    config: AgentConfig = field(default_factory=AgentConfig)
    provider: str = "scripted"
    model_name: str = "unknown"
    actions_enabled: Any = None  # callable () -> bool; None means enabled
    llm_enabled: Any = None  # callable () -> bool; None means enabled
    classifier: Any = None  # agent.case_typing.TextClassifier; None: keywords give the text intent
    approvals: Any = None  # core.approval_tokens.ApprovalSigner: signs the X-Approval-Ref of each write
    users: Any = None  # core.users.UserStore: the reviewer of a HITL resume (role, limit); None refuses them
    audit: Any = None  # agent.service_support.AuditSink: records HITL submissions, decisions and refusals
    slot_group: int = 0  # the embedded server's slot group of this service (Settings.llm_slot_group)
