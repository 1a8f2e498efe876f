"""Hybrid retrieval: dense (Chroma) + lexical (BM25), fused by weighted reciprocal rank
(with rankings of documents fused the same way: those named by the question's dates, those
a follow-up's last answer came from), then capped per document so one long document
cannot crowd out the one that answers."""

from __future__ import annotations

import re
from collections import defaultdict

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import BaseModel, ConfigDict

from assistant.evidence import is_met
from ingest.settings import Settings
from vectorstore.embeddings import LocalEmbeddings
from vectorstore.filters import ChunkFilter
from vectorstore.lexical import LexicalIndex
from vectorstore.models import ScoredChunk
from vectorstore.store import ChunkStore


class RetrievedChunk(BaseModel):
    """A fused hit: the chunk, its fused score, and each retriever's own score and rank."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    chunk: ScoredChunk
    fused: float
    dense: float | None = None
    dense_rank: int | None = None
    lexical: float | None = None
    lexical_rank: int | None = None


def fuse(
    dense: list[ScoredChunk],
    lexical: list[ScoredChunk],
    rrf_k: int,
    dense_weight: float,
    lexical_weight: float,
) -> list[RetrievedChunk]:
    """Weighted reciprocal-rank fusion of two ranked lists, best first."""
    hits: dict[str, RetrievedChunk] = {}
    for rank, hit in enumerate(dense, start=1):
        item = hits.setdefault(hit.chunk.chunk_id, RetrievedChunk(chunk=hit, fused=0.0))
        item.dense, item.dense_rank = hit.score, rank
        item.fused += dense_weight / (rrf_k + rank)
    for rank, hit in enumerate(lexical, start=1):
        item = hits.setdefault(hit.chunk.chunk_id, RetrievedChunk(chunk=hit, fused=0.0))
        item.lexical, item.lexical_rank = hit.score, rank
        item.fused += lexical_weight / (rrf_k + rank)
    return sorted(hits.values(), key=lambda h: h.fused, reverse=True)


def prefer_documents(
    fused: list[RetrievedChunk], ranked_docs: list[str], rrf_k: int, weight: float
) -> list[RetrievedChunk]:
    """`fused` re-ranked with every chunk of the document at rank r of `ranked_docs` given
    `weight` / (`rrf_k` + r) more: a third ranking, of documents, fused like the others."""
    rank = {doc_id: r for r, doc_id in enumerate(ranked_docs, start=1)}
    moved = [
        hit.model_copy(update={"fused": hit.fused + weight / (rrf_k + rank[doc_id])})
        if (doc_id := hit.chunk.chunk.metadata.doc_id) in rank else hit
        for hit in fused
    ]
    return sorted(moved, key=lambda h: h.fused, reverse=True)


_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})(-\d{2})?(?!\d)")


def time_keys(months: list[str], days: list[str]) -> list[str]:
    """The evidence keys of the times a question names: each day, and each month of which
    no day is named ("3 December 2024 and October 2023": the day and October)."""
    return [f"day:{d}" for d in days] + [
        f"month:{m}" for m in months if not any(d.startswith(m) for d in days)
    ]


def _id_dates(doc_id: str) -> list[str]:
    """The dates an id names as dates ("minutes-2024-12-03", "notes-2024-06"); not a span of
    financial years ("report-2011-12": 2011-12 reads as 2011 to 2012, not December)."""
    return [m.group(0) for m in _ISO_DATE.finditer(doc_id)
            if m.group(3) or int(m.group(2)) != (int(m.group(1)) + 1) % 100]


def dated_documents(fused: list[RetrievedChunk], times: list[str]) -> list[str]:
    """The documents among `fused`, best first, whose metadata meets any of `times`
    ('month:2023-10', 'day:2024-12-03') in their title, date or id (its hyphens read as
    spaces, "imsc-communique-3-december-2024", and its dates as dates, "minutes-2024-12-03"):
    the communiqué of a meeting is most often titled or dated by it. Each document is
    checked once."""
    docs: list[str] = []
    seen: set[str] = set()
    for hit in fused:
        meta = hit.chunk.chunk.metadata
        if meta.doc_id in seen:
            continue
        seen.add(meta.doc_id)
        words = re.sub(r"[-_/]+", " ", meta.doc_id)
        text = " ".join([meta.title or "", meta.date or "", words, *_id_dates(meta.doc_id)])
        if any(is_met(key, text) for key in times):
            docs.append(meta.doc_id)
    return docs


def diversify(hits: list[RetrievedChunk], k: int, max_per_doc: int) -> list[RetrievedChunk]:
    """The best `k` hits with at most `max_per_doc` from any one document."""
    per_doc: dict[str, int] = defaultdict(int)
    chosen: list[RetrievedChunk] = []
    for hit in hits:
        doc_id = hit.chunk.chunk.metadata.doc_id
        if per_doc[doc_id] >= max_per_doc:
            continue
        per_doc[doc_id] += 1
        chosen.append(hit)
        if len(chosen) == k:
            break
    return chosen


class HybridSearch:
    """Dense + lexical search over one store; safe to share between threads."""

    def __init__(
        self,
        store: ChunkStore,
        lexical: LexicalIndex,
        embeddings: LocalEmbeddings,
        settings: Settings,
    ) -> None:
        self.store = store
        self.lexical = lexical
        self.embeddings = embeddings
        self.settings = settings

    def ranked(
        self,
        query: str,
        chunk_filter: ChunkFilter | None = None,
        query_embedding: list[float] | None = None,
    ) -> list[RetrievedChunk]:
        """Every fused hit for `query`, best first (no per-document cap)."""
        s = self.settings
        embedding = query_embedding or self.embeddings.embed_query(query)
        where = chunk_filter.to_where() if chunk_filter else None
        dense = self.store.query(embedding, s.fetch_k, where)
        lexical = self.lexical.search(query, s.fetch_k, chunk_filter)
        return fuse(dense, lexical, s.rrf_k, s.dense_weight, s.lexical_weight)

    def documents_for(
        self, text: str, n: int, chunk_filter: ChunkFilter | None = None
    ) -> list[str]:
        """The documents of the best `n` chunks for `text` by its words (BM25 only: no
        embedding), best first."""
        docs: list[str] = []
        for hit in self.lexical.search(text, n, chunk_filter):
            if hit.chunk.metadata.doc_id not in docs:
                docs.append(hit.chunk.metadata.doc_id)
        return docs

    def search(
        self,
        query: str,
        k: int,
        chunk_filter: ChunkFilter | None = None,
        query_embedding: list[float] | None = None,
    ) -> list[RetrievedChunk]:
        """The top `k` fused, per-document-capped hits for `query`."""
        fused = self.ranked(query, chunk_filter, query_embedding)
        return diversify(fused, k, self.settings.max_chunks_per_doc)


class HybridRetriever(BaseRetriever):
    """The hybrid search as a LangChain retriever, for your own chains.

    Get one from `Assistant.retriever(k=..., filters=SearchFilters(...))`. It is a LangChain
    `Runnable`: ``invoke(query)``, ``batch([...])``, ``retriever | next_step``. Each
    `Document` is one chunk, best first, at most IGR_MAX_CHUNKS_PER_DOC per document;
    ``id`` is the chunk id and ``metadata`` holds ``chunk_id``, ``doc_id``, ``title``,
    ``source``, ``publisher``, ``date``, ``doc_type``, ``page``, ``section``, ``start``,
    ``end`` (character offsets in the document) and ``score`` (the fused rank score).
    It retrieves only: answers with verified citations come from `Assistant.ask`.
    """

    search_engine: HybridSearch
    k: int = 5
    chunk_filter: ChunkFilter | None = None

    model_config = ConfigDict(arbitrary_types_allowed=True)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        hits = self.search_engine.search(query, self.k, self.chunk_filter)
        return [
            Document(
                id=h.chunk.chunk.chunk_id,
                page_content=h.chunk.chunk.text,
                metadata={
                    **h.chunk.chunk.metadata.model_dump(exclude_none=True),
                    "score": h.fused,
                },
            )
            for h in hits
        ]
