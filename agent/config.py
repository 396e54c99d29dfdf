"""Per-service agent configuration that tests and evals inject (prompt versions, retrieval k, loop bounds)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_PROMPT_VERSIONS: dict[str, str] = {
    "common": "v1",
    "intake": "v1",
    "plan": "v1",
    "answer": "v3",
    "general": "v1",
}


class AgentConfig(BaseModel):
    """Knobs of one agent configuration (a champion or a challenger in evals)."""

    model_config = ConfigDict(extra="forbid")

    prompt_versions: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_PROMPT_VERSIONS))
    retrieval_k: int = Field(default=4, ge=1, le=20, description="Sections retrieved per query.")
    max_iterations: int = Field(default=2, ge=1, le=5, description="Plan/read rounds per turn.")
    max_queries: int = Field(default=3, ge=1, le=3, description="Retrieval queries per turn.")
    answer_max_tokens: int = Field(
        default=64,
        ge=16,
        le=4096,
        description="Tokens the answer may generate (an unfinished last sentence is dropped).",
    )
    answer_timeout_s: float = Field(
        default=15.0,
        gt=0,
        le=600,
        description="A slower answer call is dropped: the findings are the answer.",
    )
    classifier: Literal["trained", "llm"] = Field(
        default="trained", description="Text intent: the trained classifier, or the LLM (challenger)."
    )
    verifier: bool = Field(
        default=True,
        description="Check every sentence of the model's reply against the evidence (off only as an eval degradation).",
    )
    spread_procedures: bool = Field(
        default=False,
        description="Playbook searches also add the best section of each other SOP naming the case type "
        "(agent.nodes.reads.every_procedure); off until measured on the gate.",
    )
    read_procedure: bool = Field(
        default=True,
        description="Also list every section of the case type's own SOP (retrieval.search.Retriever.procedure) "
        "after the searched ones, so the analyst and the approver see the whole procedure the case follows.",
    )
    planner: Literal["playbook", "llm", "none"] = Field(
        default="playbook",
        description="Reads after triage: the playbook, an LLM plan plus the playbook, or none (the triage bundle "
        "only, without the playbook's derived reads and procedure searches: an eval degradation).",
    )

    def prompt_version(self, name: str) -> str:
        return self.prompt_versions.get(name) or DEFAULT_PROMPT_VERSIONS.get(name, "v1")
