"""The README's screens, taken from the browser test harness: the analyst's case view (desktop and phone), the
supervisor's approval queue and the compliance console, each once its content is on screen.

They go to artifacts/screenshots/; ``make screenshots`` (PAYINVEST_UPDATE_SCREENSHOTS=1) writes them to
docs/screenshots/ instead, where the README shows them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import PROJECT_ROOT, SCREENSHOTS
from tests.browser.test_case_view import CHARGES_QUESTION, _login

pytestmark = pytest.mark.browser
DESKTOP, PHONE = (1280, 800), (390, 844)
MAX_BYTES = 300_000


def _target() -> Path:
    update = os.environ.get("PAYINVEST_UPDATE_SCREENSHOTS") == "1"
    folder = PROJECT_ROOT / "docs" / "screenshots" if update else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(page, name: str) -> None:
    path = _target() / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size < MAX_BYTES, f"{path} is {path.stat().st_size} bytes"


def test_screens_of_each_role(live_server: dict, browser) -> None:
    url = live_server["url"]
    ctx, analyst, errors = _login(browser, url, "analyst1", DESKTOP)
    analyst.get_by_test_id("new-conversation").click()
    analyst.locator("[data-testid=conversation-item].active").wait_for()
    analyst.get_by_test_id("message-input").fill(CHARGES_QUESTION)
    analyst.get_by_test_id("message-input").press("Enter")
    analyst.locator("[data-testid=assistant-message][data-state=done]").wait_for()
    analyst.get_by_test_id("iso-fields").wait_for()
    analyst.get_by_test_id("timeline-hop").nth(2).wait_for()
    analyst.get_by_test_id("proposal").scroll_into_view_if_needed()
    _shoot(analyst, "analyst")
    analyst.get_by_test_id("submit-proposals").click()
    analyst.get_by_test_id("proposal-status").filter(has_text="submitted").wait_for()

    phone_ctx, phone, phone_errors = _login(browser, url, "analyst1", PHONE)
    phone.get_by_test_id("toggle-conversations").click()
    phone.get_by_test_id("conversation-item").first.click()  # the conversation, reopened from the drawer
    phone.get_by_test_id("case-amount").wait_for()
    phone.get_by_test_id("proposal-status").filter(has_text="submitted").wait_for()
    _shoot(phone, "analyst-phone")

    sup_ctx, sup, sup_errors = _login(browser, url, "supervisor1", DESKTOP)
    sup.get_by_test_id("open-proposal").first.click()
    sup.get_by_test_id("approve").wait_for()
    # The supervisor sees the claim next to the payment amount, and the draft's key fields.
    sup.get_by_test_id("supervisor-claim").filter(has_text="Charges claimed: JP¥3,500").wait_for()
    assert "Instructed agent\nHUDSUS33" in sup.get_by_test_id("supervisor-iso-fields").inner_text()
    assert "JP¥2,500,000" in sup.get_by_test_id("queue-row").first.inner_text()
    _shoot(sup, "supervisor")

    comp_ctx, comp, comp_errors = _login(browser, url, "compliance1", DESKTOP)
    comp.get_by_test_id("search-user").fill("analyst1")
    comp.get_by_test_id("search-form").locator("button[type=submit]").click()
    comp.get_by_test_id("open-replay").first.click()
    comp.get_by_test_id("replay-event").first.wait_for()
    comp.get_by_test_id("replay-all").click()
    comp.get_by_test_id("verify-chain").click()
    comp.get_by_test_id("chain-status").filter(has_text="verified").wait_for()
    _shoot(comp, "compliance")
    assert errors == phone_errors == sup_errors == comp_errors == []
    for context in (ctx, phone_ctx, sup_ctx, comp_ctx):
        context.close()
