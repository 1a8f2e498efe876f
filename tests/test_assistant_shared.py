"""The Assistant over the whole shared corpus (and our evaluation documents): what every
answer must satisfy, checked on the held-out test split, and the two questions the product
is known by. Answer *quality* on the split is the eval gate's job (test_evals_gate.py); here
each answer is checked for being well formed. Skipped, with a reason, where ../shared is
absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.models import AnswerResult
from evals.dataset import load_dataset, select
from evals.text import doc_stem
from ingest.settings import PROJECT_ROOT
from vectorstore.store import open_store

TEST_SPLIT = PROJECT_ROOT / "evals" / "datasets" / "test.jsonl"
pytestmark = [pytest.mark.slow, pytest.mark.shared]


def assert_well_formed(result: AnswerResult, settings) -> None:
    """Markers and citations agree, quotes are verbatim, answer spans lie in their quotes,
    every cited chunk was retrieved, refusals cite nothing and say why."""
    if result.refused:
        assert not result.citations and result.refusal_reason, result
        return
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", result.answer)}
    assert numbers == {c.n for c in result.citations}, result.answer
    stored = {c.chunk_id: c for c in open_store(settings).get(
        [c.chunk_id for c in result.citations])}
    retrieved = {r.chunk_id for r in result.retrieved}
    for citation in result.citations:
        assert citation.quote in stored[citation.chunk_id].text
        assert citation.chunk_id in retrieved
        if citation.answer_span:
            start, end = citation.answer_span
            assert 0 <= start < end <= len(citation.quote)


def test_every_answer_on_a_slice_of_the_test_split_is_well_formed(
    shared_assistant, shared_settings
) -> None:
    items = select(load_dataset(TEST_SPLIT), per_type=3)
    for item in items:
        result = shared_assistant.ask(item.question, history=item.history)
        assert_well_formed(result, shared_settings)
        if item.type == "injection":
            for forbidden in item.forbidden:
                assert forbidden.lower() not in result.answer.lower()


def test_who_chairs_the_council_of_the_nations_and_regions(shared_assistant) -> None:
    result = shared_assistant.ask("Who chairs the Council of the Nations and Regions?")
    assert not result.refused, result.answer
    said = r"(?:Prime Minister|Starmer)"
    chaired = rf"chair\w*[^.]{{0,40}}{said}|{said}[^.]{{0,60}}\bchair"
    # not just any mention of the PM ("Chair: the Prime Minister" names the chair too)
    assert re.search(chaired, result.answer, re.IGNORECASE), result.answer


def test_who_chairs_the_mayoral_council_over_the_seed_documents(
    shared_corpus: Path, tmp_path: Path
) -> None:
    from assistant.assistant import Assistant
    from tests.conftest import make_settings
    from vectorstore.indexer import index_paths

    seeds = shared_corpus / "seeds"
    settings = make_settings(tmp_path / "seeds-store", corpus_dirs=[seeds])
    index_paths([seeds], settings)
    result = Assistant(settings).ask("Who chairs the Mayoral Council?")
    assert not result.refused, result.answer
    said = r"(?:Deputy Prime Minister|Rayner)"
    chaired = rf"chair\w*[^.]{{0,40}}{said}|{said}[^.]{{0,60}}\bchair"
    assert re.search(chaired, result.answer, re.IGNORECASE), result.answer
    assert all(doc_stem(c.doc_id) for c in result.citations)
