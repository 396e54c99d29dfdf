"""A zero-latency scripted chat model for the agent benchmark (answers by schema name, no network)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import RunnableLambda

from agent.nodes.intake import keyword_case_type
from agent.references import extract_references


def _user_text(messages: list[BaseMessage]) -> str:
    return str(messages[-1].content) if messages else ""


class BenchChatModel(BaseChatModel):
    """Classifies by keywords, plans nothing beyond the playbook, answers with one citation: instantly."""

    @property
    def _llm_type(self) -> str:
        return "bench-scripted"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content="Scripted answer [E1]."))])

    def _stream(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> Iterator[ChatGenerationChunk]:
        for piece in ("Scripted ", "answer ", "[E1]."):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))

    def with_structured_output(self, schema: Any, *, include_raw: bool = False, **kwargs: Any) -> Any:
        def run(messages: list[BaseMessage]) -> dict[str, Any]:
            text = _user_text(messages)
            if schema.__name__ == "CaseClassification":
                message = text.split("Message:", 1)[-1].split("\n", 1)[0]
                data: dict[str, Any] = {
                    "case_type": keyword_case_type(message, extract_references(message)).value
                }
            else:
                data = {"steps": [], "queries": ["payment investigation procedure"]}
            raw = AIMessage(content=json.dumps(data))
            return {"raw": raw, "parsed": schema.model_validate(data), "parsing_error": None}

        return RunnableLambda(run)
