"""Builds evals/datasets/robustness.jsonl from the hand-written phrasings and the scenario catalogue.

Run ``python -m evals.build_robustness`` after the phrasings or the catalogue change; the output is committed.
The messages are in ``evals/datasets/robustness_phrasings.yaml`` (written by hand, independently of any training
corpus); every expectation (case type, proposal, forbidden actions, key facts, expected tools, the truth of the
claim check) comes from the catalogue (``sandbox.scenarios``, the data behind ``payinvest scenarios --json``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from evals.dataset import load_dataset
from evals.scenario_truth import case_truth, expected_proposals, expected_tool_calls

DATASETS = Path(__file__).parent / "datasets"
PHRASINGS = DATASETS / "robustness_phrasings.yaml"
ROBUSTNESS = DATASETS / "robustness.jsonl"
REFERENCE_KINDS = {"payment_id", "uetr", "end_to_end_id", "case_id", "description"}
# The reference the analyst gives, per kind: what the agent's first read should be about.
_REFERENCE_FIELD = {"payment_id": "payment_id", "uetr": "uetr", "end_to_end_id": "end_to_end_id"}


class PhrasingError(ValueError):
    """A phrasing entry that does not fit its scenario."""


def _fill(text: str, refs: dict[str, str], where: str) -> str:
    try:
        return text.format(**refs)
    except KeyError as exc:
        raise PhrasingError(f"{where}: placeholder {exc} is not a reference of this scenario") from None


def _named_reference(text: str, refs: dict[str, str]) -> str | None:
    """The first payment reference the message actually names (PAY id, UETR, EndToEndId), if any."""
    positions = [
        (text.find(value), value)
        for key, value in refs.items()
        if key in ("payment_id", "uetr", "end_to_end_id", "twin_payment_id", "twin_uetr") and value in text
    ]
    return min(positions)[1] if positions else None


def _case(scenario: Any, index: int, entry: dict[str, Any]) -> dict[str, Any]:
    where = f"{scenario.id}[{index}]"
    kind, style = entry["ref"], entry["style"]
    if kind not in REFERENCE_KINDS:
        raise PhrasingError(f"{where}: ref {kind!r} is not one of {sorted(REFERENCE_KINDS)}")
    refs = scenario.references
    first = _fill(entry["text"], refs, where)
    named = _named_reference(first, refs)
    if (kind == "description") != (named is None) and not (kind == "case_id" and named is None):
        raise PhrasingError(f"{where}: ref {kind!r} but the message names {named or 'no payment reference'}")
    truth = scenario.truth
    tools = list(truth["expected_tools"])
    if kind == "description":
        # No reference: the payment must be found from what the analyst wrote, then read by its id.
        tools = ["search_payments", *tools]
    turns = [{"role": "analyst", "content": first}]
    if entry.get("then"):
        turns.append({"role": "analyst", "content": _fill(entry["then"], refs, where)})
    calls = expected_tool_calls(tools, None)
    if named and calls and calls[0]["name"] == "get_payment":
        calls[0]["args"] = {"reference": named}
    elif named and len(calls) > 1 and calls[1]["name"] == "get_payment":
        calls[1]["args"] = {"reference": named}
    return {
        "id": f"rb-{scenario.id}-{index + 1}",
        "scenario_id": scenario.id,
        "case_type": scenario.case_type.value,
        "turns": turns,
        "expected_tool_calls": calls,
        "required_facts": list(truth["key_facts"]),
        "expected_proposals": expected_proposals(truth["next_action"]),
        "forbidden_actions": list(truth["forbidden_actions"]),
        "tags": ["robustness", "multi-turn" if len(turns) > 1 else "single-turn", f"ref-{kind}", style],
        "reference_kind": kind,
        "style": style,
        "truth": case_truth(scenario),
    }


def build(path: Path = PHRASINGS) -> list[dict[str, Any]]:
    """Every robustness case, in catalogue order."""
    from sandbox.scenarios import SCENARIOS

    table = yaml.safe_load(path.read_text(encoding="utf-8"))
    known = {s.id for s in SCENARIOS}
    unknown = sorted(set(table) - known)
    if unknown:
        raise PhrasingError(f"phrasings for unknown scenarios: {', '.join(unknown)}")
    cases = []
    for scenario in SCENARIOS:
        entries = table.get(scenario.id) or []
        if len(entries) < 3:
            raise PhrasingError(f"{scenario.id}: {len(entries)} phrasings, at least 3 are needed")
        cases += [_case(scenario, i, entry) for i, entry in enumerate(entries)]
    return cases


def write(path: Path = ROBUSTNESS) -> int:
    """Write the dataset and validate it with the loader."""
    lines = [json.dumps(case, ensure_ascii=False) for case in build()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(load_dataset(path))


if __name__ == "__main__":
    print(f"{ROBUSTNESS}: {write()} cases")
