"""The chat page in real headless Chromium against the real server over the samples store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.server import BackgroundServer
from tests.conftest import copy_store, make_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path("/tmp/igr-page")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def page_url(samples_settings, samples_assistant) -> Iterator[str]:
    with BackgroundServer(create_app(samples_settings, samples_assistant)) as server:
        yield server.url


@pytest.fixture()
def page(browser, page_url):
    context = browser.new_context(base_url=page_url, viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto("/")
    yield tab
    context.close()
    assert errors == [], errors


def ask(page, question: str) -> None:
    page.get_by_label("Your question").fill(question)
    page.keyboard.press("Enter")


def test_ask_see_answer_open_citation(page, samples_assistant) -> None:
    types = {d.doc_type for d in samples_assistant.documents() if d.doc_type}
    options = page.locator("#doc-type option")
    options.nth(len(types)).wait_for(state="attached")
    assert set(options.all_text_contents()[1:]) == types

    ask(page, "What is the Barnett formula?")
    answer = page.locator(".turn .answer").last
    chip = answer.locator("button.chip").first
    chip.wait_for(timeout=60_000)
    assert answer.get_attribute("aria-busy") == "false"
    assert "Barnett" in answer.inner_text()

    chip.focus()
    page.keyboard.press("Enter")  # keyboard works, not just the mouse
    panel = page.locator("#source")
    panel.wait_for(state="visible")
    quote = page.locator("#src-quote").inner_text().strip("“” \n")
    assert len(quote) > 20 and quote.split()[0] in answer.inner_text()
    assert page.locator("#src-title").inner_text().startswith("The Barnett formula")
    assert page.locator("#src-date").inner_text() != ""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "answer-with-source.png"), full_page=True)
    check_sources_and_copy(page, answer)

    ask(page, "Who was it named after?")  # a follow-up keeps the conversation
    second = page.locator(".turn .answer").nth(1)
    second.locator("button.chip").first.wait_for(timeout=60_000)
    assert page.locator(".turn").count() == 2
    page.locator("#source-title").focus()
    page.keyboard.press("Escape")
    panel.wait_for(state="hidden")


def check_sources_and_copy(page, answer) -> None:
    """Under the answer: one line per source with its date, and a copy button that copies
    the answer with a 'Sources:' list."""
    turn = page.locator(".turn").last
    numbers = sorted({int(n) for n in answer.locator("button.chip").all_inner_texts()})
    items = turn.locator("ol.sources li")
    assert items.count() == len(numbers)
    first = items.first.inner_text()
    assert first.startswith("[1] ") and "Barnett formula" in first and "20" in first
    turn.locator("ol.sources button.source-link").first.click()
    assert page.locator("#src-title").inner_text().startswith("The Barnett formula")

    turn.get_by_role("button", name="Copy answer").click()
    turn.locator(".copy-status", has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    body, _, sources = copied.partition("\n\nSources:\n\n")
    assert "Barnett" in body and "[1]" in body
    assert sources.startswith("1. ") and "Barnett formula" in sources.splitlines()[0]
    assert ": “" in sources.splitlines()[0]


def test_the_answer_is_highlighted_inside_its_quote(page) -> None:
    ask(page, "When was the first Mayor of London elected?")
    answer = page.locator(".turn .answer").last
    answer.locator("button.chip").first.wait_for(timeout=60_000)
    answer.locator("button.chip").first.click()
    mark = page.locator("#src-quote mark.answer-span").first
    mark.wait_for(state="visible")
    assert "2000" in mark.inner_text()
    assert mark.inner_text() in page.locator("#src-quote").inner_text()


def test_filters_are_sent_with_the_question(page) -> None:
    page.locator("summary", has_text="Filters").click()
    page.locator("#doc-type option").nth(1).wait_for(state="attached")
    chosen = page.locator("#doc-type option").nth(1).get_attribute("value")
    page.get_by_label("Document type").select_option(chosen)
    page.get_by_label("From date").fill("2024")
    with page.expect_request("**/chat") as sent:
        ask(page, "What is the Sewel convention?")
    body = sent.value.post_data_json
    assert body["filters"] == {"doc_type": [chosen], "date_from": "2024"}
    assert body["stream"] is True and body["history"] == []
    page.locator(".turn .answer[aria-busy='false']").wait_for(timeout=60_000)
    shown = page.locator(".turn .applied-filters").inner_text()
    assert shown == f"Searched only: type: {chosen} · from 2024"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "filters-applied.png"))


def test_refused_question_shows_the_refused_state(page) -> None:
    ask(page, "What is the recipe for a Victoria sponge cake?")
    refused = page.locator(".answer.refused")
    refused.wait_for(timeout=60_000)
    assert "Not in the documents" in refused.inner_text()
    closest = refused.locator(".closest li").all_inner_texts()
    assert closest and all(re.search(r"\(\d{4}(-\d\d){0,2}", item) for item in closest)
    for item in closest:  # each closest document is listed once, with its date
        title = item.split(" (")[0]
        assert refused.inner_text().count(title) == 1, refused.inner_text()
    assert refused.locator("button.chip").count() == 0
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "refused.png"))


def test_bad_input_and_network_errors_are_shown(page) -> None:
    ask(page, "x" * 2100)  # longer than max_question_chars
    status = page.locator("#status")
    status.wait_for(state="visible")
    assert "not accepted" in status.inner_text() and "too long" in status.inner_text()
    page.route("**/chat", lambda route: route.abort())
    ask(page, "What is the Sewel convention?")
    page.wait_for_function("document.getElementById('status').innerText.includes('reach')")


def test_api_key_prompt_on_401(browser, samples_settings, samples_assistant, tmp_path) -> None:
    store = tmp_path / "store"
    copy_store(samples_settings.store_dir, store)
    keyed = make_settings(store, api_keys=["sesame"])
    with BackgroundServer(create_app(keyed, samples_assistant)) as server:
        context = browser.new_context(base_url=server.url)
        tab = context.new_page()
        tab.goto("/")
        ask(tab, "What is the Sewel convention?")
        dialog = tab.locator("#key-dialog")
        dialog.wait_for(state="visible")
        assert "API key" in tab.locator("#status").inner_text()
        tab.locator("#api-key").fill("sesame")
        tab.locator("#key-save").click()
        dialog.wait_for(state="hidden")  # asked only once the key is saved, as a user would
        ask(tab, "What is the Sewel convention?")
        tab.locator(".turn").nth(1).wait_for()  # the question was sent
        tab.locator(".turn .answer button.chip").first.wait_for(timeout=60_000)
        assert tab.evaluate("localStorage.getItem('igr-api-key')") == "sesame"
        context.close()


def test_phone_width_answer_and_refusal(browser, page_url) -> None:
    """At phone width nothing overflows sideways, and the answer tools are there."""
    context = browser.new_context(base_url=page_url, viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    tab = context.new_page()
    tab.goto("/")
    ask(tab, "What is the Barnett formula?")
    tab.locator(".turn .answer button.chip").first.wait_for(timeout=60_000)
    tab.locator(".turn .answer-tools").wait_for()
    ask(tab, "What is the recipe for a Victoria sponge cake?")
    tab.locator(".answer.refused").wait_for(timeout=60_000)
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "phone-answer-and-refusal.png"), full_page=True)
    context.close()
