"""The analyst's chat: markdown replies, kept line breaks, reload during a turn, stop, search, rename, copy,
dark theme. Waits on states (data-state, test ids, the turn gate), never on time."""

from __future__ import annotations

import pytest

from tests.app.real_agent import UETR_STUCK
from tests.browser.test_investigation_flow import _login

pytestmark = pytest.mark.browser
QUESTION = f"Customer says payment {UETR_STUCK} never arrived"
MARKDOWN = "**Held** at the intermediary.\n\n- first check\n- second check\n\nSend `camt.110` <script>window.__x = 1</script> [SOP-002 §3]"


def _seed_conversation(live_server: dict, title: str, answer: str) -> str:
    """A finished conversation of analyst1 with one recorded turn (as an earlier session left it)."""
    service = live_server["app"].state.agent_service
    thread_id = "seed-" + title.lower().replace(" ", "-")
    service.conversation_store.record_turn(
        thread_id=thread_id, owner="analyst1", title=title, case_type=None, references={}
    )
    service.store.save_turn(
        thread_id=thread_id,
        turn=1,
        user="analyst1",
        message=title,
        result={"answer": answer, "tool_calls": []},
    )
    return thread_id


def _new_conversation(page) -> None:
    page.get_by_test_id("new-conversation").click()
    page.locator("[data-testid=conversation-item].active").filter(has_text="New conversation").wait_for()


def _ask(page, text: str) -> None:
    _new_conversation(page)
    box = page.get_by_test_id("message-input")
    box.fill(text)
    box.press("Enter")


def test_markdown_reply_is_rendered_without_raw_html(live_server: dict, browser) -> None:
    _seed_conversation(live_server, "Markdown reply", MARKDOWN)
    ctx, page, errors = _login(browser, live_server["url"], "analyst1")
    page.get_by_test_id("conversation-item").filter(has_text="Markdown reply").click()
    answer = page.get_by_test_id("answer-text").first
    answer.locator("strong").filter(has_text="Held").wait_for()
    assert answer.locator("li").all_inner_texts() == ["first check", "second check"]
    assert answer.locator("code").inner_text() == "camt.110"
    assert answer.locator("script").count() == 0 and "<script>" in answer.inner_text()
    assert page.evaluate("window.__x") is None
    answer.get_by_test_id("citation").filter(has_text="SOP-002 §3").click()
    page.get_by_test_id("sop-text").wait_for()
    assert errors == []
    ctx.close()


def test_reload_during_a_turn_shows_it_continuing_then_its_result(live_server: dict, browser) -> None:
    gate = live_server["gate"]
    ctx, page, errors = _login(browser, live_server["url"], "analyst1")
    gate.close()
    _new_conversation(page)
    box = page.get_by_test_id("message-input")
    box.fill("Customer says payment")
    box.press("Shift+Enter")
    box.type(f"{UETR_STUCK} never arrived")
    box.press("Enter")
    assert gate.waiting.wait(30), "the turn did not reach the tracker read"
    page.get_by_test_id("stop").wait_for()  # running
    user_message = page.get_by_test_id("user-message").last
    assert user_message.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert user_message.inner_text() == f"Customer says payment\n{UETR_STUCK} never arrived"

    page.reload()
    page.locator("[data-testid=assistant-message][data-state=streaming]").wait_for()
    page.get_by_test_id("stop").wait_for()
    assert UETR_STUCK in page.get_by_test_id("user-message").last.inner_text()
    gate.release()
    done = page.locator("[data-testid=assistant-message][data-state=done]").last
    done.get_by_test_id("citation").filter(has_text="SOP-002 §3").first.wait_for()
    page.get_by_test_id("proposal").first.wait_for()
    assert page.get_by_test_id("stop").is_hidden()
    assert errors == []
    ctx.close()


@pytest.mark.parametrize("how", ["button", "escape"])
def test_stop_ends_the_running_turn(live_server: dict, browser, how: str) -> None:
    gate = live_server["gate"]
    ctx, page, errors = _login(browser, live_server["url"], "analyst1")
    gate.close()
    try:
        _ask(page, QUESTION)
        assert gate.waiting.wait(30), "the turn did not reach the tracker read"
        page.get_by_test_id("stop").wait_for()
        if how == "button":
            page.get_by_test_id("stop").click()
        else:
            page.get_by_test_id("message-input").press("Escape")
        page.get_by_test_id("turn-stopped").wait_for()
        page.locator("[data-testid=assistant-message][data-state=done]").wait_for()
        assert page.get_by_test_id("stop").is_hidden() and page.get_by_test_id("send").is_enabled()
        assert page.get_by_test_id("proposal").count() == 0
    finally:
        gate.release()
    assert errors == []
    ctx.close()


def test_search_finds_an_old_conversation_and_rename_changes_its_title(live_server: dict, browser) -> None:
    _seed_conversation(live_server, "Recall of the Lisbon duplicate", "Recalled.")
    _seed_conversation(live_server, "Fee query from Rotterdam", "Charges explained.")
    ctx, page, errors = _login(browser, live_server["url"], "analyst1")
    items = page.get_by_test_id("conversation-item")
    items.filter(has_text="Fee query from Rotterdam").wait_for()
    page.get_by_test_id("conversation-search").fill("lisbon")
    items.filter(has_text="Fee query from Rotterdam").wait_for(state="detached")
    assert page.locator("[data-testid=conversation-item] .conv-title").all_inner_texts() == [
        "Recall of the Lisbon duplicate"
    ]
    found = items.first
    assert found.get_by_test_id("conversation-status").inner_text() == "answered"
    when = found.get_by_test_id("conversation-time")
    assert when.get_attribute("datetime") and when.inner_text().strip()  # today's: the time in the locale
    items.first.click()
    page.get_by_test_id("answer-text").filter(has_text="Recalled.").wait_for()

    page.get_by_test_id("rename-conversation").first.click()
    field = page.get_by_test_id("rename-input")
    field.fill("Lisbon duplicate, recalled")
    field.press("Enter")
    items.filter(has_text="Lisbon duplicate, recalled").wait_for()
    page.get_by_test_id("conversation-search").fill("nothing like this")
    page.get_by_test_id("no-conversations").wait_for()
    assert errors == []
    ctx.close()


def test_copy_the_reply_and_the_iso_draft(live_server: dict, browser) -> None:
    ctx, page, errors = _login(browser, live_server["url"], "analyst1")
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server["url"])
    _ask(page, QUESTION)
    done = page.locator("[data-testid=assistant-message][data-state=done]").last
    done.wait_for()
    reply = done.get_by_test_id("answer-text").inner_text()
    done.get_by_test_id("copy-reply").click()
    done.locator("[data-testid=copy-reply][data-copied=true]").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "SOP-002 §3" in copied and copied.split()[:3] == reply.split()[:3]
    page.get_by_test_id("conversation-item").filter(
        has_text="never arrived"
    ).first.click()  # drafts from the store
    proposal = page.get_by_test_id("proposal").first
    proposal.locator("summary").click()
    proposal.get_by_test_id("copy-iso").click()
    proposal.locator("[data-testid=copy-iso][data-copied=true]").wait_for()
    assert (
        page.evaluate("navigator.clipboard.readText()") == proposal.get_by_test_id("iso-draft").inner_text()
    )
    assert "CCNR" in page.evaluate("navigator.clipboard.readText()")
    assert errors == []
    ctx.close()


def test_dark_theme_follows_the_system_setting(live_server: dict, browser) -> None:
    for scheme, background in (("dark", "rgb(12, 17, 29)"), ("light", "rgb(245, 246, 248)")):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(live_server["url"] + "/")
        page.get_by_test_id("login-view").wait_for()
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
        context.close()
