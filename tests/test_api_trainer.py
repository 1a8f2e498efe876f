"""Issue 11 over HTTP (real server, samples store): /glossary, /quiz, /feedback, and the
jurisdiction on answers and in filters of /chat and the OpenAI endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.server import BackgroundServer


@pytest.fixture(scope="module")
def url(samples_settings, samples_assistant, tmp_path_factory) -> Iterator[str]:
    settings = samples_settings.model_copy(update={
        "feedback_db": tmp_path_factory.mktemp("feedback") / "feedback.sqlite3",
    })
    with BackgroundServer(create_app(settings, samples_assistant)) as server:
        yield server.url


def test_answers_and_citations_say_where_they_apply(url):
    body = httpx.post(f"{url}/chat", json={"question": "What is the Barnett formula?"},
                      timeout=180).json()
    assert body["citations"]
    codes = {"uk", "england", "scotland", "wales", "northern-ireland", "international"}
    union = set()
    for citation in body["citations"]:
        assert set(citation["jurisdictions"]) <= codes
        union |= set(citation["jurisdictions"])
    assert set(body["jurisdictions"]) == union and union
    assert all("jurisdictions" in r for r in body["retrieved"])


def test_chat_filters_by_jurisdiction_and_rejects_unknown_ones(url):
    body = httpx.post(f"{url}/chat", timeout=180, json={
        "question": "How are legislative consent motions handled?",
        "filters": {"jurisdiction": ["Wales"]},
    }).json()
    assert body["retrieved"] and all("wales" in r["jurisdictions"] for r in body["retrieved"])
    bad = httpx.post(f"{url}/chat", timeout=30, json={
        "question": "Anything?", "filters": {"jurisdiction": ["Atlantis"]},
    })
    assert bad.status_code == 422
    assert "unknown jurisdiction 'Atlantis'" in bad.json()["detail"]


def test_openai_endpoint_takes_the_jurisdiction_filter_in_extra_body(url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key="unused", timeout=180)
    completion = client.chat.completions.create(
        model="igr-assistant",
        messages=[{"role": "user", "content": "What is the Barnett formula?"}],
        extra_body={"filters": {"jurisdiction": ["england"]}},
    )
    citations = completion.model_extra["citations"]
    assert all("england" in c["jurisdictions"] for c in citations)


def test_glossary_lists_and_looks_up_terms(url, samples_assistant):
    glossary = httpx.get(f"{url}/glossary", timeout=300).json()
    assert glossary["entries"]
    for entry in glossary["entries"]:
        chunk = samples_assistant.store.get([entry["citation"]["chunk_id"]])[0]
        assert entry["definition"] in chunk.text
    term = glossary["entries"][0]["term"]
    found = httpx.get(f"{url}/glossary", params={"term": term.upper()}).json()
    assert [e["term"] for e in found] == [term]
    missing = httpx.get(f"{url}/glossary", params={"term": "zebra crossings"})
    assert missing.status_code == 404 and "no glossary entry" in missing.json()["detail"]


def test_quiz_questions_and_limits(url, samples_assistant):
    too_many = httpx.get(f"{url}/quiz", params={"n": 999})
    assert too_many.status_code == 422 and "IGR_QUIZ_MAX_QUESTIONS" in too_many.json()["detail"]
    assert httpx.get(f"{url}/quiz", params={"n": 0}).status_code == 422
    quiz = httpx.get(f"{url}/quiz", params={"n": 3, "seed": 5}, timeout=600).json()
    assert 1 <= len(quiz["items"]) <= 3
    for item in quiz["items"]:
        chunk = samples_assistant.store.get([item["citation"]["chunk_id"]])[0]
        assert item["citation"]["quote"] in chunk.text
        assert item["options"][item["answer_index"]] == item["answer"]
        assert samples_assistant.verifier.is_supported(
            item["passage"].replace("_____", item["answer"]), [item["citation"]["quote"]]
        )
    same = httpx.get(f"{url}/quiz", params={"n": 3, "seed": 5}, timeout=60).json()
    assert same == quiz


def test_feedback_validation_and_reading(url):
    ok = httpx.post(f"{url}/feedback", json={"rating": "up", "question": "What is IGR?",
                                              "answer": "A thing. [1]"})
    assert ok.status_code == 201 and ok.json()["id"] >= 1
    for bad, reason in (
        ({"rating": "sideways", "question": "Q?"}, "rating"),
        ({"rating": "up", "question": ""}, "question"),
        ({"rating": "up", "question": "Q?", "comment": "x" * 2001}, "comment: longer than 2000"),
        ({"rating": "up", "question": "Q?", "surprise": 1}, "unknown field"),
    ):
        response = httpx.post(f"{url}/feedback", json=bad)
        assert response.status_code == 422 and reason in response.json()["detail"], bad
    listed = httpx.get(f"{url}/feedback", params={"rating": "up"}).json()
    assert listed["total"] >= 1 and listed["items"][0]["question"] == "What is IGR?"


def test_documents_list_where_they_apply(url):
    docs = httpx.get(f"{url}/documents", timeout=60).json()
    assert docs and all(d["jurisdictions"] for d in docs)
    assert any("uk" in d["jurisdictions"] for d in docs)
