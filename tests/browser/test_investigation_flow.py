"""Analyst asks → streamed answer with citation and proposal → submit; supervisor approves; compliance exports."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from tests.app.real_agent import UETR_STUCK
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


def _login(
    browser, url: str, username: str, width: int = 1366, *, height: int = 860, locale: str | None = None
):
    context = browser.new_context(
        viewport={"width": width, "height": height}, accept_downloads=True, locale=locale
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill("payinvest-demo")
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("whoami").filter(has_text=username).wait_for()
    return context, page, errors


def test_investigation_approval_and_compliance(live_server: dict, browser) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    url = live_server["url"]
    executed_before = len(live_server["port"].action_rows())
    ctx_a, analyst, errors_a = _login(browser, url, "analyst1")
    analyst.get_by_test_id("new-conversation").click()
    analyst.get_by_test_id("conversation-item").first.wait_for()
    box = analyst.get_by_test_id("message-input")
    box.fill(f"Customer says payment {UETR_STUCK} never arrived")
    box.press("Shift+Enter")  # a newline, not a send
    assert analyst.get_by_test_id("assistant-message").count() == 0
    box.press("Enter")
    # The verified summary and the findings below it both cite the section: two buttons.
    analyst.get_by_test_id("citation").filter(has_text="SOP-002 §3").first.wait_for()
    analyst.get_by_test_id("proposal").first.wait_for()
    assert "camt.110" in analyst.get_by_test_id("proposal").first.inner_text()
    assert analyst.get_by_test_id("ai-label").first.is_visible()
    analyst.get_by_test_id("evidence-card").first.wait_for()
    analyst.get_by_test_id("tracker-timeline").locator("li").first.wait_for()
    # The checklist names the searched section first, then the case type's own SOP, and how many more.
    step = analyst.get_by_test_id("step-procedure").last
    assert step.inner_text().endswith("SOP-002 §3, SOP-001 §4.1, SOP-001 §5.1 and 1 more")
    clock = analyst.get_by_test_id("sla-clock")
    assert clock.get_attribute("data-due") == "2099-01-15" and "Answer due: " in clock.inner_text()
    analyst.get_by_test_id("citation").filter(has_text="SOP-002 §3").first.click()
    sop_text = analyst.get_by_test_id("sop-text")
    sop_text.wait_for()
    assert "<b>x</b>" in sop_text.inner_text()  # shown as text, never parsed as markup
    analyst.screenshot(path=str(SCREENSHOTS / "analyst-flow.png"), full_page=False)
    analyst.get_by_test_id("submit-proposals").click()
    analyst.get_by_test_id("proposal-status").filter(has_text="submitted").first.wait_for()
    listed = analyst.locator("[data-testid=conversation-item].active").get_by_test_id("conversation-status")
    listed.filter(has_text="awaiting approval").wait_for()

    ctx_s, sup, errors_s = _login(browser, url, "supervisor1")
    sup.get_by_test_id("queue-row").first.wait_for()
    assert "analyst1" in sup.get_by_test_id("queue-row").first.inner_text()
    sup.get_by_test_id("queue-sla").filter(has_text="2099-01-15").first.wait_for()
    rows = sup.get_by_test_id("queue-row").count()
    sup.get_by_test_id("filter-sla-breached").check()  # due 2099: not breached, so filtered out
    sup.get_by_test_id("approval-queue").get_by_text("No proposal matches the filters.").wait_for()
    sup.get_by_test_id("filter-sla-breached").uncheck()
    assert sup.get_by_test_id("queue-row").count() == rows
    sup.get_by_test_id("filter-amount").fill("999999999999")
    assert sup.get_by_test_id("queue-row").count() == 0
    sup.get_by_test_id("filter-amount").fill("")
    sup.get_by_test_id("open-proposal").first.click()
    sup.get_by_test_id("proposal-conversation").get_by_text("never arrived").first.wait_for()
    # The evidence the proposal rests on and the procedure section its turn cites, side by side.
    basis = sup.get_by_test_id("proposal-basis")
    basis.get_by_test_id("basis-sop-title").filter(has_text="SOP-002 §3").wait_for()
    assert "<b>x</b>" in basis.get_by_test_id("basis-sop-text").inner_text()  # as text, never markup
    cards = basis.get_by_test_id("basis-evidence").get_by_test_id("evidence-card")
    assert cards.count() >= 1
    basis.locator(
        "[data-testid=evidence-card][data-full=true]"
    ).first.wait_for()  # labelled fields, as the analyst's
    left, right = (
        basis.get_by_test_id("basis-evidence").bounding_box(),
        basis.get_by_test_id("basis-sop").bounding_box(),
    )
    assert left and right and left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 2
    sup.get_by_test_id("approve").click()
    sup.get_by_test_id("decision-done").filter(has_text="Approved: investigation").wait_for()
    sup.screenshot(path=str(SCREENSHOTS / "supervisor.png"))

    analyst.get_by_test_id("proposal-status").filter(has_text="executed").first.wait_for()
    result = analyst.get_by_test_id("proposal-result").first.inner_text()
    assert result.startswith("Executed, camt.110.001.01 sent, ") and "action " in result  # in words, not JSON
    assert len(live_server["port"].action_rows()) == executed_before + 1
    listed.filter(has_text="executed").wait_for()

    ctx_c, comp, errors_c = _login(browser, url, "compliance1")
    comp.get_by_test_id("search-user").fill("analyst1")
    comp.get_by_test_id("search-form").locator("button[type=submit]").click()
    comp.get_by_test_id("result-row").first.wait_for()
    comp.get_by_test_id("open-replay").first.click()
    comp.get_by_test_id("replay-event").first.wait_for()
    comp.get_by_test_id("replay-next").click()
    assert comp.get_by_test_id("replay-event").count() == 2
    headers = comp.get_by_test_id("results-table").locator("th").all_inner_texts()
    assert headers[:4] == ["Conversation", "Users", "First event", "Matching events"]
    stamp = comp.get_by_test_id("replay-event").first.locator("time")
    assert not re.match(r"\d{4}-\d{2}-\d{2}T", stamp.inner_text())  # shown in words, not raw ISO
    assert re.match(r"\d{4}-\d{2}-\d{2}T", stamp.get_attribute("datetime") or "")
    assert not comp.get_by_test_id("replay-event").first.locator("pre").is_visible()  # JSON one click away
    comp.get_by_test_id("replay-all").click()
    total = comp.get_by_test_id("replay-event").count()
    types = comp.get_by_test_id("replay-type").locator("option").evaluate_all("os => os.map(o => o.value)")
    assert types[0] == "" and len(types) > 2  # "all event types", then the conversation's own types
    comp.get_by_test_id("replay-type").select_option(types[1])
    shown = comp.locator("[data-testid=replay-event]:visible").count()
    assert 1 <= shown < total
    comp.get_by_test_id("replay-type").select_option("")
    comp.get_by_test_id("verify-chain").click()
    comp.get_by_test_id("chain-status").filter(has_text="verified").wait_for()
    assert "head: seq" in comp.get_by_test_id("chain-head").inner_text()
    with comp.expect_download() as download_info:
        comp.get_by_test_id("export-pack").click()
    path = download_info.value.path()
    pack = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    manifest = json.loads(pack.read("manifest.json"))
    assert manifest["chain_verification"]["ok"] and manifest["personal_data_masked"]
    assert "Jane Marlowe" not in pack.read("events.jsonl").decode()
    comp.screenshot(path=str(SCREENSHOTS / "compliance.png"))
    assert errors_a == errors_s == errors_c == []
    for ctx in (ctx_a, ctx_s, ctx_c):
        ctx.close()


def test_narrow_width_and_bad_login(live_server: dict, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(live_server["url"] + "/")
    page.get_by_test_id("login-username").fill("analyst1")
    page.get_by_test_id("login-password").fill("wrong")
    page.get_by_test_id("login-submit").click()
    banner = page.get_by_test_id("error-banner")
    banner.filter(has_text="invalid_credentials").wait_for()
    page.get_by_test_id("login-password").fill("payinvest-demo")
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("message-input").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.screenshot(path=str(SCREENSHOTS / "analyst-narrow.png"))
    context.close()


def test_edit_shows_diff_and_self_approval_is_refused_then_admin_switch(live_server: dict, browser) -> None:
    url = live_server["url"]
    executed_before = len(live_server["port"].action_rows())
    ctx_a, analyst, errors_a = _login(browser, url, "analyst2")
    # A claim of non-receipt ("where is ...?" alone reads as a status chaser, which proposes nothing here).
    analyst.get_by_test_id("message-input").fill(f"The beneficiary says {UETR_STUCK} never arrived")
    analyst.get_by_test_id("send").click()
    analyst.get_by_test_id("submit-proposals").click()
    analyst.get_by_test_id("proposal-status").filter(has_text="submitted").first.wait_for()
    listed = analyst.locator("[data-testid=conversation-item].active").get_by_test_id("conversation-status")
    listed.filter(has_text="awaiting approval").wait_for()

    ctx_s, sup, errors_s = _login(browser, url, "supervisor1")
    sup.get_by_test_id("queue-row").filter(has_text="analyst2").first.get_by_test_id("open-proposal").click()
    sup.get_by_test_id("edit-box").locator("summary").click()
    editor = sup.get_by_test_id("edit-args")
    args = json.loads(editor.input_value())
    editor.fill(json.dumps({**args, "responder_bic": "DEUTDEFFXXX"}))
    sup.get_by_test_id("preview-edit").click()
    diff = sup.get_by_test_id("args-diff")
    assert "responder_bic" in diff.inner_text() and "DEUTDEFFXXX" in diff.inner_text()
    sup.get_by_test_id("save-edit").click()
    sup.get_by_test_id("decision-done").wait_for()
    sup.get_by_test_id("queue-row").filter(has_text="supervisor1").first.get_by_test_id(
        "open-proposal"
    ).click()
    sup.get_by_test_id("approve").click()
    # The refusal shows next to the buttons that caused it, and they are usable again.
    sup.get_by_test_id("decision-error").filter(has_text="four_eyes_violation").wait_for()
    assert sup.get_by_test_id("approve").is_enabled()
    sup.screenshot(path=str(SCREENSHOTS / "supervisor-four-eyes.png"))
    assert len(live_server["port"].action_rows()) == executed_before  # nothing ran

    ctx_ad, admin, errors_ad = _login(browser, url, "admin1")
    admin.get_by_test_id("user-row").first.wait_for()
    toggle = admin.get_by_test_id("toggle-llm_enabled")
    assert toggle.is_checked()
    assert " ".join(admin.get_by_test_id("switch-llm_enabled").inner_text().split()) == "LLM enabled: on"
    headers = admin.get_by_test_id("users-table").locator("th").all_inner_texts()
    assert headers[:4] == ["User", "Role", "Approval limit (EUR)", "Status"]
    toggle.uncheck()
    admin.get_by_test_id("controls-changed").get_by_text("last changed by admin1").wait_for()
    assert " ".join(admin.get_by_test_id("switch-llm_enabled").inner_text().split()) == "LLM enabled: off"
    analyst.get_by_test_id("new-conversation").click()
    analyst.get_by_test_id("message-input").fill("anything")
    analyst.get_by_test_id("send").click()
    analyst.get_by_test_id("error-banner").filter(has_text="llm_disabled").wait_for()
    admin.get_by_test_id("toggle-llm_enabled").check()
    admin.screenshot(path=str(SCREENSHOTS / "admin.png"))
    assert errors_a == errors_s == errors_ad == []
    for ctx in (ctx_a, ctx_s, ctx_ad):
        ctx.close()
