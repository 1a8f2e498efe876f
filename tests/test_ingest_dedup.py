"""Near-duplicate detection: the same report in two formats, and nothing else."""

from __future__ import annotations

import random

from ingest.assemble import content_hash
from ingest.dedup import find_duplicates, shingles, similarity
from ingest.discovery import discover
from ingest.loaders import load_document
from ingest.models import DocumentMeta, LoadedDocument
from ingest.settings import SAMPLES_DIR, Settings

WORDS = (
    "council committee minister devolved government policy funding agreement review "
    "secretariat consent dispute framework market mayor region nation report meeting "
    "budget transparency legislation parliament assembly senedd executive treasury"
).split()


def _doc(doc_id: str, text: str, paged: bool = False) -> LoadedDocument:
    return LoadedDocument(
        meta=DocumentMeta(doc_id=doc_id, path=f"/x/{doc_id}", title=doc_id),
        text=text,
        page_starts=[0] if paged else None,
        content_hash=content_hash(text),
    )


def _prose(seed: int, sentences: int = 60) -> str:
    rng = random.Random(seed)
    return " ".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
        for _ in range(sentences)
    )


def test_shared_corpus_has_exactly_the_report_pair(shared_corpus):
    settings = Settings()
    sources, _ = discover([shared_corpus], settings)
    docs = [load_document(s, settings) for s in sources]
    assert find_duplicates(docs) == [
        ("seeds/policywise-strength-to-cooperate-2026", "pdf/policywise-strength-to-cooperate-2026")
    ]


def test_samples_have_no_duplicates():
    settings = Settings()
    sources, _ = discover([SAMPLES_DIR], settings)
    assert find_duplicates([load_document(s, settings) for s in sources]) == []


def test_paged_document_is_kept_even_when_it_sorts_later():
    text = _prose(1)
    reflowed = text.replace(". ", ".\n\n").upper()
    pairs = find_duplicates([_doc("a/report", text), _doc("z/report", reflowed, paged=True)])
    assert pairs == [("a/report", "z/report")]


def test_otherwise_first_in_doc_id_order_is_kept_and_groups_collapse():
    text = _prose(2)
    edited = text.replace("council", "councils", 3)
    docs = [_doc("c", edited), _doc("a", text), _doc("b", text + " One more sentence here.")]
    assert find_duplicates(docs) == [("b", "a"), ("c", "a")]


def test_related_but_different_documents_are_not_flagged():
    base = _prose(3)
    other = _prose(4)
    half = base[: len(base) // 2] + " " + other[len(other) // 2 :]
    docs = [_doc("base", base), _doc("other", other), _doc("short", base[:300])]
    assert find_duplicates(docs) == []
    containment, ratio = similarity(shingles(base), shingles(half))
    assert containment < 0.7 and ratio > 0.5
    assert find_duplicates([_doc("base", base), _doc("half", half)]) == []


def test_empty_input():
    assert find_duplicates([]) == []
    assert find_duplicates([_doc("only", "One sentence only.")]) == []
