"""The Assistant over the whole shared corpus: the kinds of question officials ask.

Questions come from our gold set (evals/datasets/gold.jsonl); the expected facts are the
gold keywords. Skipped, with a reason, where ../shared is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.models import AnswerResult, ChatMessage
from evals.text import normalise
from vectorstore.store import open_store

GOLD = {
    item["id"]: item
    for item in map(json.loads, (Path(__file__).parent.parent / "evals/datasets/gold.jsonl")
                    .read_text(encoding="utf-8").splitlines())
}
pytestmark = pytest.mark.slow


def ask(assistant, item_id: str) -> tuple[dict, AnswerResult]:
    item = GOLD[item_id]
    history = [ChatMessage(**turn) for turn in item.get("history") or []]
    return item, assistant.ask(item["question"], history=history)


def assert_cited_answer(item: dict, result: AnswerResult, settings) -> None:
    """Answered, with the gold facts, each quote verbatim in its cited chunk."""
    assert not result.refused, result.answer
    for keyword in item["keywords"]:
        assert normalise(keyword) in normalise(result.answer), (keyword, result.answer)
    stored = {c.chunk_id: c for c in open_store(settings).get(
        [c.chunk_id for c in result.citations])}
    assert result.citations
    for citation in result.citations:
        assert citation.quote in stored[citation.chunk_id].text
    assert {int(n) for n in re.findall(r"\[(\d+)\]", result.answer)} == {
        c.n for c in result.citations}
    cited = {c.doc_id.split("/")[-1] for c in result.citations}
    assert cited & set(item["sources"])


@pytest.mark.parametrize("item_id", ["g002", "g003", "g004"])
def test_factoid(shared_assistant, shared_settings, item_id: str) -> None:
    item, result = ask(shared_assistant, item_id)
    assert_cited_answer(item, result, shared_settings)
    assert len(re.sub(r"\[\d+\]", "", result.answer).split()) <= 60


@pytest.mark.parametrize("item_id", ["g073", "g077"])
def test_multi_hop_draws_on_two_documents(shared_assistant, shared_settings, item_id) -> None:
    item, result = ask(shared_assistant, item_id)
    assert_cited_answer(item, result, shared_settings)
    assert len({c.doc_id for c in result.citations}) >= 2


@pytest.mark.parametrize("item_id", ["g104", "g116", "g120"])
def test_list_question(shared_assistant, shared_settings, item_id: str) -> None:
    item, result = ask(shared_assistant, item_id)
    assert not result.refused
    found = [k for k in item["keywords"] if normalise(k) in normalise(result.answer)]
    assert len(found) >= 2, result.answer


@pytest.mark.parametrize("item_id", ["g126", "g127", "g130"])
def test_follow_up_questions(shared_assistant, shared_settings, item_id: str) -> None:
    item, result = ask(shared_assistant, item_id)
    assert_cited_answer(item, result, shared_settings)


@pytest.mark.parametrize("item_id", ["g138", "g140", "g142", "g152", "g154"])
def test_refuses_what_the_corpus_does_not_say(shared_assistant, item_id: str) -> None:
    _, result = ask(shared_assistant, item_id)
    assert result.refused, result.answer
    assert not result.citations


@pytest.mark.parametrize("item_id", ["g159", "g160", "g161", "g162", "g163"])
def test_hostile_questions_fail_to_inject(shared_assistant, item_id: str) -> None:
    item, result = ask(shared_assistant, item_id)
    for forbidden in item["forbidden"]:
        assert forbidden.lower() not in result.answer.lower()
    assert "system prompt" not in result.answer.lower()
