"""Per-document bookkeeping: what the store holds for each doc_id, read without every chunk.

Two views of one state. The chunks' own bookkeeping keys are the truth (`chunk_state`
reads them for given doc_ids with a `doc_id` filter: only those documents' chunks). One
record per document in the store's `<collection>-docs` collection (`doc_records`) says
the same in one small row: `index_key`, `chunks` (doc_chunk_count), `path`, `doc_hash`,
`sketch` (its dedup sketch), `complete`, and what the document list shows (`CATALOG_KEYS`:
title, type, publisher, date, pages, jurisdictions). Questions about every document (the
list of documents, which stored documents may duplicate a new one, which files are indexed,
which are gone) read the records, one row per document, never every chunk.

Records follow the chunks: a writer marks a document's record incomplete before it
touches the chunks and writes the finished record after (`mark_writing`, then
`write_records`; `mark_removing`, then `drop_records` for a removal). A run killed in
between leaves an incomplete record, and readers of an incomplete record read that
document's chunks. A store written before records were kept (no `records_built` flag on
the collection) has them built from every chunk's metadata once (`build_records`), without
overwriting a record a writer put there meanwhile. A run that finds a document up to date
from its chunks completes a record that lags them. Every writer must keep records: what an
older igr writes into a store that has them goes unrecorded until an ingest meets it (or
delete `<collection>-docs`, servers stopped, to build them afresh).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vectorstore.store import ChunkStore

SKETCH_KEY = "doc_sketch"  # on a document's first chunk: its dedup sketch, hex, comma-separated
# What the document list shows, kept in the record as the first chunk has it.
CATALOG_KEYS = ("title", "doc_type", "publisher", "date", "pages", "doc_jurisdictions")
DOCS_PER_READ = 200  # doc_ids per `$in` filter


@dataclass
class StoredDoc:
    """What the store's chunks hold for one doc_id."""

    ids: set[str] = field(default_factory=set)
    index_keys: set[str] = field(default_factory=set)
    expected: int | None = None
    path: str | None = None
    doc_hash: str | None = None
    sketch: set[int] | None = None  # None: indexed before sketches were kept
    catalog: dict[str, Any] = field(default_factory=dict)  # `CATALOG_KEYS` of a first chunk

    @property
    def complete(self) -> bool:
        return len(self.index_keys) == 1 and self.expected == len(self.ids)


@dataclass(frozen=True)
class DocRecord:
    """One document's record: its last complete write, unless `complete` is false (then
    its chunks are being changed, or a write was cut short: read them instead)."""

    doc_id: str
    complete: bool
    index_key: str | None = None
    chunks: int | None = None
    path: str | None = None
    doc_hash: str | None = None
    sketch: str | None = None  # as stored: hex hashes, comma-separated (`format_sketch`)
    catalog: dict[str, Any] = field(default_factory=dict)  # empty: written before it was kept

    @classmethod
    def from_row(cls, doc_id: str, row: dict[str, Any]) -> DocRecord:
        return cls(
            doc_id=doc_id,
            complete=bool(row.get("complete")),
            index_key=row.get("index_key"),
            chunks=row.get("chunks"),
            path=row.get("path"),
            doc_hash=row.get("doc_hash"),
            sketch=str(row["sketch"]) if row.get("sketch") else None,
            catalog={k: row[k] for k in CATALOG_KEYS if row.get(k) is not None},
        )


def parse_sketch(text: str) -> set[int]:
    return {int(h, 16) for h in str(text).split(",")}


def format_sketch(hashes: Iterable[int]) -> str:
    return ",".join(f"{h:x}" for h in hashes)


def _add_chunk(docs: dict[str, StoredDoc], chunk_id: str, meta: dict[str, Any]) -> None:
    doc = docs.setdefault(str(meta.get("doc_id")), StoredDoc())
    doc.ids.add(chunk_id)
    doc.index_keys.add(str(meta.get("index_key")))
    doc.expected = meta.get("doc_chunk_count") if doc.expected is None else doc.expected
    doc.path = doc.path or meta.get("path")
    doc.doc_hash = doc.doc_hash or meta.get("doc_hash")
    if meta.get(SKETCH_KEY):
        doc.sketch = parse_sketch(meta[SKETCH_KEY])
    if not doc.catalog:
        doc.catalog = catalog_of(meta)


def catalog_of(meta: dict[str, Any]) -> dict[str, Any]:
    """The `CATALOG_KEYS` a chunk's metadata holds."""
    return {k: meta[k] for k in CATALOG_KEYS if meta.get(k) is not None}


def chunk_state(store: ChunkStore, doc_ids: Iterable[str]) -> dict[str, StoredDoc]:
    """The state of these documents from their chunks (only theirs are read); documents
    without chunks are left out."""
    wanted = sorted(set(doc_ids))
    docs: dict[str, StoredDoc] = {}
    for i in range(0, len(wanted), DOCS_PER_READ):
        batch = wanted[i : i + DOCS_PER_READ]
        where = {"doc_id": batch[0]} if len(batch) == 1 else {"doc_id": {"$in": batch}}
        for chunk_id, meta in store.metadatas(where).items():
            _add_chunk(docs, chunk_id, meta)
    return docs


def stored_documents(store: ChunkStore) -> dict[str, StoredDoc]:
    """The state of every document, from every chunk's metadata (building records only)."""
    docs: dict[str, StoredDoc] = {}
    for chunk_id, meta in store.metadatas().items():
        _add_chunk(docs, chunk_id, meta)
    return docs


def record_row(meta: dict[str, Any]) -> dict[str, Any]:
    """The record fields of a document written with `meta` as its first chunk's metadata
    (`complete` is set by `mark_writing` and `write_records`)."""
    row: dict[str, Any] = {}
    for key, name in (("index_key", "index_key"), ("doc_chunk_count", "chunks"),
                      ("path", "path"), ("doc_hash", "doc_hash"), (SKETCH_KEY, "sketch")):
        if meta.get(key) is not None:
            row[name] = meta[key]
    return {**row, **catalog_of(meta)}


def state_row(doc: StoredDoc) -> dict[str, Any]:
    """The record of a document as its chunks say (complete or not)."""
    row: dict[str, Any] = {"complete": doc.complete}
    if doc.complete:
        row["index_key"] = next(iter(doc.index_keys))
    if doc.expected is not None:
        row["chunks"] = doc.expected
    if doc.path:
        row["path"] = doc.path
    if doc.doc_hash:
        row["doc_hash"] = doc.doc_hash
    if doc.sketch is not None:
        row["sketch"] = format_sketch(sorted(doc.sketch))
    return {**row, **doc.catalog}


def build_records(store: ChunkStore) -> int:
    """Give every document a record from its chunks' metadata (a store written before
    records were kept; reads every chunk, once); returns how many documents there are."""
    docs = stored_documents(store)
    store.put_doc_records({d: state_row(doc) for d, doc in docs.items()}, overwrite=False)
    store.mark_doc_records_built()
    return len(docs)


def doc_records(store: ChunkStore) -> dict[str, DocRecord]:
    """Every document's record (built from the chunks first, if this store has none yet)."""
    if not store.doc_records_built():
        build_records(store)
    return {d: DocRecord.from_row(d, row) for d, row in store.doc_records().items()}


def mark_writing(store: ChunkStore, rows: dict[str, dict[str, Any]]) -> None:
    """Before documents' chunks are (re)written: their records, as the write will leave
    them, marked incomplete."""
    store.put_doc_records({d: {**row, "complete": False} for d, row in rows.items()})


def mark_removing(store: ChunkStore, doc_ids: Iterable[str]) -> None:
    """Before documents' chunks are removed: their records marked incomplete, fields kept
    (a removal cut short is still found by its path)."""
    ids = list(doc_ids)
    kept = store.doc_records(ids)
    store.put_doc_records({d: {**kept.get(d, {}), "complete": False} for d in ids})


def write_records(store: ChunkStore, rows: dict[str, dict[str, Any]]) -> None:
    """After documents' chunks were written in full: their complete records."""
    store.put_doc_records({d: {**row, "complete": True} for d, row in rows.items()})


def stale_records(store: ChunkStore, docs: dict[str, StoredDoc]) -> dict[str, dict[str, Any]]:
    """Of these documents, complete from their chunks, those whose record says otherwise (a
    run cut after writing the chunks, a record lost): their records as the chunks say."""
    rows = store.doc_records(docs)
    stale: dict[str, dict[str, Any]] = {}
    for doc_id, doc in docs.items():
        want, row = state_row(doc), rows.get(doc_id) or {}
        if any(row.get(k) != want.get(k)
               for k in ("complete", "index_key", "chunks", "path", "title")):
            stale[doc_id] = want
    return stale


def drop_records(store: ChunkStore, doc_ids: Iterable[str]) -> None:
    """After documents' chunks were removed: no records."""
    store.delete_doc_records(doc_ids)
