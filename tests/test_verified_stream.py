"""One citation numbering in every stream: the deltas are verified sentences, numbered as the
final answer numbers them (the real verifier and model; an LLM stand-in for the drafts)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from api.server import BackgroundServer
from assistant.models import Passage
from assistant.verified_stream import VerifiedStream
from tests.llm_standin import Script
from tests.test_api_chat import sse_events

PASSAGES = [
    Passage(n=1, chunk_id="c1", doc_id="d1", title="Ferries", date="2031",
            text="The Joint Harbours Board meets every six weeks in Oban. It settles disputes "
                 "about ferry timetables between the four governments."),
    Passage(n=2, chunk_id="c2", doc_id="d2", title="Lighthouses", date="2032",
            text="The lighthouse at Quarrel Point is kept by a rota of keepers. The keepers "
                 "report to the Zephyrine Council, which sets the lamp schedule each spring."),
    Passage(n=3, chunk_id="c3", doc_id="d3", title="Bridges", date="2033",
            text="The Heron Bridge Protocol covers footbridges over the river Tay. It was "
                 "agreed by the councils of Perth and Dundee."),
]
# Cites passage 3 first, then an invented sentence, then passage 2 and passage 3 again.
DRAFT = (
    "The Heron Bridge Protocol covers footbridges over the river Tay [3]. "
    "The protocol was signed on a Tuesday in Cardiff by nine ministers [1]. "
    "The keepers report to the Zephyrine Council, which sets the lamp schedule each spring. [2] "
    "It was agreed by the councils of Perth and Dundee [3]."
)


@pytest.fixture(scope="module")
def verifier():
    from assistant.verifier import Verifier
    from ingest.settings import Settings
    from vectorstore.embeddings import get_embeddings

    return Verifier(get_embeddings(Settings()))


def markers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


@pytest.mark.parametrize("size", [1, 7, len(DRAFT)])
def test_deltas_are_the_final_answer_in_verified_pieces(verifier, size) -> None:
    stream = VerifiedStream(verifier, PASSAGES)
    pieces = [DRAFT[i : i + size] for i in range(0, len(DRAFT), size)]
    deltas = list(stream.deltas(pieces))
    final = stream.verified
    assert final is not None and final.unsupported  # the invented sentence was dropped
    assert "".join(deltas) == final.answer
    assert all("Cardiff" not in d for d in deltas)  # never streamed, then taken back
    assert markers(final.answer) == [1, 2, 1]  # renumbered in order of first use
    assert [c.chunk_id for c in final.citations] == ["c3", "c2"]
    if size < len(DRAFT):
        assert len(deltas) >= 2  # sentences arrive as they are verified, not all at the end


def test_nothing_streams_when_nothing_is_supported(verifier) -> None:
    stream = VerifiedStream(verifier, PASSAGES)
    invented = "The board was abolished in 1850 by a royal decree [1]. It never met again [2]."
    assert list(stream.deltas(invented.split(" "))) == []
    assert stream.verified is not None and not stream.verified.citations
    empty = VerifiedStream(verifier, PASSAGES)
    assert list(empty.deltas(["", "  "])) == [] and empty.verified is None


# --- end to end: /chat over HTTP, the openai answerer drafting through the stand-in -------

BARNETT = "What is the Barnett formula?"


@pytest.fixture(scope="module")
def llm_url(samples_settings, standin) -> Iterator[str]:
    from assistant.assistant import Assistant

    settings = samples_settings.model_copy(update={
        "answerer": "openai", "llm_base_url": f"{standin.url}/v1", "llm_model": "standin",
        "llm_timeout_s": 30.0,
    })
    with BackgroundServer(create_app(settings, Assistant(settings))) as server:
        yield server.url


def first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s+", text.strip())[0]


def test_chat_stream_numbers_citations_once(llm_url, samples_assistant, standin) -> None:
    retrieved = samples_assistant.ask(BARNETT).retrieved  # passage n is retrieved[n - 1]
    late, early = len(retrieved), 1
    standin.script = Script(text=(
        f"{first_sentence(retrieved[late - 1].text)} [{late}] "
        f"The formula was replaced in 2031 by a lottery run from Cardiff [{early}]. "
        f"{first_sentence(retrieved[early - 1].text)} [{early}]"
    ))
    response = httpx.post(f"{llm_url}/chat", json={"question": BARNETT, "stream": True},
                          timeout=120)
    events = sse_events(response)
    deltas = [data["text"] for name, data in events if name == "delta"]
    done = events[-1][1]
    assert events[-1][0] == "done" and not done["refused"], done
    cited = {c["n"]: c["chunk_id"] for c in done["citations"]}
    assert set(markers("".join(deltas))) == set(cited) == {1, 2}
    assert "".join(deltas) == re.sub(r" \(\d{4}[-\d]*\)", "", done["answer"])  # dates aside
    assert "Cardiff" not in "".join(deltas) and done["unsupported"]
    assert cited[1] == retrieved[late - 1].chunk_id  # [late] became [1]: first used


def test_a_full_answer_stops_the_stream_and_repeats_are_left_out(verifier) -> None:
    """With a word budget, a sentence repeating one already kept is dropped, the answer stops
    before the sentence that would pass the budget, and the answerer's stream is no longer
    read (nor left open) once the answer is full."""
    repeat = "The Heron Bridge Protocol covers footbridges over the river Tay [3]. "
    rambling = [repeat, repeat,
                "The keepers report to the Zephyrine Council, which sets the lamp schedule "
                "each spring. [2] ",
                "It was agreed by the councils of Perth and Dundee [3]. "] + [repeat] * 50
    read: list[str] = []
    closed: list[bool] = []

    def pieces() -> Iterator[str]:
        try:
            for piece in rambling:
                read.append(piece)
                yield piece
        finally:
            closed.append(True)

    stream = VerifiedStream(verifier, PASSAGES, max_words=25)
    text = "".join(stream.deltas(pieces()))
    final = stream.verified
    assert final is not None and final.full and text == final.answer
    assert final.answer.count("Heron Bridge Protocol") == 1
    assert "Zephyrine" in final.answer and "Perth" not in final.answer  # 10 + 14 words; 9 more
    assert len(read) < 8 and closed == [True]
    whole = verifier.verify("".join(rambling), PASSAGES)  # no budget: every sentence kept
    assert not whole.full and whole.answer.count("Heron Bridge Protocol") == 52
