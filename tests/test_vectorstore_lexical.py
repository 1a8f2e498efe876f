"""BM25 lexical index over a real store: tokenizer, ranking, filters, refresh on writes."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.test_vectorstore_helpers import write_corpus, write_generated
from vectorstore.catalog import remove_document
from vectorstore.filters import ChunkFilter
from vectorstore.indexer import index_paths
from vectorstore.lexical import LexicalIndex
from vectorstore.store import ChunkStore, open_store
from vectorstore.tokenize import tokenize


def test_tokenizer_rules() -> None:
    toks = tokenize("The UK’s Inter-Ministerial bodies met in 2021-22, spending £1,000.50; Café!")
    assert "the" not in toks and "in" not in toks  # stopwords
    assert "uk" in toks and "inter-ministerial" in toks and "interministerial" in toks
    assert "body" in toks  # plural stemming
    assert "2021-22" in toks and "1000.50" in toks  # numbers kept
    assert "cafe" in toks and not any("!" in t or ";" in t for t in toks)
    assert tokenize("councils relations processes status") == [
        "council", "relation", "process", "status"
    ]
    assert tokenize("co-operation") == ["co-operation", "cooperation"]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("lexical")
    write_corpus(root / "corpus")
    settings = make_settings(root / "store", corpus_dirs=[root / "corpus"])
    index_paths(None, settings)
    return settings


def test_rare_exact_term_ranks_its_chunk_first(settings) -> None:
    index = LexicalIndex(open_store(settings))
    hits = index.search("what is the Quillborough accord?", k=3)
    assert hits and "Quillborough" in hits[0].chunk.text
    assert hits[0].chunk.metadata.doc_id == "council-minutes"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    hits = index.search("indexation of block grant adjustments", k=5)
    assert hits[0].chunk.metadata.doc_id == "funding-note"
    assert index.search("the of and", k=5) == []  # only stopwords
    assert index.search("", k=5) == [] and index.search("consent", k=0) == []


def test_filters_apply_to_lexical_results(settings) -> None:
    index = LexicalIndex(open_store(settings))
    flt = ChunkFilter(doc_types=["briefing"])
    hits = index.search("Quillborough accord consent grant", k=10, where_filter=flt)
    assert hits and {h.chunk.metadata.doc_id for h in hits} == {"funding-note"}
    dated = index.search("officials council", k=10, where_filter=ChunkFilter(date_to="2100"))
    assert "undated-guidance" not in {h.chunk.metadata.doc_id for h in dated}
    query = "Quillborough accord consent grant officials council"
    everything = index.search(query, k=20)
    seen = 0
    for code in ("scotland", "wales", "uk"):
        tagged = {h.chunk.chunk_id for h in everything
                  if code in h.chunk.metadata.jurisdictions.split(",")}
        kept = index.search(query, k=20, where_filter=ChunkFilter(jurisdictions=[code]))
        assert {h.chunk.chunk_id for h in kept} == tagged, code
        seen += len(tagged)
    assert 0 < seen < 3 * len(everything)  # the filter keeps some chunks and drops others


def test_index_follows_writes_made_through_another_store_instance(tmp_path) -> None:
    write_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "store")
    index_paths([tmp_path / "corpus"], settings)
    index = LexicalIndex(open_store(settings), refresh_interval_s=0.0)
    assert index.search("Quillborough", k=1)
    size = index.size
    other = ChunkStore(settings)  # a different instance, as another worker would hold
    assert remove_document(other, "council-minutes") > 0
    assert index.search("Quillborough", k=1) == []
    assert index.size < size
    slow = LexicalIndex(open_store(settings), refresh_interval_s=3600)
    assert slow.search("indexation", k=1)
    remove_document(other, "funding-note")
    assert slow.search("indexation", k=1), "generation is checked at most every interval"
    slow.refresh(force=True)
    assert slow.search("indexation", k=1) == []


def test_neighbours_are_the_adjacent_chunks_of_the_same_document(tmp_path) -> None:
    write_generated(tmp_path / "gen", n_docs=2, sentences=30)
    settings = make_settings(tmp_path / "store")
    index_paths([tmp_path / "gen"], settings)
    store = open_store(settings)
    chunks = store.doc_chunks("gen-000")
    assert len(chunks) >= 3
    index = LexicalIndex(store)
    ids = lambda found: [c.chunk_id for c in found]  # noqa: E731
    assert ids(index.neighbours(chunks[1].chunk_id)) == [chunks[0].chunk_id, chunks[2].chunk_id]
    assert ids(index.neighbours(chunks[0].chunk_id)) == [chunks[1].chunk_id]
    assert ids(index.neighbours(chunks[-1].chunk_id, span=2)) == ids(chunks[-3:-1])
    everything = [c.chunk_id for c in chunks if c.chunk_id != chunks[0].chunk_id]
    assert ids(index.neighbours(chunks[0].chunk_id, whole_up_to=len(chunks))) == everything
    first_only = index.neighbours(chunks[0].chunk_id, whole_up_to=len(chunks) - 1)
    assert ids(first_only) == [chunks[1].chunk_id]
    assert ids(index.neighbours(chunks[1].chunk_id, before=False)) == [chunks[2].chunk_id]
    assert index.neighbours(chunks[-1].chunk_id, before=False) == []
    assert index.neighbours("not-indexed") == []


def test_a_copy_elsewhere_follows_changes_document_by_document(tmp_path) -> None:
    write_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "store")
    index_paths([tmp_path / "corpus"], settings)
    # another host's copy of the index: its own file, built once from the store
    remote = LexicalIndex(open_store(settings), refresh_interval_s=0.0,
                          path=tmp_path / "host-b" / "lexical.sqlite3")
    assert remote.search("Quillborough", k=1)
    assert remote.stats["full_builds"] == 1
    synced = remote.stats["docs_synced"]
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "heron-note.txt").write_text(
        "Title: Heron note\n---\nThe Heron Bridge Protocol covers footbridges between "
        "councils. Each council inspects its bridges every spring.\n", encoding="utf-8")
    index_paths([tmp_path / "more"], settings)
    hits = remote.search("Heron footbridges", k=1)
    assert hits and hits[0].chunk.metadata.doc_id == "heron-note"
    assert remote.stats["full_builds"] == 1, "one new document is not a rebuild"
    assert remote.stats["docs_synced"] == synced + 1
    assert remote.document_count() == LexicalIndex(open_store(settings)).document_count()
    assert remove_document(ChunkStore(settings), "heron-note") == 1
    assert remote.search("Heron footbridges", k=1) == []
    assert remote.stats["full_builds"] == 1


def test_unknown_terms_and_bounded_chunk_listing(settings) -> None:
    index = LexicalIndex(open_store(settings))
    assert index.unknown_terms(["quillborough", "zzyzxq", "accord"]) == ["zzyzxq"]
    assert len(list(index.chunks(limit=2))) == 2
    assert len(list(index.chunks())) == index.size > 2



def test_closest_terms_reads_a_typo_as_the_indexed_word(settings) -> None:
    """"quillborugh" -> "quillborough", "consnt" -> "consent"; a word too short, or
    alike no indexed word, is not respelled; a stricter cutoff respells less."""
    index = LexicalIndex(open_store(settings))
    found = index.closest_terms(["quillborugh", "indexaton", "consnt", "grnt", "zzzzzzzz"],
                                0.85, most=5)
    assert found == {"quillborugh": "quillborough", "indexaton": "indexation",
                     "consnt": "consent"}
    assert index.closest_terms(["indexaton"], 0.99) == {}
    assert index.closest_terms(["quillborugh", "indexaton"], 0.85, most=1) == {
        "quillborugh": "quillborough"}


def test_an_acronym_is_read_as_the_name_most_chunks_give_its_initials(tmp_path) -> None:
    """"HOP" stands for the name of its initials most chunks hold; a tie or nothing gives no
    reading; removing the documents that named it takes its reading away."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    notes = ("In spring the Harbour Oversight Panel inspected four quays and found two unsafe.",
             "Ferry timetables were agreed by the Harbour Oversight Panel after a long vote.",
             "Dredging budgets for next year went to the Harbour Oversight Panel's clerk.")
    for i, note in enumerate(notes):
        (corpus / f"panel-{i}.txt").write_text(f"Title: Panel note {i}\n---\n{note}\n",
                                               encoding="utf-8")
    (corpus / "other.txt").write_text(
        "Title: Other\n---\nThe Highland Ocean Partnership and the Quay Works Board and the "
        "Quiet Water Board each met once.\n", encoding="utf-8")
    settings = make_settings(tmp_path / "store", corpus_dirs=[corpus])
    index_paths(None, settings)
    index = LexicalIndex(open_store(settings), refresh_interval_s=0.0)
    assert index.spelled_out(["HOP", "hop", "QWB", "ZZQ"]) == {
        "HOP": "Harbour Oversight Panel", "hop": "Harbour Oversight Panel"}  # QWB: a tie
    for i in range(2):
        assert remove_document(ChunkStore(settings), f"panel-{i}") == 1
    assert index.spelled_out(["HOP"]) == {}  # one chunk each now: no reading stands out
    assert remove_document(ChunkStore(settings), "other") == 1
    assert index.spelled_out(["HOP"]) == {"HOP": "Harbour Oversight Panel"}


def test_a_chunk_is_found_by_its_publisher_and_forgotten_with_it(tmp_path) -> None:
    """A question naming the source ("what did the Coastline Courier say ...") finds the
    document its header says it published, though the text never names it; removing the
    document takes the publisher's words out of the vocabulary."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "courier.txt").write_text(
        "Title: Ferry talks resume\nPublisher: Coastline Courier\n---\nMinisters agreed to "
        "meet again about the ferry timetable after the summer recess.\n", encoding="utf-8")
    (corpus / "minutes.txt").write_text(
        "Title: Harbour minutes\nPublisher: Harbour Board\n---\nThe ferry timetable was "
        "agreed by the board, and ministers were told of the recess dates.\n",
        encoding="utf-8")
    for i, topic in enumerate(("lighthouse repairs", "pilotage fees", "quay lighting")):
        (corpus / f"note-{i}.txt").write_text(
            f"Title: Note {i}\nPublisher: Harbour Board\n---\nThe board discussed {topic}.\n",
            encoding="utf-8")
    settings = make_settings(tmp_path / "store", corpus_dirs=[corpus])
    index_paths(None, settings)
    index = LexicalIndex(open_store(settings), refresh_interval_s=0.0)
    hits = index.search("what did the Coastline Courier report?", k=2)
    assert [h.chunk.metadata.doc_id for h in hits] == ["courier"]
    assert index.unknown_terms(["courier"]) == []
    assert remove_document(ChunkStore(settings), "courier") == 1
    assert index.unknown_terms(["courier"]) == ["courier"]
