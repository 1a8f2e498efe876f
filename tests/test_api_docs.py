"""The API reference renders in real headless Chromium with no network beyond the server:
Swagger UI and ReDoc come from a package, not a CDN; fields are described, with examples."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from api.app import create_app
from api.server import BackgroundServer
from tests.test_page_chat import CHROMIUM, SCREENSHOTS, browser  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def docs_url(samples_settings, samples_assistant) -> Iterator[str]:
    with BackgroundServer(create_app(samples_settings, samples_assistant)) as server:
        yield server.url


@pytest.fixture()
def offline_tab(browser, docs_url):  # noqa: F811
    """A tab whose every request beyond the server is refused (and recorded)."""
    context = browser.new_context(base_url=docs_url, viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def only_the_server(route) -> None:
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_server)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert outside == [] and errors == [], (outside, errors)


def test_swagger_ui_renders_offline_with_examples(offline_tab) -> None:
    tab = offline_tab
    tab.goto("/docs")
    chat = tab.locator(".opblock-post", has=tab.locator(".opblock-summary-path",
                                                         has_text="/chat"))
    chat.first.wait_for(timeout=30_000)
    paths = tab.locator(".opblock-summary-path").all_inner_texts()
    assert {"/chat", "/v1/chat/completions", "/documents", "/health"} <= {
        p.replace("\u200b", "") for p in paths}
    chat.first.locator(".opblock-summary").click()
    body = chat.first.locator(".opblock-body")
    # the body element appears before Swagger UI fills it: wait for the request example
    body.get_by_text("What is the Barnett formula?").first.wait_for(timeout=30_000)
    assert "What is the Barnett formula?" in body.inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    chat.first.screenshot(path=str(SCREENSHOTS / "docs-swagger-chat.png"))


def test_redoc_renders_offline_with_descriptions(offline_tab) -> None:
    tab = offline_tab
    tab.goto("/redoc")
    tab.get_by_text("Answer a question from the documents, with verified citations.").first \
        .wait_for(timeout=60_000)
    text = tab.locator("body").inner_text()
    assert "The question, in plain words" in text  # a field's description
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "docs-redoc.png"))


def test_every_schema_property_is_described(docs_url, samples_assistant) -> None:
    import httpx

    spec = httpx.get(f"{docs_url}/openapi.json").json()
    missing = [f"{name}.{prop}"
               for name, schema in spec["components"]["schemas"].items()
               for prop, body in schema.get("properties", {}).items()
               if not body.get("description")]
    assert missing == []
    for path in ("/chat", "/v1/chat/completions"):
        body = spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        ref = body["schema"]["$ref"].rsplit("/", 1)[-1]
        assert spec["components"]["schemas"][ref]["examples"], path
    doc_type = spec["components"]["schemas"]["SearchFilters"]["properties"]["doc_type"]
    types = sorted({d.doc_type for d in samples_assistant.documents() if d.doc_type})
    assert doc_type["description"].endswith("Indexed now: " + ", ".join(types) + ".")
