"""The API over the real Assistant (real model, real Chroma) and a real server over HTTP."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.app import create_app
from api.server import BackgroundServer
from tests.conftest import make_settings

OFF_TOPIC = "What is the recipe for a Victoria sponge cake?"
BARNETT = "What is the Barnett formula?"

# Our own fictional documents, written for these tests.
ACCORD = """Title: The Kestrel Harbour Accord
Publisher: Test Fixtures Office
Date: 2031-05-14
Type: agreement
---
The Kestrel Harbour Accord is a fictional agreement written for the igr-assistant tests.

It was signed on 14 May 2031 by the ministers responsible for ports in the four governments \
of the United Kingdom. The accord creates the Joint Harbours Board, which meets every six \
weeks in Oban to settle disputes about ferry timetables.

Each government appoints two members to the Joint Harbours Board. Decisions of the board \
need the support of at least three of the four governments.
"""

UPLOAD = """Title: The Zephyrine Lighthouse Compact
Publisher: Test Fixtures Office
Date: 2032-02-03
Type: agreement
---
The Zephyrine Lighthouse Compact is a fictional arrangement written for the igr-assistant tests.

Under the compact, the lighthouse at Quarrel Point is kept by a rota of keepers drawn from \
Wales and Northern Ireland. The keepers report to the Zephyrine Council, which sets the \
lamp schedule each spring.
"""


@pytest.fixture(scope="module")
def samples_url(samples_settings, samples_assistant) -> Iterator[str]:
    with BackgroundServer(create_app(samples_settings, samples_assistant)) as server:
        yield server.url


@pytest.fixture(scope="module")
def own_url(tmp_path_factory) -> Iterator[str]:
    """A server over a store of its own (this module uploads into it)."""
    from assistant.assistant import Assistant

    corpus = tmp_path_factory.mktemp("own-corpus")
    (corpus / "kestrel-harbour-accord.txt").write_text(ACCORD, encoding="utf-8")
    settings = make_settings(tmp_path_factory.mktemp("own-store"), corpus_dirs=[corpus])
    assistant = Assistant(settings)
    assistant.ingest([corpus])
    with BackgroundServer(create_app(settings, assistant)) as server:
        yield server.url


def sse_events(response: httpx.Response) -> list[tuple[str, object]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    events: list[tuple[str, object]] = []
    for block in response.text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            joined = "\n".join(data)
            events.append((name, joined if joined == "[DONE]" else json.loads(joined)))
    return events


def assert_verifiable(result: dict) -> None:
    """Every citation quotes its chunk verbatim, and every [n] in the answer is a citation."""
    chunks = {item["chunk_id"]: item["text"] for item in result["retrieved"]}
    assert result["citations"], result
    for cite in result["citations"]:
        assert cite["quote"] in chunks[cite["chunk_id"]]
    cited = {c["n"] for c in result["citations"]}
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", result["answer"])}
    assert markers and markers <= cited


# --- over the bundled samples ----------------------------------------------------------


def test_documents_list_the_indexed_samples(samples_url, samples_assistant) -> None:
    listed = httpx.get(f"{samples_url}/documents").json()
    expected = [d.model_dump(mode="json") for d in samples_assistant.documents()]
    assert listed == expected and len(listed) >= 3
    assert all(d["chunks"] > 0 and d["title"] for d in listed)


def test_health_reports_store_model_and_count(samples_url, samples_assistant) -> None:
    body = httpx.get(f"{samples_url}/health").json()
    assert body["status"] == "ok" and body["store"] and body["model"]
    assert body["documents"] == len(samples_assistant.documents())


def test_chat_answers_with_verifiable_citations(samples_url) -> None:
    response = httpx.post(f"{samples_url}/chat", json={"question": BARNETT}, timeout=120)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["refused"] is False and result["question"] == BARNETT and result["id"]
    assert_verifiable(result)
    assert any("barnett" in c["doc_id"] for c in result["citations"])


def test_chat_stream_sends_deltas_citations_then_done(samples_url) -> None:
    plain = httpx.post(f"{samples_url}/chat", json={"question": BARNETT}, timeout=120).json()
    response = httpx.post(
        f"{samples_url}/chat", json={"question": BARNETT, "stream": True}, timeout=120
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response)
    names = [name for name, _ in events]
    assert names[-2:] == ["citations", "done"] and set(names[:-2]) == {"delta"}
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    done = events[-1][1]
    assert streamed.strip() and done["answer"] == plain["answer"]
    assert events[-2][1] == done["citations"] == plain["citations"]
    assert_verifiable(done)


def test_refused_question_says_so_with_closest_documents(samples_url) -> None:
    result = httpx.post(f"{samples_url}/chat", json={"question": OFF_TOPIC}, timeout=120).json()
    assert result["refused"] is True and result["citations"] == []
    assert result["answer"] and result["retrieved"]


def test_follow_up_uses_the_history(samples_url) -> None:
    first = httpx.post(f"{samples_url}/chat", json={"question": BARNETT}, timeout=120).json()
    history = [
        {"role": "user", "content": BARNETT},
        {"role": "assistant", "content": first["answer"]},
    ]
    body = {"question": "Who was it named after?", "history": history}
    result = httpx.post(f"{samples_url}/chat", json=body, timeout=120).json()
    assert result["refused"] is False
    assert any("barnett" in c["doc_id"] for c in result["citations"])


def test_filters_restrict_the_sources(samples_url, samples_assistant) -> None:
    docs = samples_assistant.documents()
    other = next(d for d in docs if "barnett" not in d.doc_id)
    body = {"question": BARNETT, "filters": {"doc_ids": [other.doc_id]}}
    result = httpx.post(f"{samples_url}/chat", json=body, timeout=120).json()
    assert all(item["doc_id"] == other.doc_id for item in result["retrieved"])


def test_metrics_count_answers_and_refusals(samples_url) -> None:
    def count(name: str) -> float:
        text = httpx.get(f"{samples_url}/metrics").text
        found = re.search(rf'^{name}{{endpoint="chat"}} (\S+)$', text, re.M)
        return float(found.group(1)) if found else 0.0

    answers, refused = count("igr_answers_total"), count("igr_answers_refused_total")
    httpx.post(f"{samples_url}/chat", json={"question": OFF_TOPIC}, timeout=120)
    assert count("igr_answers_total") == answers + 1
    assert count("igr_answers_refused_total") == refused + 1


def test_app_loads_its_own_assistant_at_start_up(samples_settings) -> None:
    app = create_app(samples_settings)
    with BackgroundServer(app) as server:
        body = httpx.get(f"{server.url}/health").json()
        assert body["status"] == "ok" and body["model"] is True and body["documents"] > 0
        # the background sentence warm-up is reported until it ends (seconds on the samples)
        deadline = time.monotonic() + 120
        while body["warming"] and time.monotonic() < deadline:
            time.sleep(0.2)
            body = httpx.get(f"{server.url}/health").json()
        assert body["warming"] is False
        assert len(app.state.assistant.encoder._cache) > 10, "no sentences embedded at start-up"


def test_shutting_down_stops_the_sentence_warm_up(samples_settings) -> None:
    """An embedding still running while the interpreter exits aborts the process."""
    app = create_app(samples_settings.model_copy(update={"warm_up_sentences": 1_000_000}))
    with BackgroundServer(app):
        assert app.state.assistant.warming  # stopped below long before it could end
    assert not app.state.assistant.warming


def test_unreachable_llm_is_503_not_500(samples_settings) -> None:
    from api.server import free_port
    from assistant.assistant import Assistant

    settings = samples_settings.model_copy(
        update={"answerer": "openai", "llm_base_url": f"http://127.0.0.1:{free_port()}/v1",
                "llm_model": "absent", "llm_timeout_s": 5.0}
    )
    with BackgroundServer(create_app(settings, Assistant(settings))) as server:
        for body in ({"question": BARNETT}, {"question": BARNETT, "stream": True}):
            response = httpx.post(f"{server.url}/chat", json=body, timeout=60)
            assert response.status_code == 503, response.text
            assert response.json()["detail"].startswith("the answering service is unavailable")


# --- uploads, over a store of this module's own ---------------------------------------


def test_upload_then_answer_then_delete(own_url) -> None:
    question = "Who do the keepers of the Quarrel Point lighthouse report to?"
    files = {"file": ("Zephyrine Compact.txt", UPLOAD.encode(), "text/plain")}
    response = httpx.post(f"{own_url}/documents", files=files, timeout=120)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["doc_id"] == "uploads/Zephyrine_Compact" and body["report"]["added"] == 1
    listed = {d["doc_id"]: d for d in httpx.get(f"{own_url}/documents").json()}
    assert listed["uploads/Zephyrine_Compact"]["chunks"] >= 1
    assert listed["uploads/Zephyrine_Compact"]["doc_type"] == "agreement"

    result = httpx.post(f"{own_url}/chat", json={"question": question}, timeout=120).json()
    assert_verifiable(result)
    assert {c["doc_id"] for c in result["citations"]} == {"uploads/Zephyrine_Compact"}

    assert httpx.delete(f"{own_url}/documents/uploads/Zephyrine_Compact").status_code == 200
    assert httpx.delete(f"{own_url}/documents/uploads/Zephyrine_Compact").status_code == 404
    after = httpx.post(f"{own_url}/chat", json={"question": question}, timeout=120).json()
    assert all(item["doc_id"] != "uploads/Zephyrine_Compact" for item in after["retrieved"])


def test_upload_of_each_supported_format(own_url, tmp_path) -> None:
    import docx

    word = docx.Document()
    word.add_paragraph("The Marram Dunes Understanding is a fictional note about coastal paths.")
    word.save(tmp_path / "marram.docx")
    uploads = {
        "marram.docx": (tmp_path / "marram.docx").read_bytes(),
        "heron.md": b"# Heron Bridge\n\nThe Heron Bridge Protocol covers fictional footbridges.\n",
        "plover.html": b"<html><head><title>Plover Note</title></head><body><p>The Plover "
        b"Note is a fictional memorandum on shared birdwatching hides.</p></body></html>",
    }
    for name, data in uploads.items():
        response = httpx.post(f"{own_url}/documents", files={"file": (name, data)}, timeout=120)
        assert response.status_code == 201, (name, response.text)
    listed = {d["doc_id"] for d in httpx.get(f"{own_url}/documents").json()}
    assert {"uploads/marram", "uploads/heron", "uploads/plover"} <= listed
    for doc_id in ("uploads/marram", "uploads/heron", "uploads/plover"):
        assert httpx.delete(f"{own_url}/documents/{doc_id}").status_code == 200


@pytest.mark.parametrize(
    ("name", "data"),
    [("broken.pdf", b"%PDF-1.4 this is not really a pdf"), ("broken.docx", b"PK\x03\x04 nope")],
)
def test_unreadable_upload_is_422_with_the_reason(own_url, name, data) -> None:
    response = httpx.post(f"{own_url}/documents", files={"file": (name, data)}, timeout=120)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith(f"cannot ingest {name}:") and len(detail) > len(name) + 16
    listed = {d["doc_id"] for d in httpx.get(f"{own_url}/documents").json()}
    assert "uploads/" + name.split(".")[0] not in listed


def test_a_copy_of_an_indexed_document_is_409(own_url, tmp_path) -> None:
    files = {"file": ("zz-copy.txt", ACCORD)}
    response = httpx.post(f"{own_url}/documents", files=files, timeout=120)
    assert response.status_code == 409, response.text
    assert "kestrel-harbour-accord" in response.json()["detail"]
    listed = {d["doc_id"] for d in httpx.get(f"{own_url}/documents").json()}
    assert "uploads/zz-copy" not in listed and "kestrel-harbour-accord" in listed


def test_concurrent_questions_during_an_upload_lose_nothing(own_url) -> None:
    question = "Where does the Joint Harbours Board meet?"
    doc = UPLOAD.replace("Zephyrine", "Corrievane").replace("Quarrel Point", "Skerry Ness")

    def ask(_: int) -> httpx.Response:
        return httpx.post(f"{own_url}/chat", json={"question": question}, timeout=180)

    def upload() -> httpx.Response:
        files = {"file": ("corrievane.txt", doc.encode())}
        return httpx.post(f"{own_url}/documents", files=files, timeout=180)

    with ThreadPoolExecutor(max_workers=9) as pool:
        uploading = pool.submit(upload)
        answers = list(pool.map(ask, range(8)))
        uploaded = uploading.result()
    assert uploaded.status_code == 201, uploaded.text
    assert [r.status_code for r in answers] == [200] * 8
    assert all(r.json()["citations"] for r in answers)
    listed = {d["doc_id"] for d in httpx.get(f"{own_url}/documents").json()}
    assert "uploads/corrievane" in listed
    body = {"question": "Who sets the lamp schedule of the Skerry Ness lighthouse?"}
    result = httpx.post(f"{own_url}/chat", json=body, timeout=120).json()
    assert "uploads/corrievane" in {c["doc_id"] for c in result["citations"]}
