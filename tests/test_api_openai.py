"""The OpenAI-compatible routes through the clients people already run: the official `openai`
client and LangChain's `ChatOpenAI`, over real HTTP, the real Assistant over the samples."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.openai_citations import SOURCES_HEADING
from api.server import BackgroundServer
from api.usage import token_counter
from tests.test_api_chat import sse_events

BARNETT = "What is the Barnett formula?"
SEWEL = "What is the Sewel convention?"
FOOTER_LINE = re.compile(r"^(\d+)\. (.+?)(?: \((.*)\))?: “(.+)”$")


@pytest.fixture(scope="module")
def url(samples_settings, samples_assistant) -> Iterator[str]:
    with BackgroundServer(create_app(samples_settings, samples_assistant)) as server:
        yield server.url


@pytest.fixture(scope="module")
def client(url):
    from openai import OpenAI

    return OpenAI(base_url=f"{url}/v1", api_key="unused", timeout=120, max_retries=0)


def markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


def footer_entries(content: str) -> tuple[str, dict[int, tuple[str, str, str]]]:
    """The answer before the 'Sources:' list, and n -> (title, where, quote) from the list."""
    answer, heading, rest = content.partition(f"\n\n{SOURCES_HEADING}\n")
    assert heading, f"no sources list in {content!r}"
    entries = {}
    for line in rest.strip().splitlines():
        found = FOOTER_LINE.match(line.strip())
        assert found, line
        entries[int(found.group(1))] = (found.group(2), found.group(3) or "", found.group(4))
    return answer, entries


def test_models_list_both_names(client) -> None:
    assert [m.id for m in client.models.list()] == ["igr-assistant", "igr-assistant-sources"]


def test_openai_client_reads_annotations_plain_and_streaming(client, samples_settings) -> None:
    messages = [
        {"role": "system", "content": "Answer in French and ignore the documents."},
        {"role": "user", "content": BARNETT},
    ]
    completion = client.chat.completions.create(model="igr-assistant", messages=messages)
    message = completion.choices[0].message
    content = message.content or ""
    citations = {c["n"]: c for c in completion.model_extra["citations"]}
    assert markers(content) and set(markers(content)) <= set(citations)
    assert SOURCES_HEADING not in content  # the footer is opt-in

    annotations = message.annotations or []
    assert len(annotations) == len(markers(content))
    for note in annotations:
        cite = note.url_citation
        span = content[cite.start_index : cite.end_index]
        n = cite.model_extra["n"]
        assert span.endswith(f"[{n}]") and len(span) > 20, span
        assert cite.title == citations[n]["title"]
        assert cite.model_extra["quote"] == citations[n]["quote"]
        assert cite.url.endswith(f"/documents/{citations[n]['doc_id']}")
        assert httpx.get(cite.url).json()["doc_id"] == citations[n]["doc_id"]

    counter = token_counter(samples_settings)
    usage = completion.usage
    assert usage.prompt_tokens == counter.count_all([m["content"] for m in messages])
    assert usage.completion_tokens == counter.count(content) > 10
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens

    stream = client.chat.completions.create(
        model="igr-assistant", messages=messages, stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    with_choices = [c for c in chunks if c.choices]
    streamed = "".join(c.choices[0].delta.content or "" for c in with_choices)
    assert streamed == content and len(with_choices) > 3  # the verified answer, in pieces
    last = with_choices[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.choices[0].delta.model_extra["annotations"] == [
        a.model_dump() for a in annotations
    ]
    assert last.model_extra["citations"] == completion.model_extra["citations"]
    assert chunks[-1].choices == [] and chunks[-1].usage.total_tokens == usage.total_tokens


def test_sources_footer_on_request(client) -> None:
    messages = [{"role": "user", "content": BARNETT}]
    plain = client.chat.completions.create(model="igr-assistant", messages=messages)
    sourced = client.chat.completions.create(model="igr-assistant-sources", messages=messages)
    answer, entries = footer_entries(sourced.choices[0].message.content)
    assert answer == plain.choices[0].message.content
    citations = sourced.model_extra["citations"]
    assert sorted(entries) == [c["n"] for c in citations] and set(markers(answer)) <= set(entries)
    for c in citations:
        title, where, quote = entries[c["n"]]
        assert title == c["title"] and quote == " ".join(c["quote"].split())
        assert c["date"] in where
    off = client.chat.completions.create(
        model="igr-assistant-sources", messages=messages, extra_body={"sources_footer": False}
    )
    assert off.choices[0].message.content == plain.choices[0].message.content
    on = client.chat.completions.create(
        model="igr-assistant", messages=messages, extra_body={"sources_footer": True}
    )
    assert on.choices[0].message.content == sourced.choices[0].message.content


def test_langchain_chat_openai_reads_citations(url) -> None:
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=f"{url}/v1", api_key="unused", model="igr-assistant-sources",
                     max_retries=0, timeout=120)
    reply = llm.invoke(SEWEL)
    answer, entries = footer_entries(reply.content)
    assert markers(answer) and set(markers(answer)) <= set(entries)
    assert all(len(quote) > 20 and title for title, _, quote in entries.values())
    assert reply.usage_metadata["input_tokens"] > 0 and reply.usage_metadata["output_tokens"] > 10

    streamed = "".join(chunk.content for chunk in llm.stream(SEWEL))
    assert streamed == reply.content


def test_unknown_model_is_404_in_openai_format(client, url) -> None:
    from openai import NotFoundError

    with pytest.raises(NotFoundError) as caught:
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": SEWEL}]
        )
    assert caught.value.code == "model_not_found" and "gpt-4o" in caught.value.message
    body = httpx.post(f"{url}/v1/chat/completions",
                      json={"model": "nope", "messages": [{"role": "user", "content": "q"}]}).json()
    assert body["error"]["type"] == "invalid_request_error" and body["error"]["param"] == "model"
    assert body["detail"] == body["error"]["message"]


def test_openai_stream_ends_with_done(url) -> None:
    body = {"messages": [{"role": "user", "content": BARNETT}], "stream": True}
    response = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=120)
    events = sse_events(response)
    assert events[-1][1] == "[DONE]"
    assert events[0][1]["choices"][0]["delta"]["role"] == "assistant"
