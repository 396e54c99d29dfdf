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


def test_each_slot_group_has_its_own_slot_per_prompt_family(tmp_path) -> None:
    from types import SimpleNamespace

    from langchain_openai import ChatOpenAI

    from agent.llm.calls import EMBEDDED_SLOTS, _model_for
    from agent.llm.embedded import _build_params
    from core.settings import Settings

    model = ChatOpenAI(model="m", api_key="k", base_url="http://127.0.0.1:1/v1")
    slots = {
        group: {
            name: _model_for(
                SimpleNamespace(chat_model=model, provider="embedded", slot_group=group), name
            ).extra_body["id_slot"]
            for name in EMBEDDED_SLOTS
        }
        for group in range(3)
    }
    assert slots[0] == EMBEDDED_SLOTS
    every = [slot for group in slots.values() for slot in group.values()]
    assert len(set(every)) == len(every) == 3 * len(EMBEDDED_SLOTS)  # no two callers share a slot
    params = _build_params(Settings(data_dir=tmp_path, llm_slot_groups=3), tmp_path / "m.gguf", "key")
    assert params.n_parallel == 3 * len(EMBEDDED_SLOTS) and params.n_ctx == 3 * Settings().llm_ctx_size
    assert max(every) < params.n_parallel
