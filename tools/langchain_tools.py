"""LangChain ``StructuredTool`` wrappers of the read tools (async; errors come back as data, not exceptions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tools.errors import ToolError
from tools.read_args import READ_TOOLS
from tools.registry import call_read_tool

if TYPE_CHECKING:
    from langchain_core.tools import BaseTool

    from tools.registry import PaymentSystems


def build_read_tools(systems: PaymentSystems) -> list[BaseTool]:
    """One async ``StructuredTool`` per read tool, with a short description and a strict argument schema."""
    from langchain_core.tools import StructuredTool

    return [
        StructuredTool.from_function(
            coroutine=_runner(systems, spec.name),
            name=spec.name,
            description=spec.description,
            args_schema=spec.args,
        )
        for spec in READ_TOOLS
    ]


def _runner(systems: PaymentSystems, name: str) -> Any:
    async def run(**kwargs: Any) -> dict[str, Any]:
        try:
            return await call_read_tool(systems, name, kwargs)
        except ToolError as exc:
            # The model sees what it could not read instead of a crash; the error is typed evidence.
            return exc.as_dict()

    run.__name__ = name
    return run
