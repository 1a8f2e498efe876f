"""BM25 lexical search over every stored chunk, rebuilt when the store's generation changes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

from vectorstore.filters import ChunkFilter
from vectorstore.models import ScoredChunk, StoredChunk
from vectorstore.store import ChunkStore
from vectorstore.tokenize import tokenize


@dataclass(frozen=True)
class _Snapshot:
    generation: str
    chunks: list[StoredChunk]
    metadatas: list[dict]
    bm25: BM25Okapi | None
    by_doc: dict[str, list[StoredChunk]]


def _terms(chunk: StoredChunk) -> list[str]:
    return tokenize(f"{chunk.metadata.title}\n{chunk.text}")


class LexicalIndex:
    """`rank_bm25.BM25Okapi` over text + title of all chunks; thread-safe.

    The index is (re)built lazily on `search` when `store.generation()` changed; the
    generation is checked at most every `refresh_interval_s` seconds, so writes by other
    processes sharing the same Chroma become visible too.
    """

    def __init__(self, store: ChunkStore, refresh_interval_s: float = 1.0) -> None:
        self.store = store
        self.refresh_interval_s = refresh_interval_s
        self._snapshot: _Snapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def _build(self, generation: str) -> _Snapshot:
        chunks = self.store.all_chunks()
        chunks.sort(key=lambda c: c.chunk_id)
        corpus = [_terms(c) for c in chunks]
        bm25 = BM25Okapi(corpus) if chunks else None
        metas = [c.metadata.model_dump() for c in chunks]
        by_doc: dict[str, list[StoredChunk]] = {}
        for chunk in chunks:
            by_doc.setdefault(chunk.metadata.doc_id, []).append(chunk)
        for doc_chunks in by_doc.values():
            doc_chunks.sort(key=lambda c: (c.metadata.start, c.metadata.end))
        return _Snapshot(generation, chunks, metas, bm25, by_doc)

    def refresh(self, force: bool = False) -> None:
        """Rebuild if the store changed (checked at most every `refresh_interval_s`)."""
        with self._lock:
            now = time.monotonic()
            due = now - self._checked_at >= self.refresh_interval_s
            if not (force or self._snapshot is None or due):
                return
            generation = self.store.generation()
            self._checked_at = now
            if force or self._snapshot is None or generation != self._snapshot.generation:
                self._snapshot = self._build(generation)

    @property
    def size(self) -> int:
        """Chunks in the current index."""
        return len(self._snapshot.chunks) if self._snapshot else 0

    def chunks(self) -> list[StoredChunk]:
        """Every chunk in the current index."""
        self.refresh()
        return list(self._snapshot.chunks) if self._snapshot else []

    def unknown_terms(self, terms: list[str]) -> list[str]:
        """The index terms (see `tokenize`) that no stored chunk contains."""
        self.refresh()
        vocabulary = self._snapshot.bm25.idf if self._snapshot and self._snapshot.bm25 else {}
        return [t for t in terms if t not in vocabulary]

    def neighbours(self, chunk: StoredChunk, span: int = 1) -> list[StoredChunk]:
        """The chunks up to `span` places before and after `chunk` in its document."""
        self.refresh()
        snap = self._snapshot
        siblings = snap.by_doc.get(chunk.metadata.doc_id, []) if snap else []
        ids = [c.chunk_id for c in siblings]
        if chunk.chunk_id not in ids:
            return []
        at = ids.index(chunk.chunk_id)
        return siblings[max(0, at - span) : at] + siblings[at + 1 : at + 1 + span]

    def search(
        self, query: str, k: int, where_filter: ChunkFilter | None = None
    ) -> list[ScoredChunk]:
        """The best `k` chunks for `query` by BM25 (only those matching the filter, score > 0)."""
        self.refresh()
        snap = self._snapshot
        terms = tokenize(query)
        if snap is None or snap.bm25 is None or not terms or k <= 0:
            return []
        scores = snap.bm25.get_scores(terms)
        active = where_filter if where_filter is not None and not where_filter.is_empty() else None
        results: list[ScoredChunk] = []
        for i in np.argsort(-scores, kind="stable"):
            score = float(scores[i])
            if score <= 0.0:
                break
            if active is not None and not active.matches(snap.metadatas[i]):
                continue
            results.append(ScoredChunk(chunk=snap.chunks[i], score=score))
            if len(results) >= k:
                break
        return results
