"""A thumbs-down in the chat becomes an evaluation candidate that an admin accepts in the admin view; the
accepted case is in the feedback dataset the next evaluation run reads."""

from __future__ import annotations

import pytest

from evals.candidates import feedback_dataset_path
from evals.dataset import load_dataset
from tests.app.real_agent import UETR_STUCK
from tests.browser.test_investigation_flow import _login

pytestmark = pytest.mark.browser


def test_thumbs_down_becomes_an_eval_case_an_admin_accepts(live_server: dict, browser) -> None:
    url, settings = live_server["url"], live_server["app"].state.settings
    ctx_a, analyst, errors_a = _login(browser, url, "analyst1")
    analyst.get_by_test_id("new-conversation").click()
    analyst.get_by_test_id("conversation-item").first.wait_for()
    message = f"customer says {UETR_STUCK} still not there"
    analyst.get_by_test_id("message-input").fill(message)
    analyst.get_by_test_id("message-input").press("Enter")
    # The first turn of this module's server loads the embedder and the classifier: slow on a busy machine.
    analyst.get_by_test_id("proposal").first.wait_for(timeout=120_000)
    box = analyst.get_by_test_id("assistant-message").last
    box.get_by_test_id("feedback-case-type").select_option("status_chaser")
    box.get_by_test_id("feedback-comment").fill("this is a chaser, not a claim")
    box.get_by_test_id("thumbs-down").click()
    box.get_by_test_id("feedback-done").filter(has_text="evaluation case").wait_for()
    assert box.get_by_test_id("thumbs-down").get_attribute("aria-pressed") == "true"
    assert box.get_by_test_id("thumbs-up").get_attribute("aria-pressed") == "false"
    # After a reload the reopened conversation shows the feedback it was given.
    analyst.reload()
    again = analyst.get_by_test_id("assistant-message").last
    again.locator("[data-testid=thumbs-down][aria-pressed=true]").wait_for()
    assert again.get_by_test_id("thumbs-up").get_attribute("aria-pressed") == "false"
    assert again.get_by_test_id("feedback-comment").input_value() == "this is a chaser, not a claim"

    ctx_b, admin, errors_b = _login(browser, url, "admin1")
    row = admin.get_by_test_id("candidate-row").filter(has_text=message)
    row.wait_for()
    assert "case type should be status_chaser" in row.inner_text()
    assert (
        row.get_by_test_id("candidate-case-type").input_value() == "status_chaser"
    )  # the correction, preselected
    row.get_by_test_id("candidate-facts").fill("G002")
    row.get_by_test_id("candidate-accept").click()
    admin.get_by_test_id("eval-candidates").filter(has_text="No evaluation candidates waiting").wait_for()

    [case] = [c for c in load_dataset(feedback_dataset_path(settings)) if c.turns[0].content == message]
    assert case.case_type == "status_chaser" and case.required_facts == ["G002"]
    assert case.expected_proposals  # the agent's proposal, kept as the admin left it
    assert errors_a == [] and errors_b == []
    ctx_a.close()
    ctx_b.close()
