"""Dense search recall: Chroma's HNSW neighbours against exact cosine search, per ef_search.

For the questions of the tune split (../shared/evals/dev.jsonl and
evals/datasets/tune.jsonl), embedded as the assistant embeds them, the `fetch_k` nearest
chunks by exact cosine similarity (every stored vector, numpy) are compared with what the
collection's HNSW index returns. Each ef_search value runs twice, each time in a fresh
process on its own copy of the store (Chroma reads the setting when it loads the index), so
the JSON shows recall, how many questions' candidates differ between the two runs, and the
mean query time.

    .venv/bin/python bench/recall.py [--store DIR] [--ef 100,200,400,800] [--out FILE]

../shared/corpus and evals/corpus are indexed first into --store when it does not exist
(default: a temporary folder). Writes bench/results/recall.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, write_result  # noqa: E402
from ingest.settings import SHARED_CORPUS_DIR, Settings  # noqa: E402

QUESTIONS = [SHARED_CORPUS_DIR.parent / "evals" / "dev.jsonl",
             REPO / "evals" / "datasets" / "tune.jsonl"]
CORPUS = [SHARED_CORPUS_DIR, REPO / "evals" / "corpus"]
_PAGE = 5000


def _questions() -> list[str]:
    out: list[str] = []
    for path in QUESTIONS:
        if path.is_file():
            out += [json.loads(line)["question"]
                    for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


def worker(store: Path, ef_search: int) -> dict:
    """In this process: set ef_search on the store's collection, then search every question
    by HNSW and exactly; the neighbours found and the mean query time."""
    import numpy as np

    from vectorstore.embeddings import get_embeddings
    from vectorstore.store import open_store

    settings = Settings(store_dir=store, chroma_url=None, hnsw_ef_search=ef_search)
    collection = open_store(settings)._collection
    vectors, ids = [], []
    while (got := collection.get(include=["embeddings"], limit=_PAGE, offset=len(ids)))["ids"]:
        ids += got["ids"]
        vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
    matrix = np.vstack(vectors)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    queries = np.asarray(get_embeddings(settings).embed_documents(_questions()), dtype=np.float32)
    k = min(settings.fetch_k, len(ids))
    found, spent = [], 0.0
    for query in queries:
        start = time.perf_counter()
        hits = collection.query(query_embeddings=[query.tolist()], n_results=k, include=[])
        spent += time.perf_counter() - start
        found.append(hits["ids"][0])
    exact = [[ids[i] for i in np.argsort(-(matrix @ (q / np.linalg.norm(q))))[:k]]
             for q in queries]
    return {"found": found, "exact": exact, "query_ms": 1000 * spent / len(queries),
            "chunks": len(ids), "k": k}


def measure(store: Path, ef_search: int, tmp: Path) -> dict:
    """Run `worker` in a fresh process on a fresh copy of the store."""
    copy = tmp / f"store-{ef_search}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy)
    out = tmp / f"found-{ef_search}.json"
    subprocess.run([sys.executable, __file__, "--worker", str(copy), str(ef_search), str(out)],
                   check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store dir (indexed first if absent)")
    parser.add_argument("--ef", default="100,200,400,800", help="ef_search values")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "recall.json")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        store, ef_search, out = args.worker
        Path(out).write_text(json.dumps(worker(Path(store), int(ef_search))), encoding="utf-8")
        return 0
    if not SHARED_CORPUS_DIR.is_dir():
        print("bench/recall.py: ../shared/corpus not found", file=sys.stderr)
        return 2
    result: dict = {"ef_search": {}}
    with tempfile.TemporaryDirectory(prefix="igr-recall-") as tmp:
        store = args.store or Path(tmp) / "store"
        if not store.exists():
            from vectorstore.indexer import index_paths

            index_paths(CORPUS, Settings(store_dir=store, chroma_url=None, corpus_dirs=CORPUS))
        for ef_search in [int(v) for v in args.ef.split(",")]:
            first, second = (measure(store, ef_search, Path(tmp)) for _ in range(2))
            pairs = [(set(f), set(e)) for run in (first, second)
                     for f, e in zip(run["found"], run["exact"], strict=True)]
            result.update(chunks=first["chunks"], k=first["k"], questions=len(first["found"]))
            result["ef_search"][ef_search] = {
                "recall_at_k": round(sum(len(f & e) / len(e) for f, e in pairs) / len(pairs), 4),
                "questions_missing_a_neighbour_per_run": sum(f != e for f, e in pairs) / 2,
                "questions_differing_between_runs": sum(
                    a != b for a, b in zip(first["found"], second["found"], strict=True)),
                "query_ms": round((first["query_ms"] + second["query_ms"]) / 2, 2),
            }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
