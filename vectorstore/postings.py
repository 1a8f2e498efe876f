"""An inverted index in one SQLite file, scored by BM25 with numpy.

Why not a ready-made index (bench/lexical.py, 100k chunks): SQLite FTS5 updates cheaply but
scores every chunk holding any query term through its `bm25()` callback (114 ms p50 per
question); bm25s scores in under 2 ms but cannot change an index without rebuilding it
(10 s to add one document). This keeps bm25s' approach (postings as arrays, scored in
numpy) in SQLite's storage, split in segments so that a change costs what it changes:

- `chunks`: one row per chunk (text, stored metadata, filter columns, term count), ids
  never reused; `docs`: chunks per document.
- `postings`: per (term, segment), three int arrays: chunk ids, term counts, chunk lengths.
  A write adds a new segment holding only its chunks. Removing a document moves its chunk
  ids to `dead`, which every query masks out; merging segments drops them for good.
- Segments of similar size are merged, four at a time (as in Lucene's tiered merging), so
  a chunk is rewritten O(log n) times over its life and no merge grows past
  `MAX_SEGMENT_CHUNKS`: adding one document never rewrites the whole index.
- `state`: chunk count and total length (for BM25's N and average length), the dead-set
  version, and the sync state of `vectorstore.lexical`.

A query reads the postings of its terms only (one blob per segment per term) and sums
BM25 with numpy: its cost follows the postings of the question's terms, never a loop over
the corpus in Python. Scores are rank_bm25's BM25Okapi, which this replaced: idf
log((N - n + 0.5) / (n + 0.5)), and a term in more than half the chunks gets EPSILON x the
average idf of the vocabulary (`vocab` keeps each term's document frequency for that).
`initials` counts the chunks naming each capitalised name, by its initials
(`vectorstore.initials`): what a question's unknown acronym may stand for.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

import numpy as np

from vectorstore import initials
from vectorstore.filters import DATE_KEY, JURISDICTION_FLAGS, ChunkFilter, date_key
from vectorstore.tokenize import TOKENIZER_VERSION, tokenize

SCHEMA = f"5/{TOKENIZER_VERSION}"
SEGMENT_CHUNKS = 5000  # chunks per segment written by one call (a full build writes many)
MERGE_FANOUT = 4
MAX_SEGMENT_CHUNKS = 50_000
PURGE_DEAD_SHARE = 0.25
_INT = np.int32
SCHEMA_SQL = """
CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL, start INTEGER NOT NULL, stop INTEGER NOT NULL, doc_type TEXT,
    publisher TEXT, date_key INTEGER, length INTEGER NOT NULL, segment INTEGER NOT NULL,
    meta TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX chunks_by_doc ON chunks (doc_id, start, stop, chunk_id);
CREATE INDEX chunks_by_segment ON chunks (segment);
CREATE TABLE docs (doc_id TEXT PRIMARY KEY, chunks INTEGER NOT NULL);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY AUTOINCREMENT, chunks INTEGER NOT NULL, dead INTEGER NOT NULL);
CREATE TABLE postings (
    term TEXT NOT NULL, segment INTEGER NOT NULL, ids BLOB NOT NULL, tfs BLOB NOT NULL,
    lens BLOB NOT NULL, PRIMARY KEY (term, segment)) WITHOUT ROWID;
CREATE INDEX postings_by_segment ON postings (segment);
CREATE TABLE dead (id INTEGER PRIMARY KEY, segment INTEGER NOT NULL);
CREATE TABLE vocab (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE initials (
    letters TEXT NOT NULL, name TEXT NOT NULL, df INTEGER NOT NULL,
    PRIMARY KEY (letters, name)) WITHOUT ROWID;
CREATE TABLE applied (entry_id TEXT PRIMARY KEY, at REAL NOT NULL)
"""
TABLES = ("state", "chunks", "docs", "segments", "postings", "dead", "vocab", "initials",
          "applied", "sqlite_sequence")
EPSILON = 0.25  # rank_bm25's floor for a negative idf: EPSILON x the average idf
Row = tuple[str, str, dict[str, Any]]  # chunk_id, text, stored metadata


def _blob(values: list[int] | np.ndarray) -> bytes:
    return np.asarray(values, dtype=_INT).tobytes()


def _array(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=_INT)


def read_state(db: sqlite3.Connection) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM state").fetchall())


def write_state(db: sqlite3.Connection, **values: object) -> None:
    db.executemany(
        "INSERT OR REPLACE INTO state VALUES (?, ?)", [(k, str(v)) for k, v in values.items()]
    )


def _add_counters(db: sqlite3.Connection, **deltas: int) -> None:
    state = read_state(db)
    write_state(db, **{k: int(state.get(k, 0)) + d for k, d in deltas.items()})


def create(db: sqlite3.Connection) -> None:
    """Drop whatever is in the file and create the empty schema (inside a transaction)."""
    for table in TABLES:
        if table != "sqlite_sequence":
            db.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in SCHEMA_SQL.strip().split(";\n"):
        db.execute(statement)
    write_state(db, schema=SCHEMA, live=0, total_len=0, dead_version=0, vocab_version=0)


def clear(db: sqlite3.Connection) -> None:
    """Empty the index, keeping the schema and the sync state."""
    for table in ("chunks", "docs", "segments", "postings", "dead", "vocab", "initials",
                  "applied"):
        db.execute(f"DELETE FROM {table}")
    _add_counters(db, dead_version=1, vocab_version=1)
    write_state(db, live=0, total_len=0)


def _filter_columns(meta: dict[str, Any]) -> tuple:
    key = meta.get(DATE_KEY)
    return (
        str(meta.get("doc_id")), int(meta.get("start") or 0), int(meta.get("end") or 0),
        meta.get("doc_type"), meta.get("publisher"),
        key if isinstance(key, int) and not isinstance(key, bool) else None,
    )


def _segment_postings(
    vocab: dict[str, int], chunk_ids: list[int], term_ids: list[np.ndarray]
) -> Iterator[tuple[str, bytes, bytes, bytes]]:
    """(term, ids, tfs, lens) blobs of one segment, from each chunk's term ids."""
    names = list(vocab)
    parts_t, parts_c, parts_f, parts_l = [], [], [], []
    for cid, idx in zip(chunk_ids, term_ids, strict=True):
        terms, counts = np.unique(idx, return_counts=True)
        parts_t.append(terms)
        parts_f.append(counts)
        parts_c.append(np.full(terms.size, cid, dtype=_INT))
        parts_l.append(np.full(terms.size, idx.size, dtype=_INT))
    tids = np.concatenate(parts_t) if parts_t else np.zeros(0, dtype=np.int64)
    if not tids.size:
        return  # no chunk has a term (text in a script the tokenizer does not index)
    order = np.argsort(tids, kind="stable")  # by term, then chunk id (chunks in id order)
    tids = tids[order]
    cids, tfs, lens = (np.concatenate(p)[order].astype(_INT) for p in (parts_c, parts_f, parts_l))
    bounds = np.flatnonzero(np.diff(tids)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [tids.size]))
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        yield names[tids[a]], cids[a:b].tobytes(), tfs[a:b].tobytes(), lens[a:b].tobytes()


def add_chunks(db: sqlite3.Connection, rows: Iterable[Row]) -> int:
    """Index chunks (a chunk id already present is replaced); one segment per
    `SEGMENT_CHUNKS`. Returns how many were added. Call `merge` after."""
    added = 0
    iterator = iter(rows)
    while batch := list(islice(iterator, SEGMENT_CHUNKS)):
        _kill(db, "chunk_id", [r[0] for r in batch])
        segment = db.execute("INSERT INTO segments (chunks, dead) VALUES (0, 0)").lastrowid
        vocab: dict[str, int] = {}
        term_ids: list[np.ndarray] = []
        docs: Counter[str] = Counter()
        named: Counter[tuple[str, str]] = Counter()
        records = []
        row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'chunks'").fetchone()
        first = (row[0] if row else 0) + 1  # ids are never reused (AUTOINCREMENT)
        chunk_ids = list(range(first, first + len(batch)))
        for cid, (chunk_id, text, meta) in zip(chunk_ids, batch, strict=True):
            terms = tokenize(indexed_text(meta, text))
            columns = _filter_columns(meta)
            records.append((cid, chunk_id, *columns, len(terms), segment,
                            json.dumps(meta, separators=(",", ":")), text or ""))
            term_ids.append(np.fromiter(
                (vocab.setdefault(t, len(vocab)) for t in terms), dtype=np.int64, count=len(terms)
            ))
            docs[columns[0]] += 1
            named.update(initials.names(text or ""))
        total = sum(r[8] for r in records)
        db.executemany(
            "INSERT INTO chunks (id, chunk_id, doc_id, start, stop, doc_type, publisher, "
            "date_key, length, segment, meta, text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            records,
        )
        rows = list(_segment_postings(vocab, chunk_ids, term_ids))
        db.executemany("INSERT INTO postings VALUES (?, ?, ?, ?, ?)",
                       ((t, segment, i, f, n) for t, i, f, n in rows))
        db.executemany(
            "INSERT INTO vocab VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df",
            ((t, len(i) // np.dtype(_INT).itemsize) for t, i, _, _ in rows),
        )
        db.executemany(
            "INSERT INTO initials VALUES (?, ?, ?) ON CONFLICT(letters, name) DO UPDATE SET "
            "df = df + excluded.df", ((a, n, c) for (a, n), c in named.items()),
        )
        db.execute("UPDATE segments SET chunks = ? WHERE id = ?", (len(batch), segment))
        db.executemany(
            "INSERT INTO docs VALUES (?, ?) ON CONFLICT(doc_id) DO UPDATE SET "
            "chunks = chunks + excluded.chunks",
            docs.items(),
        )
        _add_counters(db, live=len(batch), total_len=total, vocab_version=1)
        added += len(batch)
    return added


def indexed_text(meta: dict, text: str | None) -> str:
    """What a chunk is found by: its document's title and publisher, and its text ("what
    did the South Wales Argus say ..." names the publisher, which the text seldom does)."""
    return f"{meta.get('title') or ''}\n{meta.get('publisher') or ''}\n{text or ''}"


def _kill(db: sqlite3.Connection, column: str, values: list[str]) -> None:
    """Remove the chunks whose `column` is in `values`: their ids join the dead set."""
    for i in range(0, len(values), 500):
        part = values[i : i + 500]
        marks = ",".join("?" * len(part))
        found = db.execute(
            f"SELECT id, segment, length, doc_id, text, meta FROM chunks WHERE {column} IN "
            f"({marks})", part,
        ).fetchall()
        if not found:
            continue
        gone: Counter[str] = Counter()
        unnamed: Counter[tuple[str, str]] = Counter()
        for *_, text, meta in found:  # the same terms and names as when the chunk was added
            gone.update(set(tokenize(indexed_text(json.loads(meta), text))))
            unnamed.update(initials.names(text))
        db.executemany("UPDATE vocab SET df = df - ? WHERE term = ?",
                       [(n, t) for t, n in gone.items()])
        db.execute("DELETE FROM vocab WHERE df <= 0")
        db.executemany("UPDATE initials SET df = df - ? WHERE letters = ? AND name = ?",
                       [(c, a, n) for (a, n), c in unnamed.items()])
        db.execute("DELETE FROM initials WHERE df <= 0")
        db.executemany("INSERT INTO dead VALUES (?, ?)", [(r[0], r[1]) for r in found])
        db.executemany(
            "UPDATE segments SET dead = dead + ? WHERE id = ?",
            [(n, s) for s, n in Counter(r[1] for r in found).items()],
        )
        db.executemany("DELETE FROM chunks WHERE id = ?", [(r[0],) for r in found])
        db.executemany(
            "UPDATE docs SET chunks = chunks - ? WHERE doc_id = ?",
            [(n, d) for d, n in Counter(r[3] for r in found).items()],
        )
        db.execute("DELETE FROM docs WHERE chunks <= 0")
        _add_counters(db, live=-len(found), total_len=-sum(r[2] for r in found), dead_version=1,
                      vocab_version=1)


def drop_docs(db: sqlite3.Connection, doc_ids: list[str]) -> None:
    """Remove every chunk of these documents."""
    _kill(db, "doc_id", doc_ids)


def _merge(db: sqlite3.Connection, segments: list[int]) -> None:
    """Rewrite `segments` as one, without their dead chunks."""
    marks = ",".join("?" * len(segments))
    dead = np.array(
        [r[0] for r in db.execute(f"SELECT id FROM dead WHERE segment IN ({marks})", segments)],
        dtype=_INT,
    )
    parts: dict[str, list[tuple[bytes, bytes, bytes]]] = {}
    for term, ids, tfs, lens in db.execute(
        f"SELECT term, ids, tfs, lens FROM postings WHERE segment IN ({marks}) "
        "ORDER BY term, segment",
        segments,
    ):
        parts.setdefault(term, []).append((ids, tfs, lens))
    merged = db.execute("INSERT INTO segments (chunks, dead) VALUES (0, 0)").lastrowid

    def rows():
        for term, blobs in parts.items():
            ids, tfs, lens = (np.concatenate([_array(b[j]) for b in blobs]) for j in range(3))
            if dead.size:
                keep = ~np.isin(ids, dead)
                ids, tfs, lens = ids[keep], tfs[keep], lens[keep]
            if ids.size:
                yield term, merged, ids.tobytes(), tfs.tobytes(), lens.tobytes()

    db.executemany("INSERT INTO postings VALUES (?, ?, ?, ?, ?)", rows())
    db.execute(f"DELETE FROM postings WHERE segment IN ({marks})", segments)
    db.execute(f"DELETE FROM dead WHERE segment IN ({marks})", segments)
    db.execute(f"DELETE FROM segments WHERE id IN ({marks})", segments)
    db.execute(f"UPDATE chunks SET segment = ? WHERE segment IN ({marks})", (merged, *segments))
    live = db.execute("SELECT count(*) FROM chunks WHERE segment = ?", (merged,)).fetchone()[0]
    db.execute("UPDATE segments SET chunks = ? WHERE id = ?", (live, merged))
    _add_counters(db, dead_version=1)


def merge(db: sqlite3.Connection) -> int:
    """Merge segments of similar size (`MERGE_FANOUT` per level of powers of four, never
    past `MAX_SEGMENT_CHUNKS`), and rewrite alone a segment whose dead share passed
    `PURGE_DEAD_SHARE`. Returns the number of merges."""
    merges = 0
    while True:
        segments = db.execute("SELECT id, chunks, dead FROM segments ORDER BY id").fetchall()
        purge = [s for s, n, d in segments if d and d > PURGE_DEAD_SHARE * max(n, 1)]
        if purge:
            _merge(db, purge[:1])
            merges += 1
            continue
        levels: dict[int, list[tuple[int, int]]] = {}
        for seg, n, dead in segments:
            live = max(n - dead, 1)
            levels.setdefault(int(math.log(live, MERGE_FANOUT)), []).append((seg, live))
        group = next(
            (
                members[:MERGE_FANOUT]
                for _, members in sorted(levels.items())
                if len(members) >= MERGE_FANOUT
                and sum(n for _, n in members[:MERGE_FANOUT]) <= MAX_SEGMENT_CHUNKS
            ),
            None,
        )
        if group is None:
            return merges
        _merge(db, [seg for seg, _ in group])
        merges += 1


def filter_sql(flt: ChunkFilter | None) -> tuple[str, list[Any]]:
    """`ChunkFilter.matches` as an SQL condition on the chunks table ("" = no filter)."""
    if flt is None or flt.is_empty():
        return "", []
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in (
        ("doc_type", flt.doc_types), ("publisher", flt.publishers), ("doc_id", flt.doc_ids)
    ):
        if values:
            clauses.append(f"{column} IN ({','.join('?' * len(values))})")
            params.extend(values)
    if flt.jurisdictions:  # the per-jurisdiction flags stored in each chunk's metadata
        flags = [f"json_extract(meta, '$.{JURISDICTION_FLAGS[c]}') = 1" for c in flt.jurisdictions]
        clauses.append("(" + " OR ".join(flags) + ")")
    low, high = date_key(flt.date_from), date_key(flt.date_to, upper=True)
    if low is not None:
        clauses.append("date_key >= ?")
        params.append(low)
    if high is not None:
        clauses.append("date_key <= ?")
        params.append(high)
    return " AND ".join(clauses), params


class Scorer:
    """BM25 over one connection's view of the index; keeps the dead set between queries
    (re-read only when its version changes). Use inside a read transaction."""

    def __init__(self, k1: float, b: float) -> None:
        self.k1, self.b = k1, b
        self._dead_version: str | None = None
        self._dead = np.zeros(0, dtype=_INT)
        self._floor_key: tuple[str, int] | None = None
        self._floor = 0.0

    def _idf_floor(self, db: sqlite3.Connection, version: str, n_chunks: int) -> float:
        """EPSILON x the average idf over the vocabulary (re-read only after a change)."""
        if self._floor_key != (version, n_chunks):
            df = np.array([r[0] for r in db.execute("SELECT df FROM vocab")], dtype=np.float64)
            mean = float(np.mean(np.log(n_chunks - df + 0.5) - np.log(df + 0.5))) if df.size else 0
            self._floor, self._floor_key = EPSILON * mean, (version, n_chunks)
        return self._floor

    def _dead_ids(self, db: sqlite3.Connection, version: str) -> np.ndarray:
        if version != self._dead_version:
            self._dead = np.array([r[0] for r in db.execute("SELECT id FROM dead")], dtype=_INT)
            self._dead_version = version
        return self._dead

    def _postings(self, db, term: str, dead: np.ndarray):
        blobs = db.execute(
            "SELECT ids, tfs, lens FROM postings WHERE term = ?", (term,)
        ).fetchall()
        if not blobs:
            return None
        ids, tfs, lens = (np.concatenate([_array(b[j]) for b in blobs]) for j in range(3))
        if dead.size:
            keep = ~np.isin(ids, dead)
            ids, tfs, lens = ids[keep], tfs[keep], lens[keep]
        return (ids, tfs, lens) if ids.size else None

    def known(self, db: sqlite3.Connection, terms: set[str]) -> set[str]:
        """The terms some live chunk contains (stops at the first live posting)."""
        dead = self._dead_ids(db, read_state(db).get("dead_version", "0"))
        found = set()
        for term in terms:
            for (ids,) in db.execute("SELECT ids FROM postings WHERE term = ?", (term,)):
                if not dead.size or not np.isin(_array(ids), dead).all():
                    found.add(term)
                    break
        return found

    def top(
        self, db: sqlite3.Connection, terms: list[str], k: int, allowed: np.ndarray | None
    ) -> list[tuple[int, float]]:
        """The best `k` (chunk id, score) for the query terms (duplicates count again),
        among `allowed` chunk ids when given, best first; chunks tied with the k-th are
        included too, so a caller can break ties its own way."""
        state = read_state(db)
        n_chunks, total = int(state.get("live", 0)), int(state.get("total_len", 0))
        if n_chunks <= 0 or k <= 0:
            return []
        dead = self._dead_ids(db, state.get("dead_version", "0"))
        avg_len = max(total / n_chunks, 1e-9)
        all_ids, all_w = [], []
        for term, repeats in Counter(terms).items():
            found = self._postings(db, term, dead)
            if found is None:
                continue
            ids, tfs, lens = found
            df = ids.size
            idf = math.log(n_chunks - df + 0.5) - math.log(df + 0.5)
            if idf < 0:
                idf = self._idf_floor(db, state.get("vocab_version", "0"), n_chunks)
            tf = tfs.astype(np.float64)
            norm = self.k1 * (1.0 - self.b + self.b * lens / avg_len)
            all_ids.append(ids)
            all_w.append(repeats * idf * tf * (self.k1 + 1.0) / (tf + norm))
        if not all_ids:
            return []
        flat = np.concatenate(all_ids)
        # one slot per chunk id: summing is a bincount, no sort of the postings
        scores = np.bincount(flat, weights=np.concatenate(all_w), minlength=int(flat.max()) + 1)
        if allowed is not None:
            mask = np.zeros(scores.size, dtype=bool)
            allowed = np.asarray(allowed, dtype=np.int64)
            inside = allowed[allowed < scores.size]
            mask[inside] = True
            scores[~mask] = 0.0
        ids = np.flatnonzero(scores > 0.0)
        if ids.size > k:  # the best k, and any chunk tied with the k-th (callers break ties)
            kth = scores[ids[np.argpartition(-scores[ids], k - 1)[k - 1]]]
            ids = ids[scores[ids] >= kth]
        order = np.lexsort((ids, -scores[ids]))
        return [(int(ids[i]), float(scores[ids[i]])) for i in order]
