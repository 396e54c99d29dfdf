"""The one place that builds the LLM: a registry of providers (name → builder of an OpenAI-compatible endpoint).

The agent's chat model, the eval judge, the admin view and the eval report all go through it, so the choice
between the embedded llama.cpp server and an OpenAI-compatible API is made here only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from agent.errors import ServiceNotReady
from core.settings import Settings


@dataclass(frozen=True)
class LlmEndpoint:
    """An OpenAI-compatible chat endpoint and the model to ask there."""

    provider: str
    base_url: str | None
    api_key: str
    model: str
    timeout: float
    max_retries: int


@dataclass(frozen=True)
class LlmProvider:
    """A provider: the model it serves (known without starting anything) and how to reach it."""

    model_name: Callable[[Settings], str]
    endpoint: Callable[[Settings], LlmEndpoint]


def _embedded_model(_settings: Settings) -> str:
    from agent.llm.embedded import MODEL_NAME

    return MODEL_NAME


def _embedded(settings: Settings) -> LlmEndpoint:
    from agent.llm.embedded import start_embedded_server

    server = start_embedded_server(settings)  # once per process
    return LlmEndpoint("embedded", server.base_url, server.api_key, server.model, timeout=300, max_retries=0)


def _openai(settings: Settings) -> LlmEndpoint:
    if not settings.openai_base_url and not settings.openai_api_key:
        raise ServiceNotReady(
            "llm_provider is 'openai' but neither PAYINVEST_OPENAI_API_KEY nor PAYINVEST_OPENAI_BASE_URL is set"
        )
    return LlmEndpoint(
        "openai",
        settings.openai_base_url,
        settings.openai_api_key or "not-needed",
        settings.openai_model,
        timeout=120,
        max_retries=1,
    )


PROVIDERS: dict[str, LlmProvider] = {
    "embedded": LlmProvider(model_name=_embedded_model, endpoint=_embedded),
    "openai": LlmProvider(model_name=lambda s: s.openai_model, endpoint=_openai),
}


def provider(name: str) -> LlmProvider:
    """The registered provider ``name`` (a typed error for an unknown one)."""
    try:
        return PROVIDERS[name]
    except KeyError as exc:
        known = ", ".join(PROVIDERS)
        raise ServiceNotReady(f"unknown LLM provider {name!r} (one of: {known})") from exc


def llm_endpoint(settings: Settings, provider_name: str | None = None) -> LlmEndpoint:
    """The endpoint of the configured provider (or ``provider_name``), starting the embedded server if needed."""
    return provider(provider_name or settings.llm_provider).endpoint(settings)


def make_chat_model(settings: Settings) -> BaseChatModel:
    """A ChatOpenAI client for the configured provider (temperature 0, usage reported when streaming)."""
    from langchain_openai import ChatOpenAI

    endpoint = llm_endpoint(settings)
    return ChatOpenAI(
        base_url=endpoint.base_url,
        api_key=SecretStr(endpoint.api_key),
        model=endpoint.model,
        temperature=0,
        stream_usage=True,
        max_retries=endpoint.max_retries,
        timeout=endpoint.timeout,
    )


def model_identity(settings: Settings) -> tuple[str, str]:
    """(provider, model name) recorded with every LLM call and shown in the admin view; starts nothing."""
    return settings.llm_provider, provider(settings.llm_provider).model_name(settings)
