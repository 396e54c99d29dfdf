"""The analyst's case view at desktop and phone size: the case header with the amount for the locale, the
payment chain with charges per hop, the progress checklist filling in, evidence fields, the claim amount and
the ISO 20022 preview of a charges claim, the conversation drawer and a composer that stays in view."""

from __future__ import annotations

import pytest

from tests.app.real_agent import UETR_STUCK
from tests.browser.conftest import PAYMENT_CHARGES
from tests.browser.test_investigation_flow import _login as flow_login

pytestmark = pytest.mark.browser
CHARGES_QUESTION = (
    f"{PAYMENT_CHARGES} was sent OUR but the beneficiary received less. Claim the charges back."
)
STEPS = ("reads", "classify", "procedure", "proposals", "findings", "reply")


def _login(browser, url: str, username: str, size: tuple[int, int]):
    # A fixed locale, so the amounts' format is known: en-GB writes JPY as "JP¥2,500,000".
    context, page, errors = flow_login(browser, url, username, size[0], height=size[1], locale="en-GB")
    page.set_default_timeout(60_000)  # the module server's first turn loads the embedder and the classifier
    return context, page, errors


def _ask(page, text: str) -> None:
    page.get_by_test_id("new-conversation").click()
    page.locator("[data-testid=conversation-item].active").wait_for()
    page.get_by_test_id("message-input").fill(text)
    page.get_by_test_id("message-input").press("Enter")


def _in_view(page, testid: str) -> bool:
    box = page.get_by_test_id(testid).bounding_box()
    viewport = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def test_charges_case_at_desktop_size(live_server: dict, browser) -> None:
    ctx, page, errors = _login(browser, live_server["url"], "analyst1", (1366, 860))
    _ask(page, CHARGES_QUESTION)
    done = page.locator("[data-testid=assistant-message][data-state=done]").last
    done.wait_for()
    header = page.get_by_test_id("case-header")
    header.get_by_test_id("case-amount").filter(has_text="JP¥2,500,000").wait_for()
    assert "Alpine Pharma AG (LIMMCHZZ) → Sato Trading K.K. (SAKUJPJT)" in header.inner_text()
    assert "corridor CH → JP via 1 intermediary · JPY" in header.get_by_test_id("case-corridor").inner_text()
    assert (
        header.get_by_test_id("case-status").inner_text()
        == "Status ACCC — credited to the creditor's account"
    )
    assert header.get_by_test_id("case-type-name").inner_text().startswith("Charges")
    assert "left" in header.get_by_test_id("sla-clock").first.inner_text()
    # The payment chain: three hops, the intermediary's deduction on its own hop, the total below.
    hops = page.get_by_test_id("timeline-hop")
    assert hops.count() == 3
    assert hops.nth(1).get_by_test_id("hop-charges").inner_text() == "charges deducted JP¥3,500"
    assert hops.nth(0).get_by_test_id("hop-charges").count() == 0
    assert (
        "charges deducted in total JP¥3,500 · Credited to the creditor."
        in page.get_by_test_id("timeline-summary").inner_text()
    )
    assert "forwarded to the next gpi agent" in hops.nth(0).inner_text()
    page.get_by_test_id("timeline-source").filter(has_text="as the turn read it (E2)").wait_for()
    # Every step of the checklist is done once the turn has ended.
    progress = done.get_by_test_id("turn-progress")
    assert [progress.get_by_test_id(f"step-{s}").get_attribute("data-state") for s in STEPS] == ["done"] * 6
    assert "done in" in progress.get_by_test_id("turn-elapsed").inner_text()
    # The proposal claims the charges, not the payment amount; its ISO draft's key fields are labelled.
    proposal = page.get_by_test_id("proposal").first
    proposal.get_by_test_id("iso-fields").wait_for()  # the saved turn's rows carry the draft
    claim = proposal.get_by_test_id("proposal-claim").inner_text()
    assert claim == "Charges claimed: JP¥3,500 (payment JP¥2,500,000)"
    iso = proposal.get_by_test_id("iso-fields").inner_text()
    for label, value in (
        ("Message type", "camt.110.001.01"),
        ("Investigation type", "RQCH"),
        ("Reason code", "CHIN"),
        ("Instructing agent", "LIMMCHZZ"),
        ("Instructed agent", "HUDSUS33"),
        ("Original settlement amount", "JP¥2,500,000"),
    ):
        assert f"{label}\n{value}" in iso, iso
    assert "MsgId\nDRAFT-" in iso
    assert not proposal.get_by_test_id("iso-draft").is_visible()  # the raw XML is one click away
    proposal.get_by_text("Raw XML").click()
    assert "<InvstgtnTp>" in proposal.get_by_test_id("iso-draft").inner_text()
    # Evidence cards get labelled fields once the turn is saved; the raw JSON is behind a click.
    tracker = done.locator("[data-testid=evidence-card][data-tool=get_tracker][data-full=true]")
    tracker.locator("summary").first.click()
    assert "Hops" in tracker.get_by_test_id("evidence-fields").inner_text()
    assert header.get_by_test_id("case-proposals").inner_text() == "Investigation camt.110 RQCH: proposed"

    # Reopened later, the conversation shows its case, chain and steps again.
    page.reload()
    page.get_by_test_id("case-amount").filter(has_text="JP¥2,500,000").wait_for()
    page.get_by_test_id("timeline-hop").nth(2).wait_for()
    assert page.get_by_test_id("step-findings").last.get_attribute("data-state") == "done"
    page.locator("[data-testid=evidence-card][data-full=true]").first.wait_for()
    # One click corrects the case type: the question is asked again with the analyst's pick.
    page.get_by_test_id("correct-case-type").select_option("value_date")
    page.get_by_test_id("case-type-name").filter(has_text="Value date · 100 % (analyst)").wait_for()
    assert page.get_by_test_id("user-message").last.inner_text() == CHARGES_QUESTION
    page.locator("[data-testid=assistant-message][data-state=done]").first.wait_for()
    # The first turn once (from the history, not replayed again from the server's log), then the corrected one.
    assert page.get_by_test_id("assistant-message").count() == 2
    assert errors == []
    ctx.close()


def test_checklist_fills_in_while_the_turn_runs_and_stop_ends_it(live_server: dict, browser) -> None:
    gate = live_server["gate"]
    ctx, page, errors = _login(browser, live_server["url"], "analyst2", (1366, 860))
    gate.close()
    try:
        _ask(page, f"Customer says payment {UETR_STUCK} never arrived")
        assert gate.waiting.wait(30), "the turn did not reach the tracker read"
        page.locator("[data-testid=step-reads][data-state=running]").wait_for()
        assert page.get_by_test_id("step-reply").get_attribute("data-state") == "pending"
        # Titled from the first message while the turn still runs, and shown as running.
        current = page.locator("[data-testid=conversation-item].active")
        current.filter(has_text=UETR_STUCK).wait_for()
        assert "New conversation" not in current.inner_text()
        assert current.get_by_test_id("conversation-status").inner_text() == "running"
        page.get_by_test_id("turn-elapsed").filter(has_text="1 s").wait_for()  # the clock ticks
        page.get_by_test_id("stop").click()
        page.get_by_test_id("turn-stopped").wait_for()
        progress = page.get_by_test_id("turn-progress").last
        assert progress.get_attribute("data-state") == "stopped"
        assert progress.get_by_test_id("step-reply").get_attribute("data-state") == "failed"
    finally:
        gate.release()
    assert errors == []
    ctx.close()


def test_phone_keeps_the_composer_in_view_and_conversations_in_a_drawer(live_server: dict, browser) -> None:
    ctx, page, errors = _login(browser, live_server["url"], "analyst1", (390, 844))
    drawer, toggle = page.get_by_test_id("conversations-drawer"), page.get_by_test_id("toggle-conversations")
    assert _in_view(page, "message-input") and _in_view(page, "send")
    assert drawer.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert drawer.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    page.get_by_test_id("new-conversation").click()  # opens a conversation and closes the drawer
    drawer.wait_for(state="hidden")
    assert toggle.get_attribute("aria-expanded") == "false"
    page.get_by_test_id("message-input").fill(CHARGES_QUESTION)
    page.get_by_test_id("send").click()
    page.locator("[data-testid=assistant-message][data-state=done]").last.wait_for()
    page.get_by_test_id("case-amount").filter(has_text="JP¥2,500,000").wait_for()
    assert _in_view(page, "message-input") and _in_view(page, "case-amount")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The payment chain is a drawer too; Esc closes it.
    page.get_by_test_id("toggle-case").click()
    assert page.get_by_test_id("timeline-hop").count() == 3 and page.get_by_test_id("side-panel").is_visible()
    page.keyboard.press("Escape")
    page.get_by_test_id("side-panel").wait_for(state="hidden")
    assert errors == []
    ctx.close()
