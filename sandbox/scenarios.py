"""The named scenario catalogue: stable references and machine-readable truth for docs, tests and evals.

Scenarios are read from ``scenario_data/catalogue.yaml``. A scenario's number is its position in that file,
so new scenarios are appended, never inserted. References never depend on the seed or the database size.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from core.domain import ActionKind, CaseType
from sandbox.parties import COUNTRIES, build_banks, make_bban, make_iban, make_local_account

CATALOGUE_PATH = Path(__file__).with_name("scenario_data") / "catalogue.yaml"
_NAMESPACE = uuid.UUID("6f1c1f0e-8a43-4c1b-9a63-2f4f1e0d9b10")


class UnknownScenario(KeyError):
    """No scenario has this id."""


@dataclass(frozen=True)
class Scenario:
    """One named scenario: what the analyst asks, which references it names, and the truth."""

    number: int
    id: str
    case_type: CaseType
    title: str
    analyst_message: str
    references: dict[str, str]
    truth: dict[str, Any]
    setup: dict[str, Any] = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The ``payinvest scenarios --json`` element (docs/data.md)."""
        return {
            "id": self.id,
            "case_type": self.case_type.value,
            "title": self.title,
            "analyst_message": self.analyst_message,
            "references": dict(self.references),
            "truth": dict(self.truth),
        }


def scenario_uetr(key: str) -> str:
    """A UUID v4-shaped UETR derived from a name (uuid5 bytes with the v4 version and variant bits)."""
    return str(uuid.UUID(bytes=uuid.uuid5(_NAMESPACE, key).bytes, version=4))


def scenario_payment_id(number: int, twin: bool = False) -> str:
    """PAY-9000nnnn for a scenario's payment, PAY-9001nnnn for its twin (the duplicate)."""
    return f"PAY-{9001 if twin else 9000}{number:04d}"


def scenario_e2e(scenario_id: str, number: int, twin: bool = False) -> str:
    """An EndToEndId built from the scenario id."""
    core = re.sub(r"[^A-Z0-9]", "", scenario_id.upper())[:22]
    return f"E2E-{core}{number:02d}{'TW' if twin else ''}"


def scenario_case_id(number: int) -> str:
    """CASE-9nnnnn for a scenario's case."""
    return f"CASE-9{number:05d}"


def party_account(number: int, role: int, bic: str) -> tuple[str, str | None, str]:
    """(account id, IBAN or None, local number) of a scenario party (role 1 debtor, 2 creditor)."""
    bank = next(b for b in build_banks() if b.bic == bic)
    serial = 90_000_000 + number * 10 + role
    account_id = f"ACC-9{number:04d}{role:03d}"
    if COUNTRIES[bank.country].iban:
        bban = make_bban(bank.country, bank.national_code, serial)
        return account_id, make_iban(bank.country, bban), bban
    return account_id, None, make_local_account(bank.country, serial)


def _references(number: int, raw: dict[str, Any]) -> dict[str, str]:
    setup = raw["setup"]
    debtor = party_account(number, 1, setup["debtor"][1])
    creditor = party_account(number, 2, setup["creditor"][1])
    refs = {
        "payment_id": scenario_payment_id(number),
        "uetr": scenario_uetr(raw["id"]),
        "end_to_end_id": scenario_e2e(raw["id"], number),
        "debtor_account": debtor[1] or debtor[2],
        "creditor_account": setup.get("creditor_account_on_payment") or creditor[1] or creditor[2],
    }
    if "case" in setup:
        refs["case_id"] = scenario_case_id(number)
    if "twin" in setup:
        refs["twin_payment_id"] = scenario_payment_id(number, twin=True)
        refs["twin_uetr"] = scenario_uetr(raw["id"] + "#twin")
    return refs


NEXT_ACTION_KEYS = {"kind", "message_type", "status", "reason_code", "investigation_type"}


def _validate(raw: dict[str, Any]) -> None:
    truth = raw["truth"]
    CaseType(raw["case_type"])
    for kind in truth["forbidden_actions"]:
        ActionKind(kind)
    if truth["next_action"] is not None:
        ActionKind(truth["next_action"]["kind"])
        keys = set(truth["next_action"])
        if keys != NEXT_ACTION_KEYS:
            raise ValueError(f"{raw['id']}: next_action keys {sorted(keys)} != {sorted(NEXT_ACTION_KEYS)}")


@cache
def load_scenarios(path: Path = CATALOGUE_PATH) -> tuple[Scenario, ...]:
    """Parse and validate the catalogue file."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for number, raw in enumerate(items, start=1):
        _validate(raw)
        refs = _references(number, raw)
        out.append(
            Scenario(
                number=number,
                id=raw["id"],
                case_type=CaseType(raw["case_type"]),
                title=raw["title"],
                analyst_message=raw["analyst_message"].format(**refs),
                references=refs,
                truth=raw["truth"],
                setup=raw["setup"],
            )
        )
    return tuple(out)


SCENARIOS: tuple[Scenario, ...] = load_scenarios()


def get_scenario(scenario_id: str) -> Scenario:
    """The scenario with this id, or ``UnknownScenario``."""
    for scenario in SCENARIOS:
        if scenario.id == scenario_id:
            return scenario
    raise UnknownScenario(scenario_id)
