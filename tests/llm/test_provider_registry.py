"""One LLM provider registry: every configurable provider is registered, and the model name comes from it."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from agent.errors import ServiceNotReady
from agent.llm.embedded import MODEL_NAME
from agent.llm.factory import PROVIDERS, llm_endpoint, make_chat_model, model_identity, provider
from core.settings import Settings


def test_every_configurable_provider_is_registered() -> None:
    choices = typing.get_args(Settings.model_fields["llm_provider"].annotation)
    assert set(choices) == set(PROVIDERS)


def test_model_identity_names_the_model_each_provider_serves(tmp_path: Path) -> None:
    assert model_identity(Settings(data_dir=tmp_path)) == ("embedded", MODEL_NAME)
    openai = Settings(data_dir=tmp_path, llm_provider="openai", openai_model="gpt-x")
    assert model_identity(openai) == ("openai", "gpt-x")


def test_openai_endpoint_selects_the_configured_model(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        llm_provider="openai",
        openai_base_url="http://127.0.0.1:9/v1",
        openai_model="gpt-x",
    )
    endpoint = llm_endpoint(settings)
    assert (endpoint.provider, endpoint.base_url, endpoint.model) == (
        "openai",
        "http://127.0.0.1:9/v1",
        "gpt-x",
    )
    assert make_chat_model(settings).model_name == "gpt-x"


def test_unknown_provider_is_a_typed_error() -> None:
    with pytest.raises(ServiceNotReady, match="unknown LLM provider"):
        provider("llamafile")
