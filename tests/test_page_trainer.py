"""Issue 11 on the page, in real headless Chromium against the real server (samples store):
jurisdiction labels, feedback, and the printable Glossary and Quiz tabs."""

# ruff: noqa: F811 - the fixtures imported below are requested by name as parameters
from __future__ import annotations

import httpx
import pytest

from tests.test_api_trainer import url  # noqa: F401 - the server, with its own feedback file
from tests.test_page_chat import (  # noqa: F401 - the browser, and a fresh tab per test
    CHROMIUM,
    SCREENSHOTS,
    ask,
    browser,
    page,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def page_url(url: str) -> str:
    return url


def test_labels_are_shown_and_feedback_is_sent(page, page_url):
    ask(page, "What is the Barnett formula?")
    turn = page.locator(".turn").last
    turn.locator(".answer button.chip").first.wait_for(timeout=120_000)
    labels = turn.locator(".where-answer .jurisdiction")
    labels.first.wait_for()
    shown = set(labels.all_text_contents())
    assert shown and shown <= {"UK-wide", "England", "Scotland", "Wales", "Northern Ireland",
                               "Outside the UK"}
    assert turn.locator(".where-citations li").count() >= 1
    turn.locator(".answer button.chip").first.click()
    page.locator("#src-jurisdictions").wait_for(state="visible")
    assert page.locator("#src-jurisdictions").inner_text().strip() != ""

    turn.get_by_role("button", name="No, a wrong or unhelpful answer").click()
    turn.get_by_label("Comment (optional)").fill("It should name who the formula is named after.")
    with page.expect_response("**/feedback") as sent:
        turn.get_by_role("button", name="Send feedback").click()
    assert sent.value.status == 201
    turn.locator(".feedback-status", has_text="Thank you").wait_for()
    body = sent.value.request.post_data_json
    assert body["rating"] == "down" and body["citations"] and body["question"]
    stored = httpx.get(f"{page_url}/feedback", params={"rating": "down"}).json()
    assert any(i["comment"].startswith("It should name") for i in stored["items"])
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "labels-and-feedback.png"), full_page=True)


def test_the_jurisdiction_filter_is_sent(page):
    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Applies to").select_option("wales")
    with page.expect_request("**/chat") as sent:
        ask(page, "How are legislative consent motions handled?")
    assert sent.value.post_data_json["filters"] == {"jurisdiction": ["wales"]}
    page.locator(".turn .answer[aria-busy='false']").wait_for(timeout=120_000)


def test_glossary_tab_lists_searches_and_prints(page):
    page.get_by_role("tab", name="Glossary").click()
    assert page.locator("#chat-view").is_hidden()
    terms = page.locator("#glossary-list dt")
    terms.first.wait_for(timeout=300_000)
    count = terms.count()
    assert count >= 1
    first = terms.first.inner_text()
    assert page.locator("#glossary-list dd .quote").first.inner_text().startswith("“")
    assert "Source:" in page.locator("#glossary-list dd .trainer-source").first.inner_text()
    page.get_by_label("Find a term").fill(first.split()[0][:5])
    assert 1 <= terms.count() <= count
    page.get_by_label("Find a term").fill("zzzz")
    page.locator("#glossary-status", has_text="No term matches").wait_for()
    page.get_by_label("Find a term").fill("")
    page.emulate_media(media="print")
    assert page.locator(".print-button").first.is_hidden()
    assert page.locator("#glossary-list dt").first.is_visible()
    page.emulate_media(media="screen")
    page.get_by_role("tab", name="Ask").click()
    assert page.locator("#chat-view").is_visible()


def test_quiz_tab_asks_reveals_with_source_and_prints(page):
    quiz_tab = page.get_by_role("tab", name="Quiz")
    quiz_tab.focus()
    page.keyboard.press("End")  # keyboard navigation between tabs
    assert quiz_tab.get_attribute("aria-selected") == "true"
    items = page.locator("#quiz-list .quiz-item")
    items.first.wait_for(timeout=600_000)
    first = items.first
    assert "_____" in first.locator("blockquote").first.inner_text()
    assert first.locator(".quiz-option").count() >= 2
    assert first.locator(".quiz-answer").is_hidden()
    first.get_by_role("button", name="Reveal answer").click()
    answer = first.locator(".quiz-answer")
    answer.wait_for(state="visible")
    assert answer.inner_text().startswith("Answer:")
    assert "Source:" in answer.inner_text()
    right = first.locator(".quiz-answer-text").inner_text().removeprefix("Answer: ")
    assert any(right.startswith(o) for o in first.locator(".quiz-option").all_text_contents())
    page.get_by_role("button", name="Reveal all answers").click()
    assert page.locator("#quiz-list .quiz-answer:visible").count() == items.count()
    page.emulate_media(media="print")
    assert page.locator("#quiz-new").is_hidden() and first.is_visible()
    page.emulate_media(media="screen")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "quiz.png"), full_page=True)
