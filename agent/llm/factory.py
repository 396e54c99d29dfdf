"""Chat model factory: the embedded llama.cpp server or any OpenAI-compatible endpoint."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from core.settings import Settings


def make_chat_model(settings: Settings) -> BaseChatModel:
    """A ChatOpenAI client for the configured provider (temperature 0, usage reported when streaming)."""
    from langchain_openai import ChatOpenAI

    if settings.llm_provider == "embedded":
        from agent.llm.embedded import start_embedded_server

        server = start_embedded_server(settings)
        return ChatOpenAI(
            base_url=server.base_url,
            api_key=SecretStr(getattr(server, "api_key", None) or "not-needed"),
            model=server.model,
            temperature=0,
            stream_usage=True,
            max_retries=0,
            timeout=300,
        )
    if not settings.openai_base_url and not settings.openai_api_key:
        from agent.errors import ServiceNotReady

        raise ServiceNotReady(
            "llm_provider is 'openai' but neither PAYINVEST_OPENAI_API_KEY nor "
            "PAYINVEST_OPENAI_BASE_URL is set"
        )
    return ChatOpenAI(
        base_url=settings.openai_base_url,
        api_key=SecretStr(settings.openai_api_key or "not-needed"),
        model=settings.openai_model,
        temperature=0,
        stream_usage=True,
        max_retries=1,
        timeout=120,
    )


def model_identity(settings: Settings) -> tuple[str, str]:
    """(provider, model name) recorded with every LLM call."""
    if settings.llm_provider == "embedded":
        return "embedded", settings.llm_model
    return "openai", settings.openai_model
