"""Chunk invariants: exact offsets, whole sentences, size bounds, stable ids, pages, sections."""

from __future__ import annotations

import re
import statistics
from pathlib import Path

import pytest
from pypdf import PdfReader

from ingest.chunking import chunk_document
from ingest.cleaning import strip_markup
from ingest.discovery import discover
from ingest.loaders import load_document
from ingest.models import ChunkMetadata, LoadedDocument, SourceFile
from ingest.sentences import sentence_spans
from ingest.settings import SAMPLES_DIR, Settings


def _load_all(root: Path, settings: Settings) -> list[LoadedDocument]:
    sources, skipped = discover([root], settings)
    assert not skipped
    return [load_document(s, settings) for s in sources]


@pytest.fixture(scope="module")
def samples() -> list[LoadedDocument]:
    return _load_all(SAMPLES_DIR, Settings())


@pytest.fixture(scope="module")
def shared_docs(shared_corpus) -> list[LoadedDocument]:
    return _load_all(shared_corpus, Settings())


def check_invariants(doc: LoadedDocument, settings: Settings) -> list[ChunkMetadata]:
    """Assert every chunk invariant for one document; return the chunk metadata."""
    chunks = chunk_document(doc, settings)
    spans = sentence_spans(doc.text, settings.max_sentence_chars)
    starts = {s for s, _ in spans}
    ends = {e for _, e in spans}
    metas = []
    for chunk in chunks:
        meta = ChunkMetadata.model_validate(chunk.metadata)
        metas.append(meta)
        assert None not in chunk.metadata.values()
        assert chunk.id == meta.chunk_id
        assert doc.text[meta.start : meta.end] == chunk.page_content
        assert meta.start in starts, f"{doc.meta.doc_id}: chunk starts mid-sentence"
        assert meta.end in ends, f"{doc.meta.doc_id}: chunk ends mid-sentence"
        if len(chunk.page_content) > settings.chunk_size:
            assert (meta.start, meta.end) in spans, "only a single long sentence may exceed"
        assert len(chunk.page_content) <= max(settings.chunk_size, settings.max_sentence_chars)
        assert meta.doc_id == doc.meta.doc_id and meta.title == doc.meta.title
        assert meta.date == doc.meta.date and meta.publisher == doc.meta.publisher
        if doc.page_starts:
            assert meta.page is not None and 1 <= meta.page <= len(doc.page_starts)
            lo = doc.page_starts[meta.page - 1]
            hi = doc.page_starts[meta.page] if meta.page < len(doc.page_starts) else len(doc.text)
            assert lo <= meta.start and meta.end <= hi, "chunk crosses a page boundary"
        else:
            assert meta.page is None
    assert len({m.chunk_id for m in metas}) == len(metas)
    # nothing is lost: every sentence lies inside some chunk
    covered = [(m.start, m.end) for m in metas]
    for s, e in spans:
        assert any(a <= s and e <= b for a, b in covered), doc.text[s:e]
    # overlaps are bounded and made of whole sentences
    ordered = sorted(metas, key=lambda m: m.start)
    for prev, nxt in zip(ordered, ordered[1:], strict=False):
        assert nxt.start > prev.start
        if nxt.start < prev.end:
            assert prev.end - nxt.start <= settings.chunk_overlap
    return metas


def test_samples_invariants_with_defaults(samples):
    settings = Settings()
    assert len(samples) == 6
    for doc in samples:
        assert check_invariants(doc, settings)


def test_samples_invariants_with_small_windows_and_real_overlap(samples):
    settings = Settings(chunk_size=300, chunk_overlap=120)
    overlapping = 0
    for doc in samples:
        metas = sorted(check_invariants(doc, settings), key=lambda m: m.start)
        overlapping += sum(1 for a, b in zip(metas, metas[1:], strict=False) if b.start < a.end)
    assert overlapping >= 5


def test_ids_are_stable_across_runs_and_change_with_text(samples):
    settings = Settings()
    doc = samples[0]
    first = [c.metadata["chunk_id"] for c in chunk_document(doc, settings)]
    reloaded = load_document(
        SourceFile(path=Path(doc.meta.path), root=SAMPLES_DIR, doc_id=doc.meta.doc_id), settings
    )
    assert [c.metadata["chunk_id"] for c in chunk_document(reloaded, settings)] == first
    edited = doc.model_copy(update={"text": doc.text.replace("Barnett", "Barnet", 1)})
    assert [c.metadata["chunk_id"] for c in chunk_document(edited, settings)] != first
    assert all(re.fullmatch(r"[0-9a-f]{20}", cid) for cid in first)


def test_sentence_longer_than_chunk_size_is_its_own_chunk(samples):
    long_sentence = "The committee noted " + ", ".join(["a further point"] * 80) + "."
    text = f"A short opening sentence.\n\n{long_sentence}\n\nA short closing sentence."
    doc = samples[0].model_copy(update={"text": text, "page_starts": None})
    settings = Settings(chunk_size=200, chunk_overlap=50, max_sentence_chars=2000)
    contents = [c.page_content for c in chunk_document(doc, settings)]
    assert long_sentence in contents
    check_invariants(doc, settings)


def test_sections_follow_headings(samples):
    by_id = {d.meta.doc_id: d for d in samples}
    expected = {
        "common-frameworks-after-brexit": (
            "which received Royal Assent on 17 December 2020",
            "The UK Internal Market Act 2020",
        ),
        "sewel-convention-and-legislative-consent": (
            "decided on 24 January 2017",
            "The Miller case",
        ),
        "barnett-formula-in-outline": (
            "Barnett squeeze. Critics",
            'Criticisms and the "Barnett squeeze"',
        ),
        "dispute-resolution-in-igr": (
            "independent third-party advice",
            "Independent advice and mediation",
        ),
        "english-devolution-and-mayors": (
            "Its first meeting was held in Edinburgh",
            "Mayors and intergovernmental relations",
        ),
    }
    for doc_id, (phrase, section) in expected.items():
        chunks = chunk_document(by_id[doc_id], Settings())
        hits = [c for c in chunks if phrase in c.page_content]
        assert hits, phrase
        assert all(c.metadata.get("section") == section for c in hits), doc_id


def _page_words(path: Path) -> list[list[str]]:
    """Words of each raw page (markup and footnote markers removed as cleaning does)."""
    pages = [strip_markup(p.extract_text() or "") for p in PdfReader(path).pages]
    return [re.findall(r"[a-z0-9]+", page.lower()) for page in pages]


def _check_pages_match_raw(doc: LoadedDocument, path: Path) -> None:
    pages = [" ".join(words) for words in _page_words(path)]
    for chunk in chunk_document(doc, Settings()):
        words = re.findall(r"[a-z0-9]+", chunk.page_content.lower())[:8]
        if len(words) < 4:
            continue
        page = chunk.metadata["page"]
        assert " ".join(words) in pages[page - 1], (page, chunk.page_content[:80])


def test_pdf_chunks_carry_the_page_where_the_text_is(samples):
    doc = next(d for d in samples if d.page_starts)
    _check_pages_match_raw(doc, Path(doc.meta.path))
    pages = {
        phrase: c.metadata["page"]
        for c in chunk_document(doc, Settings())
        for phrase in ("protocol was rarely used", "A notable feature", "remains political")
        if phrase in c.page_content
    }
    assert pages == {"protocol was rarely used": 1, "A notable feature": 2, "remains political": 3}


def test_shared_corpus_invariants_and_figures(shared_docs):
    settings = Settings()
    lengths = []
    for doc in shared_docs:
        lengths += [m.end - m.start for m in check_invariants(doc, settings)]
    mean = statistics.mean(lengths)
    print(
        f"\nshared corpus: {len(shared_docs)} documents, {len(lengths)} chunks, "
        f"mean {mean:.0f} / max {max(lengths)} characters"
    )
    assert 300 <= mean <= settings.chunk_size
    assert len(lengths) > len(shared_docs)


def test_shared_pdf_pages_match_raw_text(shared_docs):
    doc = next(d for d in shared_docs if d.page_starts)
    assert doc.meta.pages == 15
    _check_pages_match_raw(doc, Path(doc.meta.path))
