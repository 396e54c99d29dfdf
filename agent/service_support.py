"""Lazily built dependencies of AgentService (payment systems, retriever, model, kill switches) and the audit sink."""

from __future__ import annotations

from typing import Any

from agent.errors import AgentError, ServiceNotReady
from agent.ports import PaymentPort, RegistryPort, as_payment_port
from agent.telemetry import observe_event
from core.controls import read_controls
from core.settings import Settings
from tools.errors import PaymentsApiNotConfigured

MAX_MESSAGE_CHARS = 4000
# Streamed tokens are not audited one by one: the answer event carries the whole text.
_NOT_AUDITED = {"token", "turn"}


class InvalidMessage(AgentError):
    """The user message is empty or too long."""

    code = "invalid_message"
    http_status = 422


def check_message(message: str) -> str:
    """A stripped, bounded message (typed error otherwise)."""
    text = (message or "").strip()
    if not text:
        raise InvalidMessage("the message is empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(f"the message is longer than {MAX_MESSAGE_CHARS} characters")
    return text


class Dependencies:
    """Builds what was not injected, on first use, with clear errors for missing data or index."""

    def __init__(self, settings: Settings, *, chat_model: Any, systems: Any, retriever: Any) -> None:
        self.settings = settings
        self._chat_model = chat_model
        self._port: PaymentPort | None = as_payment_port(systems) if systems is not None else None
        self._owns_port = systems is None
        self._retriever = retriever
        self._retriever_injected = retriever is not None
        from core.schema import open_app_db

        self.app_engine = open_app_db(settings.app_db_url)

    def port(self) -> PaymentPort:
        if self._port is None:
            try:
                self._port = RegistryPort.from_settings(self.settings)
            except PaymentsApiNotConfigured as exc:
                raise ServiceNotReady(exc.message) from exc
        return self._port

    def retriever(self) -> Any:
        if self._retriever is None and not self._retriever_injected:
            from retrieval.errors import IndexNotBuilt
            from retrieval.search import open_retriever

            try:
                self._retriever = open_retriever(self.settings)
            except IndexNotBuilt as exc:
                raise ServiceNotReady(f"{exc}: run `payinvest index build`") from exc
        return self._retriever

    def chat_model(self) -> Any:
        if self._chat_model is None:
            from agent.llm.factory import make_chat_model

            try:
                self._chat_model = make_chat_model(self.settings)
            except RuntimeError as exc:  # EmbeddedServerError: model not installed or not loadable
                raise ServiceNotReady(str(exc)) from exc
        return self._chat_model

    def loaded_chat_model(self) -> Any:
        """The chat model if it was built or injected (never starts one)."""
        return self._chat_model

    def model_identity(self) -> tuple[str, str]:
        if self._chat_model is not None and not hasattr(self._chat_model, "openai_api_base"):
            return "scripted", type(self._chat_model).__name__
        from agent.llm.factory import model_identity

        return model_identity(self.settings)

    def actions_enabled(self) -> bool:
        return read_controls(self.app_engine).actions_enabled

    def llm_enabled(self) -> bool:
        return read_controls(self.app_engine).llm_enabled

    async def aclose(self) -> None:
        if self._owns_port and self._port is not None:
            await self._port.aclose()
            self._port = None


class AuditSink:
    """Sends every agent event to the audit log when one was given."""

    def __init__(self, audit: Any) -> None:
        self.audit = audit

    def record(self, event: dict[str, Any], *, actor: str, thread_id: str) -> None:
        observe_event(event)  # metrics see every event the audit log sees, with or without an audit log
        if self.audit is None or event["type"] in _NOT_AUDITED:
            return
        payload = dict(event["data"])
        if event["type"] == "approval":
            payload["proposals"] = [
                {k: v for k, v in p.items() if k != "iso_xml"} for p in payload.get("proposals", [])
            ]
        self.audit.append(f"agent.{event['type']}", actor=actor, conversation_id=thread_id, payload=payload)
        if event["type"] == "execution" and payload.get("status") == "failed" and not payload.get("replayed"):
            # a failure is searchable by its own event type, not only inside the execution payload
            self.audit.append(
                "agent.execution_failed", actor=actor, conversation_id=thread_id, payload=payload
            )
