"""Ranking quality of retrieval alone: lexical only, dense only and the fused default.

For the answerable questions of the tune split (../shared/evals/dev.jsonl and
evals/datasets/tune.jsonl; never the test split, which only measures), follow-ups carrying
their history into the query as the assistant does, the top-5 after the per-document cap
is scored like `igr eval` scores it: any gold source in the top 5, all gold sources in the
top 5, gold evidence text inside a top-5 chunk. Only retrieval runs (no answerer), so the
figures compare lexical indexes directly.

    .venv/bin/python bench/retrieval.py [--store DIR] [--out FILE]

../shared/corpus and evals/corpus are indexed first into --store when it does not exist
(default: a temporary folder). The same store can be scored by an older checkout (the
lexical index is built from the store), which is how rank_bm25 and its replacement were
compared. Writes JSON to bench/results/retrieval.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, write_result  # noqa: E402
from ingest.settings import SHARED_CORPUS_DIR, Settings  # noqa: E402

DATASETS = {
    "dev": SHARED_CORPUS_DIR.parent / "evals" / "dev.jsonl",
    "tune": REPO / "evals" / "datasets" / "tune.jsonl",
}
CORPUS = [SHARED_CORPUS_DIR, REPO / "evals" / "corpus"]
MODES = {"lexical": (0.0, 1.0), "dense": (1.0, 0.0), "fused": (None, None)}


def score_dataset(path: Path, settings: Settings) -> dict[str, dict[str, list[float]]]:
    """Per mode, per question: any gold source / all gold sources / evidence in the top 5."""
    from assistant.conversation import standalone_question
    from assistant.models import ChatMessage, RetrievedItem
    from assistant.retrieval import HybridSearch, diversify
    from evals.metrics import retrieval_metrics
    from vectorstore.embeddings import get_embeddings
    from vectorstore.lexical import LexicalIndex
    from vectorstore.store import open_store

    items = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    items = [i for i in items if i.get("sources")]
    store = open_store(settings)
    lexical = LexicalIndex(store)
    embeddings = get_embeddings(settings)
    out: dict[str, dict[str, list[float]]] = {}
    for mode, (dense_w, lexical_w) in MODES.items():
        tuned = settings
        if dense_w is not None:
            tuned = settings.model_copy(update={"dense_weight": dense_w,
                                                "lexical_weight": lexical_w})
        search = HybridSearch(store, lexical, embeddings, tuned)
        sums: dict[str, list[float]] = {}
        for item in items:
            history = [ChatMessage.model_validate(m) for m in item.get("history") or []]
            query = standalone_question(item["question"], history)
            hits = diversify(search.ranked(query), tuned.top_k, tuned.max_chunks_per_doc)
            retrieved = [
                RetrievedItem(chunk_id=h.chunk.chunk.chunk_id, doc_id=h.chunk.chunk.metadata.doc_id,
                              title=h.chunk.chunk.metadata.title, page=h.chunk.chunk.metadata.page,
                              score=h.fused, text=h.chunk.chunk.text)
                for h in hits
            ]
            metrics = retrieval_metrics(item["sources"], item.get("evidence") or [], retrieved,
                                        tuned.top_k)
            for name in ("doc_hit_at_k", "doc_recall_at_k", "evidence_hit_at_k"):
                if name in metrics:
                    value = metrics[name]
                    sums.setdefault(name, []).append(getattr(value, "value", value))
        out[mode] = {
            "any": sums["doc_hit_at_k"],
            "all": [1.0 if v >= 1.0 else 0.0 for v in sums["doc_recall_at_k"]],
            "evidence": sums.get("evidence_hit_at_k", []),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store dir (indexed first if absent)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "retrieval.json")
    args = parser.parse_args()
    if not SHARED_CORPUS_DIR.is_dir():
        print("bench/retrieval.py: ../shared/corpus not found", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="igr-retrieval-") as tmp:
        store = args.store or Path(tmp) / "store"
        settings = Settings(store_dir=store, chroma_url=None, corpus_dirs=CORPUS)
        if not store.exists():
            from vectorstore.indexer import index_paths

            index_paths(CORPUS, settings)
        scored = {name: score_dataset(path, settings)
                  for name, path in DATASETS.items() if path.is_file()}
    scored["dev+tune"] = {
        mode: {key: [v for part in scored.values() for v in part[mode][key]]
               for key in ("any", "all", "evidence")}
        for mode in MODES
    }
    result = {
        name: {
            mode: {
                "questions": len(values["any"]),
                "any_source_at_5": round(sum(values["any"]) / len(values["any"]), 3),
                "all_sources_at_5": round(sum(values["all"]) / len(values["all"]), 3),
                "evidence_at_5": round(sum(values["evidence"]) / max(1, len(values["evidence"])),
                                       3),
            }
            for mode, values in modes.items()
        }
        for name, modes in scored.items()
    }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
