"""A live server (uvicorn in a thread, 127.0.0.1, free port) with the real AgentService on a scripted model."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.server import create_app
from core.domain import ActionKind
from core.settings import Settings
from sandbox.iso20022 import build_camt056
from sandbox.iso_cases import build_camt110
from sandbox.iso_xml import OriginalPayment
from tests.agent.fakes import payment
from tests.app.fakes import fast_hasher
from tests.app.real_agent import build_real_service
from tests.servers import free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
PAYMENT_CHARGES = "PAY-00000019"  # OUR (DEBT) JPY 2,500,000 payment; HUDSUS33 deducted JPY 3,500 on the way


def charges_payment() -> dict[str, Any]:
    """The catalogue's chg-our-deducted-wrongly case in the fake port's shape: three hops, one charging."""
    p = payment(
        PAYMENT_CHARGES,
        "95aebd5b-2aee-474e-b43b-6b8677c20370",
        amount=2_500_000,
        currency="JPY",
        status="ACCC",
        reason=None,
        agent="SAKUJPJT",
        creditor="Sato Trading K.K.",
        iban="GB33BUKB20201555555555",
    )
    p.update(debtor_name="Alpine Pharma AG", debtor_agent_bic="LIMMCHZZ", intermediary_bics=["HUDSUS33"])
    p.update(charge_bearer="DEBT", value_date="2026-11-11", created_at="2026-11-11T00:30:00")

    def hop(bic: str, at: str, out: str | None, to: str | None, status: str = "ACSP", **extra: Any) -> dict:
        reason = "G000" if status == "ACSP" else None
        row = {"agent_bic": bic, "status": status, "reason": reason, "received_at": at, "forwarded_at": out}
        return {**row, "forwarded_to_bic": to, "gpi_agent": True, **extra}

    p["_tracker"] = {
        "hops": [
            hop("LIMMCHZZ", "2026-11-11T00:30:00", "2026-11-11T00:55:00", "HUDSUS33"),
            hop(
                "HUDSUS33",
                "2026-11-11T00:57:00",
                "2026-11-11T01:22:00",
                "SAKUJPJT",
                charges_amount="3500.00",
                charges_currency="JPY",
            ),
            hop("SAKUJPJT", "2026-11-11T01:24:00", None, None, status="ACCC"),
        ],
        "summary": {
            "current_status": "ACCC",
            "status_reason": None,
            "hops": 3,
            "last_agent_bic": "SAKUJPJT",
            "stopped_at_bic": None,
            "total_charges": {"JPY": "3500.00"},
            "credited": True,
        },
    }
    return p


def iso_draft(port: Any) -> Any:
    """Drafts from the sandbox's ISO 20022 builders (XSD-validated there) for the fake port's payments."""
    fallback = port.draft

    async def draft(kind: ActionKind, args: dict[str, Any]) -> dict[str, Any]:
        p = port._find(args["reference"])
        original = OriginalPayment(
            payment_id=p["id"],
            uetr=p["uetr"],
            end_to_end_id=p["end_to_end_id"],
            amount=Decimal(p["instructed_amount"]),
            currency=p["instructed_currency"],
            settlement_date=None,
            debtor_agent_bic=p["debtor_agent_bic"],
            creditor_agent_bic=p["creditor_agent_bic"],
            intermediary_bics=tuple(p["intermediary_bics"]),
        )
        msg_id = "DRAFT-" + secrets.token_hex(8).upper()
        if kind == ActionKind.INVESTIGATION and args.get("investigation_type"):
            keys = ("reason_code", "responder_bic", "additional_info")
            message = build_camt110(
                original,
                msg_id=msg_id,
                investigation_type=args["investigation_type"],
                **{k: args[k] for k in keys if args.get(k)},
            )
        elif kind == ActionKind.RECALL:
            message = build_camt056(original, msg_id=msg_id, reason_code=args["reason_code"])
        else:
            return await fallback(kind, args)
        return {"message_type": message.message_type, "xml": message.xml}

    return draft


class TurnGate:
    """Holds a turn at its tracker read while closed, so a test sees it running (no sleeps, no timing)."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self.waiting = threading.Event()  # a read is held at the gate

    def close(self) -> None:
        self.waiting.clear()
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def pass_through(self, tool: str) -> None:
        if tool == "get_tracker" and not self._open.is_set():
            self.waiting.set()
            await asyncio.to_thread(self._open.wait, 120)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Start the app; stop it when the module's tests are done."""
    import uvicorn

    tmp = Path(tmp_path_factory.mktemp("browser"))
    settings = Settings(data_dir=tmp / "data")
    app = create_app(settings, mount_sandbox=False, start_agent=False)
    service, port, retriever = build_real_service(settings, app.state.audit, tmp)
    port.payments.append(charges_payment())
    port.draft = iso_draft(port)  # type: ignore[method-assign]

    async def case_reader(name: str, args: dict) -> dict:
        if name == "get_sla":  # the fake port has no calendar: a fixed clock stands in for the sandbox's
            return {
                "case_type": args["case_type"],
                "due": [
                    {"name": "answer_due", "business_days": 10, "due_date": "2099-01-15", "rule": "test"}
                ],
            }
        return await port.read(name, args)

    gate = TurnGate()
    gated_read = port.read

    async def read(name: str, args: dict) -> dict:
        await gate.pass_through(name)
        found = await gated_read(name, args)
        if name == "get_payment" and found["payment"]["id"] == PAYMENT_CHARGES:
            return found["payment"]  # the payments API's own shape (the fake wraps it), which the rules read
        return found

    port.read = read  # type: ignore[method-assign]
    app.state.agent_service, app.state.retriever, app.state.case_reader = service, retriever, case_reader
    app.state.users.hasher = fast_hasher()
    app.state.users.ensure_demo_users()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    bound = server.servers[0].sockets[0].getsockname()[1]
    yield {"url": f"http://127.0.0.1:{bound}", "app": app, "port": port, "gate": gate}
    gate.release()
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (its own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
