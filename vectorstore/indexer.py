"""Incremental indexing: files -> chunks -> embeddings -> Chroma, one document at a time.

State lives in Chroma itself, not in LangChain's indexing API + record manager: a record
manager is a second database that two API hosts over one Chroma server would also have
to share, and `index()` hashes loaded documents, so it cannot skip loading unchanged
files. Every chunk carries bookkeeping keys beside its `ChunkMetadata`: `index_key`
(hash of the file bytes + chunking settings + model fingerprint), `doc_hash` (content
hash), `doc_chunk_count`, `path`, `root`, `ingested_at`, `date_key`, `pages`, a
`jur_<code>` flag per jurisdiction the chunk concerns (for `where` filters) and, on the
first chunk, the document's dedup sketch. A document is up to date when all its stored
chunks carry the current `index_key` and there are `doc_chunk_count` of them; anything
else (a changed file, a run killed half way) is re-done. Documents are committed as
"upsert new chunks, then delete stale ones", so a reader never sees a document vanish.

What a run reads (`vectorstore.docstate`): the chunks' bookkeeping of the documents it
plans, commits or removes, with a `doc_id` filter (only theirs); and one record per
document in the `<collection>-docs` collection (index key, chunk count, path, doc hash,
sketch) to find near-duplicate candidates, indexed files and pruned files. So adding one
file or upload costs its own chunks plus one small row per stored document, not a read
of every chunk. Records are marked incomplete before a commit or removal and written
after it; a lagging record of an up-to-date document is completed when a run meets it;
a store written before records were kept has them built from its chunks once.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from ingest.dedup import SKETCH_MIN_SHARED
from ingest.discovery import is_upload_id, upload_source
from ingest.jurisdiction import JurisdictionRules, rules_fingerprint
from ingest.models import DocumentMeta, LoadedDocument, SkippedFile, SourceFile
from ingest.settings import Settings
from vectorstore.docstate import (
    SKETCH_KEY,
    DocRecord,
    StoredDoc,
    chunk_state,
    doc_records,
    drop_records,
    format_sketch,
    mark_removing,
    mark_writing,
    record_row,
    stale_records,
    write_records,
)
from vectorstore.filters import DATE_KEY, JURISDICTION_FLAGS, date_key, jurisdiction_flags
from vectorstore.lexical import LexicalIndex
from vectorstore.models import IngestReport
from vectorstore.store import open_store

Progress = Callable[[str, int, int], None]
INDEX_VERSION = "1"
EMBED_BATCHES_PER_COMMIT = 4  # texts per encode call = embedding_batch_size * this
BOOKKEEPING_KEYS = frozenset(
    {"index_key", "doc_hash", "doc_chunk_count", "path", "root", "ingested_at", DATE_KEY, "pages",
     SKETCH_KEY}
    | set(JURISDICTION_FLAGS.values())
)


@dataclass
class _Loaded:
    """A document loaded and chunked in this run, with its source file and index key."""

    doc: LoadedDocument
    src: SourceFile
    key: str
    chunks: list[Document] = field(default_factory=list)
    sketch: list[int] = field(default_factory=list)


@dataclass
class _Job:
    """One document to (re)index in this run."""

    doc_id: str
    texts: list[str]
    ids: list[str]
    metadatas: list[dict[str, Any]]
    vectors: list[list[float]] = field(default_factory=list)


def model_fingerprint(model_dir: Path) -> str:
    """Identifies an embedding model by content (small config files, weight sizes), so the
    same model installed at different paths (two API hosts) gives the same index keys."""
    digest = hashlib.sha256()
    model_dir = Path(model_dir)
    for name in ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json"):
        file = model_dir / name
        if file.is_file():
            digest.update(name.encode() + file.read_bytes())
    for file in sorted(model_dir.glob("*.safetensors")) + sorted(model_dir.glob("*.bin")):
        digest.update(f"{file.name}:{file.stat().st_size}".encode())
    return digest.hexdigest()[:16]


def _config_key(settings: Settings) -> str:
    model = model_fingerprint(settings.resolved_embedding_model())
    tagging = rules_fingerprint(JurisdictionRules.from_settings(settings))
    return f"{INDEX_VERSION}|{settings.chunk_size}|{settings.chunk_overlap}|{model}|{tagging}"


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma accepts str/int/float/bool values only: drop None, serialise the rest."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if value is None:
            continue
        out[key] = value if isinstance(value, str | int | float | bool) else json.dumps(value)
    return out


def _rebuild_text(pieces: list[tuple[int, str, dict]]) -> str:
    """A document's text from its (overlapping) chunks placed at their offsets."""
    size = max(start + len(text) for start, text, _ in pieces)
    buf = [" "] * size
    for start, text, _ in pieces:
        buf[start : start + len(text)] = text
    return "".join(buf)


def _under(path: str | None, roots: list[Path]) -> bool:
    return path is not None and any(Path(path).is_relative_to(r) for r in roots)


class _Run:
    """One `index_paths` call."""

    def __init__(
        self, settings: Settings, progress: Progress | None, read_state: bool = True
    ) -> None:
        self.settings = settings
        self.progress = progress or (lambda _d, _n, _t: None)
        self.report = IngestReport()
        self.config_key = _config_key(settings)
        if read_state:
            self.store = open_store(settings)
            self.lexical = LexicalIndex(self.store)
        self.state: dict[str, StoredDoc] = {}  # chunk state of the documents read so far
        self._state_read: set[str] = set()
        self.removed: list[str] = []
        self.changes: list[str] = []  # change-log records of the removals

    def skip(self, path: object, reason: str) -> None:
        self.report.skipped.append(SkippedFile(path=str(path), reason=reason))

    def load_state(self, doc_ids: Iterable[str]) -> None:
        """Read the chunk state of these documents (those not read yet): their chunks only."""
        todo = set(doc_ids) - self._state_read
        if todo:
            self.state.update(chunk_state(self.store, todo))
            self._state_read |= todo

    def remove(self, doc_id: str) -> None:
        self.load_state([doc_id])
        doc = self.state.pop(doc_id, None)
        if doc and doc.ids:
            self.changes.extend(self.store.log_changes([doc_id]))
            mark_removing(self.store, [doc_id])
            self.store.delete(sorted(doc.ids))
            self.removed.append(doc_id)
            self.report.removed += 1
        drop_records(self.store, [doc_id])

    def finish_removals(self) -> None:
        """Log the removed documents, change the generation, and drop them from the
        lexical index."""
        if self.removed:
            self.changes.extend(self.store.log_changes(self.removed))
            self.store.bump_generation()
            self.lexical.apply({doc_id: [] for doc_id in self.removed}, self.changes)
            self.removed, self.changes = [], []

    # --- planning --------------------------------------------------------------------

    def key_for(self, file_hash: str) -> str:
        """The index key of a file with these bytes under this run's settings."""
        return hashlib.sha256(f"{file_hash}|{self.config_key}".encode()).hexdigest()

    def plan(self, sources: list[SourceFile]) -> list[list[tuple[SourceFile, str]]]:
        """Documents needing (re)indexing: for each doc_id, its files (usually one) with
        their index keys, in the order to try them; files of one doc_id are alternatives
        (kite.pdf, kite.txt): the first that loads is indexed."""
        groups: dict[str, list[SourceFile]] = {}
        for src in sources:
            groups.setdefault(src.doc_id, []).append(src)
        self.load_state(groups)
        todo: list[list[tuple[SourceFile, str]]] = []
        unchanged: list[str] = []
        for doc_id, members in groups.items():
            keyed: list[tuple[SourceFile, str]] = []
            for src in members:
                try:
                    keyed.append((src, self.key_for(_file_hash(src.path))))
                except OSError as exc:
                    self.skip(src.path, f"cannot read file: {exc.strerror or exc}")
            doc = self.state.get(doc_id)
            current = next(
                (
                    src for src, key in keyed
                    if doc and doc.complete and key in doc.index_keys and doc.path == str(src.path)
                ),
                None,
            )
            if current is not None:
                self.report.unchanged += 1
                unchanged.append(doc_id)
                for src, _ in keyed:
                    if src is not current:
                        self.skip(src.path, _same_id(doc_id, current))
                continue
            if keyed:
                todo.append(keyed)
        self.fix_records(unchanged)
        return todo

    def fix_records(self, doc_ids: list[str]) -> None:
        """Complete the records of these up-to-date documents where they lag their chunks."""
        stale = stale_records(self.store, {d: self.state[d] for d in doc_ids})
        if stale:
            write_records(self.store, stale)

    def load_one(self, src: SourceFile, key: str, data: bytes | None = None) -> _Loaded:
        """Load and chunk one file within the per-file time budget (UnreadableFile if not)."""
        from ingest.budget import time_budget
        from ingest.chunking import chunk_document
        from ingest.loaders import load_document

        with time_budget(self.settings.ingest_file_seconds):
            doc = load_document(src, self.settings, data)
            chunks = chunk_document(doc, self.settings)
        return _Loaded(doc, src, key, chunks)

    def load(self, todo: list[list[tuple[SourceFile, str]]]) -> list[_Loaded]:
        """Load the planned files; unreadable ones become skipped entries, and the next file
        of the same doc_id is tried instead."""
        from ingest.errors import UnreadableFile

        loaded: list[_Loaded] = []
        for i, group in enumerate(todo):
            self.progress("reading", i, len(todo))
            chosen: _Loaded | None = None
            for src, key in group:
                if chosen is not None:
                    self.skip(src.path, _same_id(src.doc_id, chosen.src))
                    continue
                try:
                    chosen = self.load_one(src, key)
                except UnreadableFile as exc:
                    self.skip(src.path, str(exc) or "unreadable file")
            if chosen is not None:
                loaded.append(chosen)
        self.progress("reading", len(todo), len(todo))
        return loaded

    def stored_texts(self, exclude: set[str], sketches: list[set[int]]) -> list[LoadedDocument]:
        """Stored documents (file still present) that may duplicate one of this run's
        documents (their dedup sketches match, see `ingest.dedup.sketch`, or they have none),
        rebuilt from their chunks: an ingest reads the per-document records and the
        candidates' chunks, not the store."""
        by_hash: dict[str, list[int]] = {}  # keyed as `format_sketch` writes them (hex)
        for i, hashes in enumerate(sketches):
            for h in hashes:
                by_hash.setdefault(f"{h:x}", []).append(i)

        def candidate(rec: DocRecord) -> bool:
            if rec.sketch is None:
                return True
            shared = Counter(i for h in rec.sketch.split(",") for i in by_hash.get(h, ()))
            return any(n >= SKETCH_MIN_SHARED for n in shared.values())

        records = doc_records(self.store)
        keep = sorted(
            doc_id
            for doc_id, rec in records.items()
            if doc_id not in exclude and rec.complete and candidate(rec)
            and rec.path and os.path.exists(rec.path)
        )
        if not keep:
            return []
        parts: dict[str, list[tuple[int, str, dict]]] = {}
        for i in range(0, len(keep), 200):
            for _, text, meta in self.store.raw_chunks({"doc_id": {"$in": keep[i : i + 200]}}):
                parts.setdefault(meta["doc_id"], []).append((meta["start"], text, meta))
        docs: list[LoadedDocument] = []
        for doc_id, pieces in parts.items():
            rec = records[doc_id]
            if len(pieces) != rec.chunks or any(
                m.get("index_key") != rec.index_key for _, _, m in pieces
            ):
                continue  # its chunks are not (or no longer) the recorded write: incomplete
            text = _rebuild_text(pieces)
            meta = pieces[0][2]
            docs.append(
                LoadedDocument(
                    meta=DocumentMeta(doc_id=doc_id, path=str(meta.get("path")), title=doc_id),
                    text=text,
                    page_starts=[0] if meta.get("pages") else None,
                    content_hash=str(meta.get("doc_hash") or ""),
                )
            )
        return docs

    def drop_duplicates(self, loaded: list[_Loaded], unindex: bool = True) -> list[_Loaded]:
        """Keep one document of each near-duplicate group (among this run's documents and
        those already indexed); report and unindex the others.

        A new copy never evicts what is already indexed, unless both are corpus documents and
        the new one adds page numbers. Across the upload boundary nothing is evicted: an
        upload that copies a corpus document is not indexed, and a corpus document that
        copies an upload is indexed beside it; both are reported. With `unindex` false, a
        dropped document's earlier version stays indexed (a rejected re-upload).
        """
        from ingest.dedup import find_duplicates, shingles, sketch

        if not loaded:
            return loaded
        in_run = {item.doc.meta.doc_id for item in loaded}
        for item in loaded:
            item.sketch = sketch(shingles(item.doc.text))
        stored = self.stored_texts(in_run, [set(item.sketch) for item in loaded])
        pairs = find_duplicates([item.doc for item in loaded] + stored)
        paths = {d.meta.doc_id: d.meta.path for d in stored}
        paths.update((item.doc.meta.doc_id, str(item.src.path)) for item in loaded)
        paged = {d.meta.doc_id for d in stored if d.meta.pages} | {
            item.doc.meta.doc_id for item in loaded if item.doc.meta.pages
        }
        dropped: set[str] = set()
        for doc_id, original in pairs:
            if doc_id not in in_run and original not in in_run:
                continue  # both indexed by earlier runs: not this run's decision
            if is_upload_id(doc_id) != is_upload_id(original):
                upload, corpus = (doc_id, original) if is_upload_id(doc_id) else (original, doc_id)
                if upload not in in_run:  # a corpus copy of an upload: report, keep both
                    self.report.near_duplicates.append(
                        {"path": paths[corpus], "similar_to": upload}
                    )
                    continue
                doc_id, original = upload, corpus
            elif doc_id not in in_run and not (
                original in paged and doc_id not in paged and not is_upload_id(doc_id)
            ):
                # A new copy never evicts what is already indexed (unless it adds pages).
                doc_id, original = original, doc_id
            if doc_id in dropped:
                continue
            dropped.add(doc_id)
            self.report.duplicates.append({"path": paths[doc_id], "duplicate_of": original})
            self.skip(paths[doc_id], f"duplicate of {original}")
            if unindex or doc_id not in in_run:
                self.remove(doc_id)
        return [item for item in loaded if item.doc.meta.doc_id not in dropped]

    def chunk(self, loaded: list[_Loaded]) -> list[_Job]:
        """Attach bookkeeping metadata to the kept documents' chunks."""
        jobs: list[_Job] = []
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        for item in loaded:
            doc, chunks = item.doc, item.chunks
            if not chunks:
                self.skip(item.src.path, "no text to index")
                continue
            extra = {
                "index_key": item.key,
                "doc_hash": doc.content_hash,
                "doc_chunk_count": len(chunks),
                "path": str(item.src.path),
                "root": str(item.src.root),
                "ingested_at": now,
                "pages": doc.meta.pages,
            }
            metas, ids = [], []
            for chunk in chunks:
                meta = dict(chunk.metadata)
                meta.update(extra)
                meta[DATE_KEY] = date_key(meta.get("date"))
                meta.update(jurisdiction_flags(meta.get("jurisdictions")))
                metas.append(_clean_meta(meta))
                ids.append(str(meta["chunk_id"]))
            if item.sketch:
                metas[0][SKETCH_KEY] = format_sketch(item.sketch)
            jobs.append(_Job(doc.meta.doc_id, [c.page_content for c in chunks], ids, metas))
        return jobs

    # --- embedding and committing ----------------------------------------------------

    def commit(self, jobs: list[_Job], done: int, total: int) -> None:
        """Write completed documents: their new chunks first, then drop their stale ones.

        One upsert and one delete for the group (Chroma writes are costly per call); a
        crash in between leaves documents the next run sees as incomplete and redoes.
        Their records are marked incomplete before and written after (`vectorstore.docstate`).
        The documents are logged in the store's change log before and after, and put in
        the lexical index from the texts in hand.
        """
        if jobs:
            doc_ids = [j.doc_id for j in jobs]
            self.load_state(doc_ids)
            records = {j.doc_id: record_row(j.metadatas[0]) for j in jobs}
            entries = self.store.log_changes(doc_ids)
            mark_writing(self.store, records)
            self.store.upsert(
                [i for j in jobs for i in j.ids],
                [v for j in jobs for v in j.vectors],
                [t for j in jobs for t in j.texts],
                [m for j in jobs for m in j.metadatas],
            )
            stale: list[str] = []
            for job in jobs:
                old = self.state.get(job.doc_id)
                if old is not None:
                    stale.extend(sorted(old.ids - set(job.ids)))
                    self.report.updated += 1
                else:
                    self.report.added += 1
                self.report.chunks_embedded += len(job.ids)
            self.store.delete(stale)
            write_records(self.store, records)
            for job in jobs:
                self.state[job.doc_id] = StoredDoc(
                    ids=set(job.ids), index_keys={str(job.metadatas[0]["index_key"])},
                    expected=len(job.ids), path=str(job.metadatas[0]["path"]),
                )
            entries += self.store.log_changes(doc_ids)
            self.store.bump_generation()
            self.lexical.apply(
                {j.doc_id: list(zip(j.ids, j.texts, j.metadatas, strict=True)) for j in jobs},
                entries,
            )
        self.progress("embedding", done, total)

    def embed_and_commit(self, jobs: list[_Job]) -> None:
        """Embed in large batches across documents; a writer thread commits each group of
        documents completed by a batch while the next batch is being embedded."""
        total = sum(len(j.ids) for j in jobs)
        if not total:
            return
        from vectorstore.embeddings import get_embeddings

        embeddings = get_embeddings(self.settings)
        flat = [(j, t) for j in jobs for t in j.texts]
        step = max(1, self.settings.embedding_batch_size * EMBED_BATCHES_PER_COMMIT)
        pending = list(jobs)
        self.progress("embedding", 0, total)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="igr-writer") as writer:
            writes: list[Future] = []
            for start in range(0, total, step):
                piece = flat[start : start + step]
                vectors = embeddings.encode([t for _, t in piece]).tolist()
                for (job, _), vector in zip(piece, vectors, strict=True):
                    job.vectors.append(vector)
                ready: list[_Job] = []
                while pending and len(pending[0].vectors) == len(pending[0].ids):
                    ready.append(pending.pop(0))
                done = min(start + step, total)
                writes.append(writer.submit(self.commit, ready, done, total))
                if writes[0].done():
                    writes.pop(0).result()  # surface a write error early
            for future in writes:
                future.result()


def file_index_key(path: Path, settings: Settings) -> str:
    """The index key the file at `path` gets under `settings` (bytes + chunking + model)."""
    return hashlib.sha256(f"{_file_hash(path)}|{_config_key(settings)}".encode()).hexdigest()


def indexed_files(settings: Settings, confirm: Iterable[Path] = ()) -> dict[str, set[str]]:
    """Each indexed file path with the index keys its chunks carry (from the per-document
    records; the chunks of a document whose record is incomplete). Paths in `confirm` that
    no record holds are looked up in the chunks themselves (by `path`), so a document
    written without a record (by an older version sharing the store) still counts."""
    store = open_store(settings)
    found: dict[str, set[str]] = {}
    pending: list[str] = []
    for doc_id, rec in doc_records(store).items():
        if not rec.complete:
            pending.append(doc_id)
        elif rec.path and rec.index_key:
            found.setdefault(rec.path, set()).add(rec.index_key)
    for doc in chunk_state(store, pending).values():
        if doc.path:
            found.setdefault(doc.path, set()).update(doc.index_keys)
    for path in {str(p) for p in confirm} - set(found):
        keys = {str(m.get("index_key")) for m in store.metadatas({"path": path}).values()}
        if keys:
            found[path] = keys
    return found


def _same_id(doc_id: str, kept: SourceFile) -> str:
    return f"same doc_id {doc_id!r} as {kept.path.name}, which is indexed instead"


class UploadConflict(Exception):
    """An upload whose doc id belongs to a different file (``str(exc)`` says which)."""


@dataclass
class PreparedUpload:
    """An uploaded file loaded, chunked and embedded, not yet in the store."""

    item: _Loaded
    job: _Job


def prepare_upload(staged: Path, final: Path, settings: Settings) -> PreparedUpload:
    """Read the upload saved at ``staged`` (to be kept at ``final``, doc id
    ``uploads/<stem>``): load, chunk and embed it without touching the store, so no lock
    is needed. Raises UnreadableFile with a one-line reason."""
    from ingest.errors import UnreadableFile
    from vectorstore.embeddings import get_embeddings

    data = staged.read_bytes()
    run = _Run(settings, None, read_state=False)
    src = upload_source(final, settings)
    item = run.load_one(src, run.key_for(hashlib.sha256(data).hexdigest()), data)
    jobs = run.chunk([item])
    if not jobs:
        raise UnreadableFile("no text to index")
    job = jobs[0]
    job.vectors = get_embeddings(settings).encode(job.texts).tolist()
    return PreparedUpload(item, job)


def commit_upload(prepared: PreparedUpload, settings: Settings) -> IngestReport:
    """Write a prepared upload into the store, unless its doc id is another file's
    (UploadConflict) or it copies an indexed document (reported in ``duplicates``)."""
    started = time.perf_counter()
    run = _Run(settings, None)
    item, job = prepared.item, prepared.job
    run.load_state([job.doc_id])
    doc = run.state.get(job.doc_id)
    if doc is not None and doc.path != str(item.src.path):
        shown = Path(doc.path).name if doc.path else "another file"
        raise UploadConflict(f"{job.doc_id} is already taken by the upload {shown}")
    if doc is not None and doc.complete and item.key in doc.index_keys:
        run.report.unchanged += 1
        run.fix_records([job.doc_id])
    elif run.drop_duplicates([item], unindex=False):
        run.commit([job], len(job.ids), len(job.ids))
    run.report.seconds = round(time.perf_counter() - started, 3)
    return run.report


def index_paths(
    paths: Sequence[Path] | None,
    settings: Settings,
    prune: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the store up to date with the files under `paths` (default: corpus_dirs).

    Unchanged files are neither loaded nor embedded; changed ones replace exactly their
    chunks; with `prune`, indexed documents whose file was under `paths` and no longer
    exists are removed. `progress(description, done, total)` reports reading/embedding.
    """
    from ingest.discovery import discover

    started = time.perf_counter()
    roots = [Path(p).expanduser() for p in (paths if paths is not None else settings.corpus_dirs)]
    run = _Run(settings, progress)
    sources, skipped = discover(roots, settings)
    run.report.skipped.extend(skipped)
    todo = run.plan(sources)
    loaded = run.drop_duplicates(run.load(todo))
    run.embed_and_commit(run.chunk(loaded))
    if prune:
        absolute = [r.absolute() for r in roots]
        gone = [
            doc_id
            for doc_id, rec in doc_records(run.store).items()
            if _under(rec.path, absolute) and not os.path.exists(rec.path or "")
        ]
        for doc_id in gone:
            run.remove(doc_id)
    run.finish_removals()
    run.report.seconds = round(time.perf_counter() - started, 3)
    return run.report
