"""The segmented postings index against a plain BM25 computed here over the live chunks."""

from __future__ import annotations

import math
import random
import sqlite3
from collections import Counter

import pytest

from vectorstore import postings
from vectorstore.filters import ChunkFilter
from vectorstore.tokenize import tokenize

WORDS = [f"w{i}" for i in range(60)] + ["harbour", "ferry", "lamp", "ledger", "dune"]


def _db(tmp_path) -> sqlite3.Connection:
    db = sqlite3.connect(tmp_path / "p.sqlite3", isolation_level=None)
    db.execute("BEGIN")
    postings.create(db)
    db.execute("COMMIT")
    return db


def _doc(rng: random.Random, doc_id: str, n: int) -> list[postings.Row]:
    rows = []
    for i in range(n):
        text = " ".join(rng.choice(WORDS[: rng.randint(5, len(WORDS))]) for _ in range(25))
        meta = {"doc_id": doc_id, "title": f"t {doc_id}", "start": i * 10, "end": i * 10 + 9,
                "doc_type": "report" if doc_id.endswith(("0", "2", "4")) else "briefing"}
        rows.append((f"{doc_id}#{i}", text, meta))
    return rows


def _reference(live: dict[str, postings.Row], terms: list[str], k1=1.5, b=0.75):
    """rank_bm25's BM25Okapi over every live chunk, the slow and obvious way."""
    docs = {cid: tokenize(f"{m['title']}\n{t}") for cid, (_, t, m) in live.items()}
    n = len(docs)
    avg = sum(len(d) for d in docs.values()) / n
    vocabulary = Counter(t for d in docs.values() for t in set(d))
    idfs = [math.log(n - df + 0.5) - math.log(df + 0.5) for df in vocabulary.values()]
    floor = 0.25 * sum(idfs) / len(idfs)
    scores: dict[str, float] = {}
    for term, repeats in Counter(terms).items():
        df = vocabulary.get(term, 0)
        if not df:
            continue
        idf = math.log(n - df + 0.5) - math.log(df + 0.5)
        idf = floor if idf < 0 else idf
        for cid, d in docs.items():
            tf = d.count(term)
            if tf:
                norm = k1 * (1 - b + b * len(d) / avg)
                scores[cid] = scores.get(cid, 0.0) + repeats * idf * tf * (k1 + 1) / (tf + norm)
    return scores


def _top(db, terms, k, allowed=None):
    db.execute("BEGIN")
    best = postings.Scorer(1.5, 0.75).top(db, terms, k, allowed)
    ids = dict(db.execute("SELECT id, chunk_id FROM chunks").fetchall())
    db.execute("COMMIT")
    return [(ids[i], s) for i, s in best]


def _write(db, fn, *args):
    db.execute("BEGIN IMMEDIATE")
    fn(db, *args)
    merges = postings.merge(db)
    db.execute("COMMIT")
    return merges


def test_scores_match_plain_bm25_through_adds_removals_and_merges(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(postings, "SEGMENT_CHUNKS", 4)  # many small segments, many merges
    db = _db(tmp_path)
    rng = random.Random(3)
    live: dict[str, postings.Row] = {}
    merges = 0
    for round_ in range(12):
        doc_id = f"doc{round_}"
        rows = _doc(rng, doc_id, rng.randint(1, 9))
        merges += _write(db, postings.add_chunks, rows)
        live.update((r[0], r) for r in rows)
        if round_ % 4 == 3:  # remove one document, rewrite another
            gone = f"doc{round_ - 2}"
            _write(db, postings.drop_docs, [gone])
            live = {c: r for c, r in live.items() if r[2]["doc_id"] != gone}
            again = _doc(rng, f"doc{round_ - 1}", 3)
            _write(db, postings.drop_docs, [f"doc{round_ - 1}"])
            live = {c: r for c, r in live.items() if r[2]["doc_id"] != f"doc{round_ - 1}"}
            _write(db, postings.add_chunks, again)
            live.update((r[0], r) for r in again)
    assert merges > 0
    segments = db.execute("SELECT count(*) FROM segments").fetchone()[0]
    assert segments < 30, "merging keeps the number of segments down"
    common = [t for t, n in Counter(
        x for _, text, m in live.values() for x in set(tokenize(f"{m['title']}\n{text}"))
    ).items() if n > len(live) / 2]
    assert common, "some term is in more than half the chunks (its idf is floored)"
    queries = (["harbour", "ferry"], ["w1", "lamp", "lamp"], ["w3", "w40", "dune", "t"],
               [common[0], "ledger"])
    for query in queries:
        expected = _reference(live, query)
        got = _top(db, query, k=len(live))
        assert {c for c, _ in got} == set(expected)
        for chunk_id, score in got:
            assert score == pytest.approx(expected[chunk_id], rel=1e-9)
        scores = [s for _, s in got]
        assert scores == sorted(scores, reverse=True)
        top3 = _top(db, query, k=3)
        assert [s for _, s in top3][:3] == scores[:3] and all(s >= scores[2] for _, s in top3)
    assert _top(db, ["absent"], k=5) == []
    state = postings.read_state(db)
    assert int(state["live"]) == len(live)
    documents = dict(db.execute("SELECT doc_id, chunks FROM docs").fetchall())
    assert documents == Counter(r[2]["doc_id"] for r in live.values())


def test_filters_and_dead_chunks(tmp_path) -> None:
    db = _db(tmp_path)
    rng = random.Random(5)
    rows = _doc(rng, "doc0", 5) + _doc(rng, "doc1", 5)
    rows[0] = (rows[0][0], rows[0][1] + " zanzibar", rows[0][2])
    _write(db, postings.add_chunks, rows)
    scorer = postings.Scorer(1.5, 0.75)
    assert scorer.known(db, {"zanzibar", "w1", "nowhere"}) == {"zanzibar", "w1"}
    condition, params = postings.filter_sql(ChunkFilter(doc_types=["report"]))
    allowed = [r[0] for r in db.execute(f"SELECT id FROM chunks WHERE {condition}", params)]
    got = _top(db, ["harbour", "w2", "w7"], k=10, allowed=allowed)
    assert got and all(c.startswith("doc0#") for c, _ in got)
    _write(db, postings.drop_docs, ["doc0"])
    assert scorer.known(db, {"zanzibar", "w1"}) == {"w1"}, "a removed chunk's terms are gone"
    assert all(c.startswith("doc1#") for c, _ in _top(db, ["harbour", "w2", "w7"], k=10))
    assert postings.filter_sql(None) == ("", [])


def test_chunks_without_any_index_term_are_indexed_without_postings(tmp_path) -> None:
    """A document in a script the tokenizer does not index (found by the API fuzz test:
    an upload of "मनीष منش" crashed the index) is stored and found by nothing."""
    db = _db(tmp_path)
    meta = {"doc_id": "scripts", "title": "", "start": 0, "end": 9}
    db.execute("BEGIN")
    assert postings.add_chunks(db, [("scripts#0", "मनीष منش", meta)]) == 1
    db.execute("COMMIT")
    assert db.execute("SELECT count(*) FROM chunks").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM postings").fetchone()[0] == 0
