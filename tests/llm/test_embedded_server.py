"""The real embedded model: served on loopback behind an API key, and able to follow a JSON schema."""

from __future__ import annotations

from typing import Literal

import httpx
import pytest
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

from agent.llm.embedded import EmbeddedServer

pytestmark = [pytest.mark.embedded_llm, pytest.mark.slow]


class Classification(BaseModel):
    case_type: Literal["claim_non_receipt", "cancellation_recall", "compliance_hold", "general"] = Field(
        description="the kind of investigation"
    )


def test_binds_loopback_and_requires_its_api_key(embedded_server: EmbeddedServer) -> None:
    assert embedded_server.base_url.startswith("http://127.0.0.1:")
    assert httpx.get(f"{embedded_server.base_url}/models", timeout=10).status_code == 401
    ok = httpx.get(
        f"{embedded_server.base_url}/models",
        headers={"Authorization": f"Bearer {embedded_server.api_key}"},
        timeout=10,
    )
    assert ok.status_code == 200


def test_structured_output_under_a_json_schema(embedded_server: EmbeddedServer) -> None:
    llm = ChatOpenAI(
        base_url=embedded_server.base_url,
        api_key=embedded_server.api_key,
        model=embedded_server.model,
        temperature=0,
        max_tokens=64,
    )
    structured = llm.with_structured_output(Classification, method="json_schema", include_raw=True)
    out = structured.invoke(
        [
            ("system", "Classify the payment investigation request."),
            ("user", "Our customer says payment PAY-90000001 never reached the beneficiary. Please check."),
        ]
    )
    assert out["parsing_error"] is None
    assert out["parsed"].case_type == "claim_non_receipt"
    usage = out["raw"].usage_metadata
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
