"""Per-document records: adding one document reads its own chunks and one record per
document, never every chunk; records follow crashes, removals and stores written without
them. Real embedded Chroma and the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.test_vectorstore_helpers import DOCS
from vectorstore.catalog import remove_document
from vectorstore.docstate import build_records, doc_records, stored_documents
from vectorstore.indexer import (
    PreparedUpload,
    commit_upload,
    index_paths,
    indexed_files,
    prepare_upload,
)
from vectorstore.store import DOCS_SUFFIX, ChunkStore, open_store

NEW_DOC = (
    "Title: The Lerwick compact on ferry timetables\nPublisher: Test Press\nDate: 2024\n---\n"
    "The Lerwick compact sets out how the island ferry timetables are agreed each winter "
    "between the two administrations, and who pays for the extra sailings in summer.\n"
)


@pytest.fixture()
def chunk_reads(monkeypatch) -> list[dict | None]:
    """The `where` of every read of chunk metadata or texts from now on."""
    seen: list[dict | None] = []
    metadatas, raw_chunks = ChunkStore.metadatas, ChunkStore.raw_chunks

    def reading_metadatas(self, where=None):
        seen.append(where)
        return metadatas(self, where)

    def reading_chunks(self, where=None):
        seen.append(where)
        return raw_chunks(self, where)

    monkeypatch.setattr(ChunkStore, "metadatas", reading_metadatas)
    monkeypatch.setattr(ChunkStore, "raw_chunks", reading_chunks)
    return seen


def filtered_to(where: dict | None) -> set[str]:
    """The doc_ids a `where` filter limits a read to (fails on an unfiltered read)."""
    assert where is not None, "a read of every chunk"
    wanted = where["doc_id"]
    return set(wanted["$in"]) if isinstance(wanted, dict) else {wanted}


def records_by_chunks(store) -> dict[str, tuple[str, int, str]]:
    """doc_id -> (index key, chunk count, path) as the chunks themselves say."""
    return {
        doc_id: (next(iter(doc.index_keys)), len(doc.ids), str(doc.path))
        for doc_id, doc in stored_documents(store).items()
        if doc.complete
    }


def records_as_stored(store) -> dict[str, tuple[str, int, str]]:
    return {
        doc_id: (str(rec.index_key), int(rec.chunks or 0), str(rec.path))
        for doc_id, rec in doc_records(store).items()
    }


def forget_records(store) -> None:
    """Make the store look written before records were kept: no `-docs` collection."""
    store._client.delete_collection(store.collection_name + DOCS_SUFFIX)
    store._open()
    store._records_built = False


def test_every_document_has_a_record_matching_its_chunks(settings) -> None:
    index_paths(None, settings)
    store = open_store(settings)
    assert set(records_as_stored(store)) == set(DOCS)
    assert records_as_stored(store) == records_by_chunks(store)
    assert all(rec.complete and rec.sketch for rec in doc_records(store).values())


def test_ingesting_one_file_reads_only_its_own_chunks(
    settings, tmp_path: Path, chunk_reads
) -> None:
    index_paths(None, settings)
    chunk_reads.clear()
    new = tmp_path / "new" / "lerwick-compact.txt"
    new.parent.mkdir()
    new.write_text(NEW_DOC, encoding="utf-8")
    report = index_paths([new], settings)
    assert report.added == 1 and not report.duplicates
    assert chunk_reads, "the new document's state is read"
    assert all(filtered_to(where) == {"lerwick-compact"} for where in chunk_reads), chunk_reads
    store = open_store(settings)
    assert records_as_stored(store) == records_by_chunks(store)


def staged_upload(settings) -> tuple[PreparedUpload, Path]:
    """NEW_DOC uploaded as `compact.txt` (prepared and moved in place, not yet committed)."""
    folder = settings.uploads_dir()
    folder.mkdir(parents=True)
    staged, final = folder / ".incoming-compact.txt", folder / "compact.txt"
    staged.write_text(NEW_DOC, encoding="utf-8")
    prepared = prepare_upload(staged, final, settings)
    staged.replace(final)
    return prepared, final


def test_an_upload_reads_only_its_own_chunks(settings, chunk_reads) -> None:
    index_paths(None, settings)
    prepared, final = staged_upload(settings)
    chunk_reads.clear()
    assert commit_upload(prepared, settings).added == 1
    assert chunk_reads and all(filtered_to(w) == {"uploads/compact"} for w in chunk_reads)
    chunk_reads.clear()
    assert indexed_files(settings)[str(final)]
    assert chunk_reads == [], "indexed_files reads the records, not the chunks"


def index_a_copy(corpus: Path, stem: str, settings):
    """Index a copy of the corpus document `stem` from another folder; its path and report."""
    copy = corpus.parent / "more" / "copy.txt"
    copy.parent.mkdir()
    shutil.copy(corpus / f"{stem}.txt", copy)
    return copy, index_paths([copy], settings)


def test_a_copy_is_still_found_by_its_sketch(settings, corpus: Path, chunk_reads) -> None:
    index_paths(None, settings)
    chunk_reads.clear()
    copy, report = index_a_copy(corpus, "funding-note", settings)
    assert report.duplicates == [{"path": str(copy), "duplicate_of": "funding-note"}]
    assert set().union(*(filtered_to(w) for w in chunk_reads)) == {"copy", "funding-note"}


def test_a_store_without_records_builds_them_once(settings, corpus: Path, chunk_reads) -> None:
    index_paths(None, settings)
    store = open_store(settings)
    truth = records_by_chunks(store)
    forget_records(store)
    assert store.doc_records() == {} and not store.doc_records_built()
    chunk_reads.clear()
    copy, report = index_a_copy(corpus, "council-minutes", settings)
    assert report.duplicates == [{"path": str(copy), "duplicate_of": "council-minutes"}]
    assert None in chunk_reads, "the records were built from every chunk"
    assert records_as_stored(store) == truth and store.doc_records_built()
    chunk_reads.clear()
    new = corpus.parent / "more" / "lerwick-compact.txt"
    new.write_text(NEW_DOC, encoding="utf-8")
    assert index_paths([new], settings).added == 1
    assert None not in chunk_reads, "built once: the next ingest reads no other chunks"


def test_building_records_keeps_a_newer_record(settings) -> None:
    index_paths(None, settings)
    store = open_store(settings)
    forget_records(store)
    store.put_doc_records({"funding-note": {"complete": False, "path": "written meanwhile"}})
    assert build_records(store) == len(DOCS)
    assert store.doc_records(["funding-note"])["funding-note"]["path"] == "written meanwhile"
    assert doc_records(store)["council-minutes"].complete
    assert index_paths(None, settings).unchanged == len(DOCS)
    assert records_as_stored(store) == records_by_chunks(store), "a lagging record is fixed"


def test_a_commit_cut_between_upsert_and_delete_is_redone(
    settings, corpus: Path, monkeypatch
) -> None:
    index_paths(None, settings)
    store = open_store(settings)
    path = corpus / "funding-note.txt"
    before = indexed_files(settings)[str(path)]
    path.write_text(path.read_text() + "\nA closing paragraph on the reserve powers.\n")

    def cut(self, chunk_ids):
        raise RuntimeError("killed between upsert and delete")

    monkeypatch.setattr(ChunkStore, "delete", cut)
    with pytest.raises(RuntimeError, match="killed"):
        index_paths(None, settings)
    monkeypatch.undo()
    assert not doc_records(store)["funding-note"].complete
    keys = indexed_files(settings)[str(path)]
    assert len(keys) == 2 and before <= keys, "both writes' keys, read from the chunks"
    report = index_paths(None, settings)
    assert report.updated == 1 and report.unchanged == len(DOCS) - 1
    assert records_as_stored(store) == records_by_chunks(store)
    assert set(records_as_stored(store)) == set(DOCS)
    assert len(indexed_files(settings)[str(path)]) == 1


def test_a_commit_cut_before_its_records_is_completed_next_run(
    settings, corpus: Path, monkeypatch
) -> None:
    import vectorstore.indexer

    index_paths(None, settings)
    store = open_store(settings)
    path = corpus / "funding-note.txt"
    path.write_text(path.read_text() + "\nA closing paragraph on the reserve powers.\n")

    def cut(store, rows):
        raise RuntimeError("killed before the records")

    monkeypatch.setattr(vectorstore.indexer, "write_records", cut)
    with pytest.raises(RuntimeError, match="killed"):
        index_paths(None, settings)
    monkeypatch.undo()
    assert not doc_records(store)["funding-note"].complete
    report = index_paths(None, settings)
    assert report.unchanged == len(DOCS) and report.chunks_embedded == 0
    assert records_as_stored(store) == records_by_chunks(store)
    copy = corpus.parent / "more" / "copy.txt"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    assert index_paths([copy], settings).duplicates == [
        {"path": str(copy), "duplicate_of": "funding-note"}
    ]


def test_removals_drop_records(settings, corpus: Path) -> None:
    index_paths(None, settings)
    store = open_store(settings)
    (corpus / "ireland-cooperation.txt").unlink()
    assert index_paths([corpus], settings, prune=True).removed == 1
    assert remove_document(store, "funding-note") > 0
    assert set(doc_records(store)) == set(DOCS) - {"ireland-cooperation", "funding-note"}
    assert records_as_stored(store) == records_by_chunks(store)


def test_an_upload_without_a_record_is_no_orphan(settings) -> None:
    """An upload an older version wrote (chunks, no record) is still indexed for the
    start-up tidy-up, which must not delete it as an orphan."""
    from api.app import _tidy_uploads
    from vectorstore.docstate import drop_records

    index_paths(None, settings)
    prepared, final = staged_upload(settings)
    assert commit_upload(prepared, settings).added == 1
    drop_records(open_store(settings), ["uploads/compact"])
    assert str(final) not in indexed_files(settings)
    assert indexed_files(settings, confirm=[final])[str(final)]
    _tidy_uploads(settings)
    assert final.is_file()


def test_the_document_list_reads_records_and_only_the_chunks_records_lack(
    settings, chunk_reads
) -> None:
    from vectorstore.catalog import list_documents

    index_paths(None, settings)
    store = open_store(settings)
    by_chunks = {doc_id: (doc.catalog, len(doc.ids))
                 for doc_id, doc in stored_documents(store).items()}
    chunk_reads.clear()
    listed = list_documents(store)
    assert chunk_reads == []  # complete records: no chunk read at all
    assert {d.doc_id: (d.title, d.chunks) for d in listed} == {
        doc_id: (meta["title"], n) for doc_id, (meta, n) in by_chunks.items()}
    # a record written before it kept the list's fields: that document's chunks are read
    old = {k: v for k, v in store.doc_records(["funding-note"])["funding-note"].items()
           if k in ("complete", "index_key", "chunks", "path", "doc_hash")}
    store.delete_doc_records(["funding-note"])
    store.put_doc_records({"funding-note": old})
    chunk_reads.clear()
    assert list_documents(store) == listed
    assert chunk_reads and all(filtered_to(w) == {"funding-note"} for w in chunk_reads)
    index_paths(None, settings)  # the next ingest completes the lagging record
    assert doc_records(store)["funding-note"].catalog == by_chunks["funding-note"][0]
