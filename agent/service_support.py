"""Lazily built dependencies of AgentService (payment systems, retriever, model, kill switches) and the audit sink."""

from __future__ import annotations

from typing import Any

from agent.errors import AgentError, ServiceNotReady
from agent.ports import PaymentPort, as_payment_port
from core.settings import Settings

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
            from agent.ports import RegistryPort

            if not self.settings.payments_api_url:
                self._check_seeded()
            try:
                self._port = RegistryPort.from_settings(self.settings)
            except ImportError as exc:
                raise ServiceNotReady(f"the payment tools are not installed: {exc}") from exc
        return self._port

    def _check_seeded(self) -> None:
        from sandbox.generator import read_seed_info
        from sandbox.schema import get_payments_engine

        try:
            seeded = read_seed_info(get_payments_engine(self.settings.payments_db_url)) is not None
        except Exception:  # a missing file or table means the same thing
            seeded = False
        if not seeded:
            raise ServiceNotReady("the payments sandbox has no data: run `payinvest seed`")

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

    def model_identity(self) -> tuple[str, str]:
        if self._chat_model is not None and not hasattr(self._chat_model, "openai_api_base"):
            return "scripted", type(self._chat_model).__name__
        from agent.llm.factory import model_identity

        return model_identity(self.settings)

    def _controls(self) -> Any:
        try:
            from core.controls import read_controls
        except ImportError:  # the web app area is optional for the CLI and the evals
            return None
        return read_controls(self.app_engine)

    def actions_enabled(self) -> bool:
        controls = self._controls()
        return True if controls is None else bool(controls.actions_enabled)

    def llm_enabled(self) -> bool:
        controls = self._controls()
        return True if controls is None else bool(controls.llm_enabled)

    async def aclose(self) -> None:
        if self._owns_port and self._port is not None:
            await self._port.aclose()
            self._port = None


class AuditSink:
    """Sends every agent event to the audit log when one was given."""

    def __init__(self, audit: Any) -> None:
        self.audit = audit

    def record(self, event: dict[str, Any], *, actor: str, thread_id: str) -> None:
        if self.audit is None or event["type"] in _NOT_AUDITED:
            return
        payload = dict(event["data"])
        if event["type"] == "approval":
            payload["proposals"] = [
                {k: v for k, v in p.items() if k != "iso_xml"} for p in payload.get("proposals", [])
            ]
        self.audit.append(f"agent.{event['type']}", actor=actor, conversation_id=thread_id, payload=payload)
