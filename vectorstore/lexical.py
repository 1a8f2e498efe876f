"""BM25 lexical search over the store, in a SQLite file beside it that follows its changes.

The index itself (segmented postings scored with numpy) is `vectorstore.postings`; this
module keeps it in step with the store. One file per store location and collection, in
`lexical_dir` (default `store_dir`); every process sharing the folder shares the file (WAL
mode: reads never wait for a writer).

Following the store: writers log each document they (re)write or remove in the store's
change log (`ChunkStore.log_changes`, before and after the write), then change the store's
generation. `refresh` notices a new generation (checked at most every
`refresh_interval_s`), reads the change-log records stamped since its watermark (less
`lexical_sync_margin_s`), and re-reads only those documents from the store: the cost
follows the change, not the corpus. A process that wrote the documents itself passes
them to `apply` instead (nothing read back). Processes on other hosts, with a file of
their own, follow the same log. Re-applying a record is harmless (a document is replaced
whole), so records near the watermark are simply read again. Only a new file, or one of
an older layout, is built from every stored chunk.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ingest.models import ChunkMetadata
from vectorstore import postings
from vectorstore.filters import ChunkFilter
from vectorstore.models import ScoredChunk, StoredChunk
from vectorstore.postings import Row
from vectorstore.store import ChunkStore
from vectorstore.tokenize import tokenize

log = logging.getLogger("igr.lexical")
_STATS: dict[str, dict[str, int]] = {}  # per index file, shared by this process' instances
_DOCS_PER_READ = 200
MIN_SPELLING = 6
"""Shorter unknown words are not respelled: too many indexed words lie one letter away."""
SPELLING_CANDIDATES = 20_000
"""At most this many vocabulary terms are compared with one unknown word."""
_COLUMNS = "chunk_id, text, meta"


def index_path(store: ChunkStore) -> Path:
    """The index file of a store: in `lexical_dir` (default `store_dir`), named after the
    store's location and collection."""
    settings = store.settings
    folder = Path(settings.lexical_dir or settings.store_dir).expanduser()
    digest = hashlib.sha256(f"{store.location}|{store.collection_name}".encode()).hexdigest()
    return folder / f"lexical-{digest[:12]}.sqlite3"


def _stored(text: str, meta: str) -> StoredChunk:
    return StoredChunk(text=text, metadata=ChunkMetadata.model_validate(json.loads(meta)))


class LexicalIndex:
    """BM25 over the title, publisher and text of every stored chunk; thread-safe.

    `search`, `neighbours`, `unknown_terms`, `chunks` and `document_count` first `refresh`
    (one generation read at most every `refresh_interval_s`; a sync only after a change).
    `stats` counts full builds, syncs, merges and documents (re)indexed by this process
    in this file (shared by the instances over one file).
    """

    def __init__(
        self, store: ChunkStore, refresh_interval_s: float = 1.0, path: Path | None = None
    ) -> None:
        self.store = store
        self.refresh_interval_s = refresh_interval_s
        self.margin_s = store.settings.lexical_sync_margin_s
        self.k1, self.b = store.settings.bm25_k1, store.settings.bm25_b
        self.path = Path(path) if path else index_path(store)
        self.stats = _STATS.setdefault(
            str(self.path.resolve()), {"full_builds": 0, "syncs": 0, "docs_synced": 0, "merges": 0}
        )
        self._local = threading.local()
        self._lock = threading.Lock()
        self._seen: str | None = None
        self._checked_at = 0.0

    # --- the SQLite file ---------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (autocommit: transactions are explicit)."""
        db = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=600, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._ensure_schema(db)
            self._local.db = db
            self._local.scorer = postings.Scorer(self.k1, self.b)
        return db

    @staticmethod
    def _schema(db: sqlite3.Connection) -> str | None:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'state'").fetchone():
            return None
        row = db.execute("SELECT value FROM state WHERE key = 'schema'").fetchone()
        return row[0] if row else None

    def _ensure_schema(self, db: sqlite3.Connection) -> None:
        if self._schema(db) == postings.SCHEMA:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            if self._schema(db) != postings.SCHEMA:  # a new file or an older layout
                postings.create(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _begin(self, db: sqlite3.Connection, wait: bool) -> bool:
        """Take the write lock; without `wait`, give up at once if another process holds
        it (it is syncing the same file; reads see its last commit meanwhile)."""
        db.execute(f"PRAGMA busy_timeout = {600_000 if wait else 0}")
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if wait or "locked" not in str(exc):
                raise
            return False
        finally:
            db.execute("PRAGMA busy_timeout = 600000")
        return True

    # --- following the store -----------------------------------------------------------

    def _replace_docs(self, db: sqlite3.Connection, docs: dict[str, list[Row]]) -> None:
        ids = list(docs)
        for i in range(0, len(ids), _DOCS_PER_READ):
            postings.drop_docs(db, ids[i : i + _DOCS_PER_READ])
        postings.add_chunks(db, (row for rows in docs.values() for row in rows))
        self.stats["merges"] += postings.merge(db)
        self.stats["docs_synced"] += len(docs)

    def _reread_docs(self, db: sqlite3.Connection, doc_ids: list[str]) -> None:
        """Replace these documents with what the store holds now (nothing: removed)."""
        for i in range(0, len(doc_ids), _DOCS_PER_READ):
            batch = doc_ids[i : i + _DOCS_PER_READ]
            docs: dict[str, list[Row]] = {d: [] for d in batch}
            for chunk_id, text, meta in self.store.raw_chunks({"doc_id": {"$in": batch}}):
                docs.setdefault(str(meta.get("doc_id")), []).append((chunk_id, text, meta))
            self._replace_docs(db, docs)

    def _full_build(self, db: sqlite3.Connection) -> None:
        started = time.time()
        # records already logged are covered by the build (it reads after them; a write
        # still in flight logs again when it is done)
        covered = self.store.changes_since(started - self.margin_s)
        postings.clear(db)
        postings.add_chunks(db, self.store.raw_chunks())
        self.stats["merges"] += postings.merge(db)
        db.executemany(
            "INSERT OR IGNORE INTO applied VALUES (?, ?)", [(c.entry_id, c.at) for c in covered]
        )
        self.stats["full_builds"] += 1
        postings.write_state(db, built=1, watermark=started)
        log.info("lexical index built from every stored chunk: %s", self.path)

    def _follow_log(self, db: sqlite3.Connection, watermark: float) -> None:
        """Apply the change-log records not applied yet (re-read their documents)."""
        changes = self.store.changes_since(watermark - self.margin_s)
        ids = [c.entry_id for c in changes]
        applied: set[str] = set()
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            applied.update(
                r[0]
                for r in db.execute(
                    f"SELECT entry_id FROM applied WHERE entry_id IN ({','.join('?' * len(part))})",
                    part,
                )
            )
        new = [c for c in changes if c.entry_id not in applied]
        self.stats["syncs"] += 1
        if not new:
            return
        self._reread_docs(db, list(dict.fromkeys(c.doc_id for c in new)))
        db.executemany(
            "INSERT OR IGNORE INTO applied VALUES (?, ?)", [(c.entry_id, c.at) for c in new]
        )
        watermark = max(watermark, max(c.at for c in new))
        db.execute("DELETE FROM applied WHERE at < ?", (watermark - 2 * self.margin_s,))
        postings.write_state(db, watermark=watermark)

    def _sync(self, generation: str, wait: bool) -> None:
        db = self._db()
        if not self._begin(db, wait):
            return
        try:
            state = postings.read_state(db)
            if state.get("built") != "1":
                self._full_build(db)
            elif state.get("generation") != generation:
                self._follow_log(db, float(state.get("watermark", 0.0)))
            postings.write_state(db, generation=generation)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self._seen = generation

    def refresh(self, force: bool = False, wait: bool = False) -> None:
        """Follow the store: build the file if it is new, else apply the documents changed
        since its last sync. The generation is read at most every `refresh_interval_s`
        unless `force`; with `wait`, wait for another process syncing the same file
        (without, read what it last committed). The first refresh always waits."""
        with self._lock:
            now = time.monotonic()
            if not force and self._seen is not None and (
                now - self._checked_at < self.refresh_interval_s
            ):
                return
            self._checked_at = now
            generation = self.store.generation()
            if generation != self._seen:
                self._sync(generation, wait=wait or self._seen is None)

    def apply(self, docs: dict[str, list[Row]], entry_ids: list[str]) -> None:
        """A writer's shortcut: index documents it has just written to the store (rows
        of chunk_id, text, stored metadata; an empty list = removed) without reading
        them back, and mark its change-log records `entry_ids` as applied."""
        db = self._db()
        self._begin(db, wait=True)
        try:
            if postings.read_state(db).get("built") != "1":
                self._full_build(db)  # a new file: everything, these documents included
            else:
                self._replace_docs(db, docs)
            now = time.time()
            db.executemany(
                "INSERT OR IGNORE INTO applied VALUES (?, ?)", [(e, now) for e in entry_ids]
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    # --- reading -------------------------------------------------------------------------

    def _read(self):
        """A read transaction: every statement in it sees the same committed state."""
        db = self._db()

        class _Snapshot:
            def __enter__(self_inner) -> sqlite3.Connection:
                db.execute("BEGIN")
                return db

            def __exit__(self_inner, *exc: object) -> None:
                db.execute("COMMIT")

        return _Snapshot()

    @property
    def size(self) -> int:
        """Chunks in the index."""
        return int(postings.read_state(self._db()).get("live", 0))

    def document_count(self) -> int:
        """Documents in the index."""
        self.refresh()
        return int(self._db().execute("SELECT count(*) FROM docs").fetchone()[0])

    def chunks(self, limit: int | None = None) -> Iterator[StoredChunk]:
        """The chunks in the index (at most `limit`), oldest first."""
        self.refresh()
        rows = self._db().execute(
            "SELECT text, meta FROM chunks ORDER BY id LIMIT ?", (-1 if limit is None else limit,)
        ).fetchall()
        for text, meta in rows:
            yield _stored(text, meta)

    def unknown_terms(self, terms: list[str]) -> list[str]:
        """The index terms (see `tokenize`) that no stored chunk contains."""
        self.refresh()
        with self._read() as db:
            known = self._local.scorer.known(db, set(terms))
        return [t for t in terms if t not in known]

    def closest_terms(self, terms: list[str], cutoff: float, most: int = 3) -> dict[str, str]:
        """For each of up to `most` of `terms` of at least `MIN_SPELLING` letters, the indexed
        term spelled most like it (a typo's intended word: "intergovermental" ->
        "intergovernmental"), if one is at least `cutoff` alike (difflib's ratio); the
        commonest of equals. Candidates share the first two letters and are within two
        letters of its length, so a lookup reads a bounded slice of the vocabulary."""
        self.refresh()
        found: dict[str, str] = {}
        with self._read() as db:
            for term in [t for t in dict.fromkeys(terms) if len(t) >= MIN_SPELLING][:most]:
                head = term[:2]
                rows = db.execute(
                    "SELECT term, df FROM vocab WHERE term >= ? AND term < ? AND "
                    "length(term) BETWEEN ? AND ? LIMIT ?",
                    (head, head[:-1] + chr(ord(head[-1]) + 1), len(term) - 2, len(term) + 2,
                     SPELLING_CANDIDATES),
                ).fetchall()
                best = _most_alike(term, rows, cutoff)
                if best is not None:
                    found[term] = best
        return found

    def spelled_out(self, acronyms: list[str]) -> dict[str, str]:
        """For each acronym, the capitalised name with those initials that the most chunks
        name (`vectorstore.initials`; letters compared in capitals), when at least
        `acronym_min_chunks` name it and `acronym_dominance` times as many as the next."""
        settings = self.store.settings
        min_chunks, dominance = settings.acronym_min_chunks, settings.acronym_dominance
        self.refresh()
        found: dict[str, str] = {}
        with self._read() as db:
            for acronym in dict.fromkeys(acronyms):
                rows = db.execute(
                    "SELECT name, df FROM initials WHERE letters = ? ORDER BY df DESC, name "
                    "LIMIT 2", (acronym.upper(),),
                ).fetchall()
                if rows and rows[0][1] >= min_chunks and (
                    len(rows) < 2 or rows[0][1] >= dominance * rows[1][1]
                ):
                    found[acronym] = rows[0][0]
        return found

    def neighbours(
        self, chunk_id: str, span: int = 1, whole_up_to: int = 0, before: bool = True
    ) -> list[StoredChunk]:
        """The chunks up to `span` places before (unless not `before`) and after chunk
        `chunk_id` in its document; every other chunk of it when the document has at most
        `whole_up_to` chunks. None for an unknown id."""
        self.refresh()
        with self._read() as db:
            row = db.execute(
                "SELECT c.doc_id, c.start, c.stop, coalesce(d.chunks, 0) FROM chunks c "
                "LEFT JOIN docs d ON d.doc_id = c.doc_id WHERE c.chunk_id = ?",
                (chunk_id,),
            ).fetchone()
            if row is not None and row[3] <= whole_up_to:
                span = max(span, row[3])
            if row is None or span <= 0:
                return []
            key = (row[0], row[1], row[2], chunk_id, span)
            where = "doc_id = ? AND (start, stop, chunk_id)"
            earlier = db.execute(
                f"SELECT {_COLUMNS} FROM chunks WHERE {where} < (?, ?, ?) "
                "ORDER BY start DESC, stop DESC, chunk_id DESC LIMIT ?",
                key,
            ).fetchall() if before else []
            after = db.execute(
                f"SELECT {_COLUMNS} FROM chunks WHERE {where} > (?, ?, ?) "
                "ORDER BY start, stop, chunk_id LIMIT ?",
                key,
            ).fetchall()
        return [_stored(text, meta) for _, text, meta in [*reversed(earlier), *after]]

    def search(
        self, query: str, k: int, where_filter: ChunkFilter | None = None
    ) -> list[ScoredChunk]:
        """The best `k` chunks for `query` by BM25 (only those matching the filter)."""
        terms = tokenize(query)
        if not terms or k <= 0:
            return []
        self.refresh()
        condition, params = postings.filter_sql(where_filter)
        with self._read() as db:
            allowed = None
            if condition:
                allowed = np.array(
                    [r[0] for r in db.execute(f"SELECT id FROM chunks WHERE {condition}", params)],
                    dtype=np.int32,
                )
            best = self._local.scorer.top(db, terms, k, allowed)
            if not best:
                return []
            marks = ",".join("?" * len(best))
            rows = {
                r[0]: r[1:]
                for r in db.execute(
                    f"SELECT id, chunk_id, text, meta FROM chunks WHERE id IN ({marks})",
                    [i for i, _ in best],
                )
            }
        # ties in chunk_id order, as rank_bm25 over chunks sorted by id had them
        best = sorted((b for b in best if b[0] in rows), key=lambda b: (-b[1], rows[b[0]][0]))
        return [ScoredChunk(chunk=_stored(*rows[i][1:]), score=score) for i, score in best[:k]]


def _most_alike(term: str, rows: list[tuple[str, int]], cutoff: float) -> str | None:
    """The row term most like `term` (difflib's ratio, at least `cutoff`), the commonest of
    equals; None when none is alike enough."""
    matcher = difflib.SequenceMatcher(b=term)
    best: tuple[float, int, str] | None = None
    for candidate, df in rows:
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue
        ratio = matcher.ratio()
        if ratio >= cutoff and (best is None or (ratio, df) > best[:2]):
            best = (ratio, df, candidate)
    return best[2] if best else None
