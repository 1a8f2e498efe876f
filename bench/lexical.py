"""Lexical index candidates side by side: rank_bm25 (the old index), bm25s, SQLite FTS5,
and the segmented SQLite postings the product now uses (vectorstore/postings.py).

Chunks of synthetic prose (word frequencies of ../shared/corpus, see bench/synth.py) are
tokenized with the product's tokenizer; the questions of ../shared/evals/dev.jsonl are the
queries. Per size and candidate: build time, top-40 query time p50/p95, the cost of adding
one 20-chunk document, and the index size (on disk, or the process RSS growth).

    .venv/bin/python bench/lexical.py [--sizes 10000,100000] [--out FILE]

bm25s and rank_bm25 come with `pip install -e '.[bench]'`; a missing one is skipped.
Writes JSON to bench/results/lexical.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, percentile  # noqa: E402
from bench.synth import word_frequencies  # noqa: E402
from ingest.settings import SHARED_CORPUS_DIR  # noqa: E402
from vectorstore.tokenize import tokenize  # noqa: E402

DEV_SET = SHARED_CORPUS_DIR.parent / "evals" / "dev.jsonl"
FETCH_K = 40


def synthetic_chunks(n: int, words: list[str], p: np.ndarray, seed: int) -> list[str]:
    """`n` texts of about 900 characters of words drawn with probabilities `p`."""
    rng = np.random.default_rng(seed)
    vocab = np.array(words, dtype=object)
    drawn = vocab[rng.choice(len(words), size=n * 140, p=p)]
    return [" ".join(drawn[i * 140 : (i + 1) * 140]) for i in range(n)]


def questions() -> list[list[str]]:
    if not DEV_SET.is_file():
        return [tokenize("how is the council of the nations and regions funded each year")]
    lines = [json.loads(x) for x in DEV_SET.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [t for t in (tokenize(q["question"]) for q in lines) if t]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn, queries) -> list[float]:
    out = []
    for q in queries:
        started = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - started) * 1000.0)
    return out




class Fts5:
    name = "sqlite-fts5"

    def __init__(self, folder: Path) -> None:
        self.path = folder / "fts.sqlite3"
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(
            "CREATE VIRTUAL TABLE fts USING fts5(terms, tokenize=\"unicode61 tokenchars '-.,'\")"
        )

    def build(self, docs: list[list[str]]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO fts(rowid, terms) VALUES (?, ?)",
                ((i, " ".join(t)) for i, t in enumerate(docs)),
            )
            self.db.execute("INSERT INTO fts(fts) VALUES ('optimize')")

    def add(self, docs: list[list[str]], first_id: int) -> None:
        with self.db:
            self.db.executemany(
                "INSERT INTO fts(rowid, terms) VALUES (?, ?)",
                ((first_id + i, " ".join(t)) for i, t in enumerate(docs)),
            )

    def query(self, terms: list[str]) -> list[int]:
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = self.db.execute(
            "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (match, FETCH_K)
        ).fetchall()
        return [r[0] for r in rows]

    def size_mb(self) -> float:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(f.stat().st_size for f in self.path.parent.glob("fts.sqlite3*")) / 2**20


class Bm25s:
    name = "bm25s"

    def __init__(self, folder: Path) -> None:
        import bm25s

        self.bm25s = bm25s
        self.folder = folder
        self.docs: list[list[str]] = []

    def build(self, docs: list[list[str]]) -> None:
        self.docs = list(docs)
        self.retriever = self.bm25s.BM25(k1=1.5, b=0.75)
        self.retriever.index(self.bm25s.tokenization.Tokenized(*self._ids(self.docs)),
                             show_progress=False)

    def _ids(self, docs: list[list[str]]):
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in d] for d in docs]
        self.vocab = vocab
        return ids, vocab

    def add(self, docs: list[list[str]], first_id: int) -> None:
        self.build(self.docs + docs)  # bm25s has no incremental update: rebuild

    def query(self, terms: list[str]) -> list[int]:
        ids = [self.vocab[t] for t in terms if t in self.vocab]
        if not ids:
            return []
        scores = self.retriever.get_scores(ids)
        top = np.argpartition(-scores, min(FETCH_K, len(scores) - 1))[:FETCH_K]
        return top[np.argsort(-scores[top])].tolist()

    def size_mb(self) -> float:
        target = self.folder / "bm25s"
        self.retriever.save(str(target))
        return sum(f.stat().st_size for f in target.rglob("*") if f.is_file()) / 2**20


class Segmented:
    """The product's index (vectorstore/postings.py), fed the same term lists."""

    name = "igr-segmented"

    def __init__(self, folder: Path) -> None:
        from vectorstore import postings

        self.postings = postings
        self.path = folder / "segmented.sqlite3"
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("BEGIN")
        postings.create(self.db)
        self.db.execute("COMMIT")
        self.scorer = postings.Scorer(k1=1.5, b=0.75)

    def _rows(self, docs: list[list[str]], first_id: int):
        # the index tokenizes title, publisher and text itself: give it the joined terms as text
        for i, terms in enumerate(docs):
            meta = {"doc_id": f"d{(first_id + i) // 20}", "title": "", "start": i, "end": i + 1}
            yield f"c{first_id + i}", " ".join(terms), meta

    def build(self, docs: list[list[str]]) -> None:
        self.db.execute("BEGIN")
        self.postings.add_chunks(self.db, self._rows(docs, 0))
        self.postings.merge(self.db)
        self.db.execute("COMMIT")

    def add(self, docs: list[list[str]], first_id: int) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        self.postings.add_chunks(self.db, self._rows(docs, first_id))
        self.postings.merge(self.db)
        self.db.execute("COMMIT")

    def query(self, terms: list[str]) -> list[int]:
        self.db.execute("BEGIN")
        best = self.scorer.top(self.db, terms, FETCH_K, None)
        self.db.execute("COMMIT")
        return [i for i, _ in best]

    def size_mb(self) -> float:
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(f.stat().st_size for f in self.path.parent.glob("segmented.sqlite3*")) / 2**20


class RankBm25:
    name = "rank_bm25"

    def __init__(self, folder: Path) -> None:
        from rank_bm25 import BM25Okapi

        self.cls = BM25Okapi
        self.docs: list[list[str]] = []

    def build(self, docs: list[list[str]]) -> None:
        self.docs = list(docs)
        self.index = self.cls(self.docs)

    def add(self, docs: list[list[str]], first_id: int) -> None:
        self.build(self.docs + docs)

    def query(self, terms: list[str]) -> list[int]:
        scores = self.index.get_scores(terms)
        return np.argsort(-scores)[:FETCH_K].tolist()

    def size_mb(self) -> float:
        return float("nan")


def run(candidate_cls, texts: list[list[str]], extra: list[list[str]], qs) -> dict:
    with tempfile.TemporaryDirectory(prefix="igr-lex-") as tmp:
        try:
            index = candidate_cls(Path(tmp))
        except ImportError as exc:
            return {"skipped": f"not installed: {exc.name}"}
        rss0 = rss_mb()
        started = time.perf_counter()
        index.build(texts)
        build_s = time.perf_counter() - started
        rss_growth = rss_mb() - rss0
        index.query(qs[0])
        times = timed(index.query, qs)
        started = time.perf_counter()
        index.add(extra, len(texts))
        add_ms = (time.perf_counter() - started) * 1000.0
        return {
            "build_s": round(build_s, 2),
            "query_ms_p50": round(statistics.median(times), 2),
            "query_ms_p95": round(percentile(times, 95), 2),
            "add_one_document_ms": round(add_ms, 1),
            "size_on_disk_mb": round(index.size_mb(), 1),
            "peak_rss_growth_mb": round(rss_growth, 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="chunk counts, comma-separated")
    parser.add_argument("--candidates", default="rank_bm25,bm25s,sqlite-fts5,igr-segmented")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "lexical.json")
    args = parser.parse_args()
    words, p = word_frequencies(SHARED_CORPUS_DIR)
    qs = questions()
    wanted = args.candidates.split(",")
    chosen = {c.name: c for c in (RankBm25, Bm25s, Fts5, Segmented) if c.name in wanted}
    result: dict = {"queries": len(qs), "fetch_k": FETCH_K, "sizes": {}}
    for size in [int(s) for s in args.sizes.split(",")]:
        texts = [tokenize(t) for t in synthetic_chunks(size, words, p, seed=size)]
        extra = [tokenize(t) for t in synthetic_chunks(20, words, p, seed=1)]
        result["sizes"][size] = {}
        for name, cls in chosen.items():
            figures = run(cls, texts, extra, qs)
            result["sizes"][size][name] = figures
            print(size, name, json.dumps(figures), flush=True)
    result["cpus"] = os.cpu_count()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
