"""`Assistant`: the one object the CLI, the API and the evals use to ingest, retrieve and answer."""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path

from assistant.abbreviations import spell_out
from assistant.answer_spans import mark_answer_spans
from assistant.answerers.base import load_answerer
from assistant.conversation import (
    previous_answer,
    refers_back,
    retrieval_query,
    standalone_question,
)
from assistant.encoder import CachedEncoder
from assistant.gates import (
    JURISDICTION,
    NO_ANSWER,
    UNSUPPORTED,
    Refusal,
    evidence_gate,
    question_gate,
)
from assistant.jurisdiction import check_jurisdiction
from assistant.models import (
    AnswerResult,
    ChatMessage,
    Citation,
    Draft,
    Passage,
    Retrieval,
    RetrievedItem,
    SearchFilters,
    Timings,
)
from assistant.nlp import MONTHS, typed_spans
from assistant.question import named_times, profile_question, question_parts, word_budget
from assistant.refusal import refusal_text, unanswered_text
from assistant.retrieval import (
    HybridRetriever,
    HybridSearch,
    RetrievedChunk,
    dated_documents,
    diversify,
    prefer_documents,
    time_keys,
)
from assistant.runtime import use_query_threads
from assistant.safety import strip_injection
from assistant.truecase import truecase
from assistant.verified_stream import VerifiedStream
from assistant.verifier import Verifier
from assistant.windows import clauses, units_of
from ingest.sentences import split_sentences
from ingest.settings import Settings, get_settings
from vectorstore.catalog import list_documents
from vectorstore.catalog import remove_document as remove_from_store
from vectorstore.embeddings import get_embeddings
from vectorstore.filters import ChunkFilter
from vectorstore.indexer import PreparedUpload, commit_upload, index_paths, prepare_upload
from vectorstore.lexical import LexicalIndex
from vectorstore.models import DocumentInfo, IngestReport, StoredChunk
from vectorstore.store import ChunkStore, open_store
from vectorstore.tokenize import tokenize

StreamEvent = tuple[str, object]
Progress = Callable[[str, int, int], None]


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 2)


_PASSAGE_METADATA = set(Passage.model_fields) - {"n", "text", "score"}


def _passage(n: int, chunk: StoredChunk, score: float) -> Passage:
    metadata = chunk.metadata.model_dump(include=_PASSAGE_METADATA)
    return Passage(n=n, text=chunk.text, score=score, **metadata)


def _chunk_filter(filters: SearchFilters | None) -> ChunkFilter | None:
    if filters is None:
        return None
    return ChunkFilter(
        doc_types=filters.doc_type,
        publishers=filters.publisher,
        doc_ids=filters.doc_ids,
        date_from=filters.date_from,
        date_to=filters.date_to,
        jurisdictions=filters.jurisdiction,
    )


def _long_date(date: str) -> str:
    """A stored date as written in a UK text: '2016-12-19' -> '19 December 2016',
    '2023-12' -> 'December 2023'; anything else as stored."""
    parts = date.split("-")
    if not all(p.isdigit() for p in parts) or not 2 <= len(parts) <= 3:
        return date
    month = int(parts[1])
    if not 1 <= month <= 12:
        return date
    name = MONTHS[month - 1].capitalize()
    return f"{int(parts[2])} {name} {parts[0]}" if len(parts) == 3 else f"{name} {parts[0]}"


def _with_dates(answer: str, citations: list[Citation]) -> str:
    """When cited documents come from different years, show each citation's date."""
    years = {c.date[:4] for c in citations if c.date}
    if len(years) < 2:
        return answer
    for c in citations:
        if c.date:
            answer = answer.replace(f"[{c.n}]", f"[{c.n}] ({_long_date(c.date)})")
    return answer


def _stop_warm_up(ref: weakref.ref[Assistant]) -> None:
    """At interpreter exit: stop an Assistant's background warm-up, if it still exists."""
    assistant = ref()
    if assistant is not None:
        assistant.stop_warm_up()


class Assistant:
    """Loads the model, the store and the answerer lazily, once; safe for concurrent use."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self._lock = threading.RLock()
        self._warming: threading.Thread | None = None
        self._stop_warming = threading.Event()

    # --- parts, loaded on first use ----------------------------------------------------

    @cached_property
    def store(self) -> ChunkStore:
        with self._lock:
            return open_store(self.settings)

    @cached_property
    def encoder(self) -> CachedEncoder:
        with self._lock:
            use_query_threads(self.settings)
            return CachedEncoder(get_embeddings(self.settings))

    @cached_property
    def lexical(self) -> LexicalIndex:
        with self._lock:
            return LexicalIndex(self.store)

    @cached_property
    def search(self) -> HybridSearch:
        with self._lock:
            return HybridSearch(self.store, self.lexical, self.encoder, self.settings)

    @cached_property
    def answerer(self):
        with self._lock:
            return load_answerer(self.settings.answerer)(self.settings, self.encoder)

    @cached_property
    def verifier(self) -> Verifier:
        with self._lock:
            return Verifier(self.encoder, self.settings)

    def warm_up(self, sentences: bool = False) -> None:
        """Load the model, the store, the lexical index and the answerer now; with
        `sentences`, also embed stored sentences (up to `warm_up_sentences`) in a
        background thread, so that first answers cost no more than later ones."""
        self.encoder.embed_query("warm up")
        self.lexical.refresh(force=True, wait=True)
        _ = self.answerer, self.verifier
        if sentences and not self.warming:
            self._stop_warming.clear()
            self._warming = threading.Thread(target=self._embed_all_sentences, daemon=True)
            self._warming.start()
            atexit.register(_stop_warm_up, weakref.ref(self))  # no model call at exit

    def stop_warm_up(self) -> None:
        """Stop embedding stored sentences in the background (after the current batch)."""
        self._stop_warming.set()
        if self._warming is not None:
            self._warming.join(timeout=60)

    def _embed_all_sentences(self, batch: int = 16) -> None:
        """Embed and tag (`nlp.typed_spans`) stored sentences, and the runs of clauses of
        long ones that answers may quote (`AnswerPolicy.clause_words`), at most
        `warm_up_sentences` texts."""
        texts: dict[str, None] = {}
        budget = self.settings.warm_up_sentences
        most = self.settings.answer.clause_words
        for chunk in self.lexical.chunks(limit=budget):
            texts.update(dict.fromkeys(split_sentences(chunk.text)))
            for unit in units_of(chunk.text):
                if unit is not None:
                    texts.update(dict.fromkeys(c.text for c in clauses(chunk.text, unit, most)))
            if len(texts) >= budget or self._stop_warming.is_set():
                break
        ordered = list(texts)[:budget]
        for start in range(0, len(ordered), batch):
            if self._stop_warming.is_set():
                return
            self.encoder.encode(ordered[start : start + batch])
            for text in ordered[start : start + batch]:
                typed_spans(text)  # cached: the answer's typed spans, read once

    # --- answering ---------------------------------------------------------------------

    def ask(
        self,
        question: str,
        history: list[ChatMessage] | None = None,
        filters: SearchFilters | None = None,
        k: int | None = None,
        id: str | None = None,
    ) -> AnswerResult:
        """Answer `question` with verified citations, or refuse plainly."""
        result: AnswerResult | None = None
        for kind, payload in self.ask_stream(question, history, filters, k, id=id):
            if kind == "result":
                result = payload  # type: ignore[assignment]
        assert result is not None
        return result

    def retrieve(
        self,
        question: str,
        history: list[ChatMessage] | None = None,
        filters: SearchFilters | None = None,
        k: int | None = None,
    ) -> Retrieval:
        """The standalone query for `question` (its shorthand spelled out) and the passages an
        answerer reads for it."""
        typed = spell_out(question, self.lexical, self.settings.spelling_cutoff)
        query = standalone_question(typed, history or [])
        search = retrieval_query(query, history or [])
        chunk_filter = _chunk_filter(filters)
        parts = question_parts(query)
        # One batch for every text this question is compared by (the search, the question
        # and each of its parts): one forward pass costs less than one per text.
        self.encoder.encode([search, query, *parts])  # repeats are embedded once
        fused = self.search.ranked(
            search, chunk_filter, query_embedding=self.encoder.embed_query(search)
        )
        per_doc = self.settings.max_chunks_per_doc
        fused = self._prefer_dated(query, fused)
        said = previous_answer(history or [])
        if said and query != typed and self.settings.follow_up_hits:
            # a question leaning on the conversation is most often about what was just said
            docs = self.search.documents_for(said, self.settings.follow_up_hits, chunk_filter)
            if docs:
                fused = prefer_documents(
                    fused, docs, self.settings.rrf_k, self.settings.follow_up_weight
                )
                per_doc = self.settings.follow_up_chunks_per_doc
        hits = diversify(fused, k or self.settings.top_k, per_doc)
        passages = self._answer_passages(hits, fused, chunk_filter)
        self._add_part_hits(parts, passages, chunk_filter)
        # the search folds case; what is checked of the question reads its capitals
        query, typed = truecase([query, typed], passages)
        return Retrieval(query=query, passages=passages, typed=typed)

    def _prefer_dated(self, query: str, fused: list[RetrievedChunk]) -> list[RetrievedChunk]:
        """`fused` with the documents whose title, date or id names a month or day the
        question names preferred (`dated_weight`; see `retrieval.dated_documents`); a month
        only when no day of it is named."""
        if not self.settings.dated_weight:
            return fused
        times = time_keys(*named_times(query))
        docs = dated_documents(fused, times) if times else []
        if not docs:
            return fused
        return prefer_documents(fused, docs, self.settings.rrf_k, self.settings.dated_weight)

    def _add_part_hits(
        self, parts: list[str], passages: list[Passage], chunk_filter: ChunkFilter | None
    ) -> None:
        """Each part of a question of several parts is also searched alone (by its words:
        BM25, no second embedding), and its best `part_hits` hits not already read are added:
        the whole question's search ranks by the words of all its parts, so the passage
        answering one part alone can fall short."""
        if len(parts) < 2 or not self.settings.part_hits:
            return
        seen = {p.chunk_id for p in passages}
        for part in parts:
            if refers_back(part) or len(tokenize(part)) < 2:
                continue  # "and who hosted it?", "on what date?": nothing to search alone
            for hit in self.lexical.search(part, self.settings.part_hits, chunk_filter):
                if hit.chunk.chunk_id not in seen:  # lexical only: a part names its matter
                    seen.add(hit.chunk.chunk_id)
                    passages.append(_passage(len(passages) + 1, hit.chunk, 0.0))

    def retriever(
        self, k: int | None = None, filters: SearchFilters | None = None
    ) -> HybridRetriever:
        """The hybrid search as a LangChain retriever (a Runnable) for your own chains."""
        return HybridRetriever(search_engine=self.search, k=k or self.settings.top_k,
                               chunk_filter=_chunk_filter(filters))

    def ask_stream(
        self,
        question: str,
        history: list[ChatMessage] | None = None,
        filters: SearchFilters | None = None,
        k: int | None = None,
        id: str | None = None,
    ) -> Iterator[StreamEvent]:
        """Yield ("delta", str) as verified text of the answer is ready (numbered as the
        final answer), then ("result", AnswerResult).

        One pipeline: the question is cleaned and profiled once, then passes the ordered
        gates of `assistant.gates` (empty, off topic, unmet specifics), the answerer (no
        answer found) and the verifier (nothing supported); the first that fails gives the
        refusal and its reason.
        """
        started = time.perf_counter()
        history = history or []
        clean, _ = strip_injection(question)
        base = {"id": id, "question": question, "answerer": self.answerer.name}
        refusal = question_gate(clean)
        if refusal:
            yield "result", AnswerResult(
                **base, answer=refusal_text([], off_topic=True), refused=True,
                refusal_reason=refusal.text,
                timings_ms=Timings(total=_ms(time.perf_counter() - started)),
            )
            return

        found = self.retrieve(clean, history, filters, k)
        passages = found.passages
        # shown when it says more than the question: not for capitals or a question mark
        base["standalone_question"] = (
            found.query if found.query.lower().rstrip(" ?") != clean.lower().rstrip(" ?")
            else None)
        retrieved = [
            RetrievedItem(
                chunk_id=p.chunk_id, doc_id=p.doc_id, title=p.title, page=p.page,
                score=round(p.score, 6), text=p.text, jurisdictions=p.jurisdictions,
            )
            for p in passages  # the top-k hits first, then what else the answerer read
        ]
        retrieved_at = time.perf_counter()

        def timings() -> Timings:
            now = time.perf_counter()
            return Timings(
                retrieve=_ms(retrieved_at - started), answer=_ms(now - retrieved_at),
                total=_ms(now - started),
            )

        def refused(refusal: Refusal, unsupported: list[str] | None = None) -> AnswerResult:
            return AnswerResult(
                **base, answer=refusal_text(passages), refused=True, retrieved=retrieved,
                refusal_reason=refusal.text, unsupported=unsupported or [],
                timings_ms=timings(),
            )

        asked = found.query  # a follow-up with its subject written in
        terms = tokenize(asked)  # "who oversaw it?" is about what "it" stands for
        own = found.typed or clean  # the question's own specifics (not its carried subject)
        refusal = evidence_gate(
            profile_question(own), terms, self.lexical.unknown_terms(terms), passages,
            self.settings.answer, [profile_question(p) for p in question_parts(own)],
        )
        if refusal:
            yield "result", refused(refusal)
            return

        streams = getattr(self.answerer, "streams", False)
        budget = word_budget(asked, self.settings.max_answer_words,
                             self.settings.answer.max_words_many)
        if streams:  # a generative answer, passed on as its sentences are verified
            stream = VerifiedStream(self.verifier, passages, budget)  # numbered as the answer
            for piece in stream.deltas(self.answerer.stream(clean, passages, history)):
                yield "delta", piece
            draft, verified = Draft(text=stream.draft.strip()), stream.verified
        else:
            draft = self.answerer.answer(asked, passages, history)
            verified = (self.verifier.verify(draft.text, passages, budget)
                        if draft.text.strip() else None)
        if verified is None or not verified.citations or not verified.answer.strip():
            reason = Refusal(UNSUPPORTED if draft.text.strip() else NO_ANSWER)
            yield "result", refused(reason, verified.unsupported if verified else None)
            return
        answer = _with_dates(verified.answer, verified.citations)
        if draft.unanswered:
            answer += "\n\n" + unanswered_text(draft.unanswered)
        result = AnswerResult(
            **base,
            answer=answer,
            refused=False,
            citations=mark_answer_spans(asked, verified.citations),
            unsupported=verified.unsupported,
            retrieved=retrieved,
            timings_ms=timings(),
        )
        result = check_jurisdiction(asked, result, passages)  # where it applies
        if result.refused:
            result.refusal_reason = JURISDICTION
        elif not streams:
            yield "delta", result.answer  # nothing was streamed: the answer in one piece
        yield "result", result

    def _answer_passages(
        self, hits: list[RetrievedChunk], fused: list[RetrievedChunk],
        chunk_filter: ChunkFilter | None = None,
    ) -> list[Passage]:
        """What the answerer reads: the hits, then the next best chunks (beyond k, or held
        back by the per-document cap), then the chunks next to the best hits (the sentence
        that answers often sits just before or after the one that matched), then the chunk
        after any of these that ends on a lead-in ("... in three categories:"), which holds
        its items."""
        passages = [_passage(i, h.chunk.chunk, h.fused) for i, h in enumerate(hits, start=1)]
        seen = {p.chunk_id for p in passages}

        def add(chunk: StoredChunk, score: float) -> None:
            if chunk.chunk_id not in seen:
                seen.add(chunk.chunk_id)
                passages.append(_passage(len(passages) + 1, chunk, score))

        held_back = [h for h in fused if h.chunk.chunk.chunk_id not in seen]
        for hit in held_back[: self.settings.extra_passages]:
            add(hit.chunk.chunk, hit.fused)
        for hit in hits[: self.settings.neighbour_hits]:
            for chunk in self.lexical.neighbours(
                hit.chunk.chunk.chunk_id, whole_up_to=self.settings.whole_doc_chunks
            ):
                if chunk_filter is None or chunk_filter.matches(chunk.metadata.model_dump()):
                    add(chunk, 0.0)  # a neighbour outside the filter stays out
        for passage in list(passages):
            units = units_of(passage.text)
            if units and units[-1] is not None and units[-1].lead_in:
                for chunk in self.lexical.neighbours(passage.chunk_id, before=False):
                    if chunk_filter is None or chunk_filter.matches(chunk.metadata.model_dump()):
                        add(chunk, 0.0)
        return passages

    # --- the corpus --------------------------------------------------------------------

    def ingest(
        self, paths: list[Path] | None = None, prune: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Index files or folders (default: the configured corpus) incrementally."""
        report = index_paths(paths, self.settings, prune=prune, progress=progress)
        if "lexical" in self.__dict__:  # (the indexer updated the index file itself)
            self.lexical.refresh(force=True)
        return report

    def prepare_upload(self, staged: Path, target: Path) -> PreparedUpload:
        """Load, chunk and embed an uploaded file (no store writes; no lock needed)."""
        return prepare_upload(staged, target, self.settings)

    def commit_upload(self, prepared: PreparedUpload) -> IngestReport:
        """Index a prepared upload as `uploads/<name>` (see `vectorstore.indexer`)."""
        report = commit_upload(prepared, self.settings)
        if "lexical" in self.__dict__:
            self.lexical.refresh(force=True)
        return report

    def documents(self) -> list[DocumentInfo]:
        """Every indexed document."""
        return list_documents(self.store)

    def remove_document(self, doc_id: str) -> bool:
        """Remove one document; False when it was not indexed."""
        removed = remove_from_store(self.store, doc_id) > 0
        if removed and "lexical" in self.__dict__:
            self.lexical.refresh(force=True)
        return removed

    @property
    def warming(self) -> bool:
        """Stored sentences are still being embedded in the background (`warm_up`)."""
        return self._warming is not None and self._warming.is_alive()

    def health(self) -> dict[str, object]:
        """{"store": reachable, "model": loaded, "documents": count, "warming": bool}."""
        try:
            store_ok = self.store.ping()
            documents = self.lexical.document_count() if store_ok else 0
        except Exception:  # noqa: BLE001 - health reports, never raises
            store_ok, documents = False, 0
        return {"store": store_ok, "model": "encoder" in self.__dict__, "documents": documents,
                "warming": self.warming}
