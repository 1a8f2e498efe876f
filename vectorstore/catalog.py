"""The document catalogue: what is indexed, and removing one document."""

from __future__ import annotations

from ingest.jurisdiction import stored_codes
from vectorstore.docstate import drop_records, mark_removing
from vectorstore.models import DocumentInfo
from vectorstore.store import ChunkStore


def list_documents(store: ChunkStore) -> list[DocumentInfo]:
    """Every indexed document with its chunk count, sorted by doc_id."""
    found: dict[str, dict] = {}
    counts: dict[str, int] = {}
    for meta in store.metadatas().values():
        doc_id = str(meta.get("doc_id"))
        counts[doc_id] = counts.get(doc_id, 0) + 1
        found.setdefault(doc_id, meta)
    return [
        DocumentInfo(
            doc_id=doc_id,
            title=str(meta.get("title") or doc_id),
            doc_type=meta.get("doc_type"),
            publisher=meta.get("publisher"),
            date=meta.get("date"),
            pages=meta.get("pages"),
            chunks=counts[doc_id],
            jurisdictions=stored_codes(meta.get("doc_jurisdictions")),
        )
        for doc_id, meta in sorted(found.items())
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
