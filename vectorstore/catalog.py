"""The document catalogue: what is indexed, and removing one document."""

from __future__ import annotations

from ingest.jurisdiction import stored_codes
from vectorstore.docstate import chunk_state, doc_records, drop_records, mark_removing
from vectorstore.models import DocumentInfo
from vectorstore.store import ChunkStore


def list_documents(store: ChunkStore) -> list[DocumentInfo]:
    """Every indexed document with its chunk count, sorted by doc_id: from the documents'
    records, reading only the chunks of those whose record is incomplete (being written, or
    cut short) or was written before it kept the catalogue fields."""
    records = doc_records(store)
    listed = {d: (r.catalog, int(r.chunks or 0)) for d, r in records.items()
              if r.complete and r.catalog.get("title") is not None}
    for doc_id, doc in chunk_state(store, set(records) - set(listed)).items():
        listed[doc_id] = (doc.catalog, len(doc.ids))
    return [
        DocumentInfo(
            doc_id=doc_id,
            title=str(meta.get("title") or doc_id),
            doc_type=meta.get("doc_type"),
            publisher=meta.get("publisher"),
            date=meta.get("date"),
            pages=meta.get("pages"),
            chunks=chunks,
            jurisdictions=stored_codes(meta.get("doc_jurisdictions")),
        )
        for doc_id, (meta, chunks) in sorted(listed.items())
    ]


def remove_document(store: ChunkStore, doc_id: str) -> int:
    """Delete every chunk of `doc_id`; returns how many were removed (0 = not found)."""
    ids = list(store.metadatas({"doc_id": doc_id}))
    if ids:
        store.log_changes([doc_id])
        mark_removing(store, [doc_id])
        store.delete(ids)
        drop_records(store, [doc_id])
        store.bump_generation([doc_id])
    return len(ids)
