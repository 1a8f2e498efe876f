"""Where one answer's time goes: query embedding, Chroma, lexical, answerer, verifier.

Runs the real `Assistant` in this process over a store of ../shared/corpus and times each
stage by wrapping the objects it calls (nothing in the answer path is changed), for every
question of ../shared/evals/dev.jsonl made unique (so the query embedding is never a cache
hit), after one priming pass (sentence embeddings cached: the server's steady state).
Also counts how often the model embeds the question text itself (goal: once).

    .venv/bin/python bench/profile_chat.py [--store DIR] [--out FILE]

Writes JSON to bench/results/profile_chat.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, percentile, write_result  # noqa: E402
from ingest.settings import SHARED_CORPUS_DIR, Settings  # noqa: E402

DEV_SET = SHARED_CORPUS_DIR.parent / "evals" / "dev.jsonl"


class Clock:
    """Per-question stage timings, filled by the wrappers."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.rows: list[dict[str, float]] = []

    def wrap(self, obj: object, name: str, stage: str) -> None:
        original = getattr(obj, name)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[stage] += (time.perf_counter() - started) * 1000.0

        setattr(obj, name, timed)

    def wrap_stream(self, obj: object, name: str, stage: str) -> None:
        original = getattr(obj, name)

        def timed(*args, **kwargs):
            iterator = original(*args, **kwargs)
            while True:
                started = time.perf_counter()
                try:
                    item = next(iterator)
                except StopIteration:
                    self.current[stage] += (time.perf_counter() - started) * 1000.0
                    return
                self.current[stage] += (time.perf_counter() - started) * 1000.0
                yield item

        setattr(obj, name, timed)

    def close(self, total_ms: float) -> None:
        row = dict(self.current)
        row["total"] = total_ms
        self.rows.append(row)
        self.current = defaultdict(float)




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store dir (indexed first if absent)")
    parser.add_argument("--out", type=Path,
                        default=REPO / "bench" / "results" / "profile_chat.json")
    args = parser.parse_args()
    if not DEV_SET.is_file():
        print("bench/profile_chat.py: ../shared/evals/dev.jsonl not found", file=sys.stderr)
        return 2
    from assistant.assistant import Assistant
    from assistant.models import ChatMessage

    items = [json.loads(x) for x in DEV_SET.read_text(encoding="utf-8").splitlines() if x]
    with tempfile.TemporaryDirectory(prefix="igr-profile-") as tmp:
        store = args.store or Path(tmp) / "store"
        settings = Settings(store_dir=store, chroma_url=None, corpus_dirs=[SHARED_CORPUS_DIR],
                            answerer="extractive")
        assistant = Assistant(settings)
        if not store.exists():
            assistant.ingest([SHARED_CORPUS_DIR])
        assistant.warm_up()

        def ask(question: str, item: dict) -> None:
            history = [ChatMessage.model_validate(m) for m in item.get("history") or []]
            assistant.ask(question, history=history)

        for item in items:  # priming: sentence embeddings cached, as in the steady state
            ask(item["question"], item)

        clock = Clock()
        model_calls: list[list[str]] = []
        raw = assistant.encoder.embeddings
        original_encode = raw.encode

        def counting_encode(texts):
            model_calls.append(list(texts))
            return original_encode(texts)

        raw.encode = counting_encode
        clock.wrap(assistant.encoder, "embed_query", "embed")
        clock.wrap(assistant.store, "query", "dense_chroma")
        clock.wrap(assistant.lexical, "search", "lexical_search")
        clock.wrap(assistant.lexical, "neighbours", "lexical_neighbours")
        clock.wrap(assistant.lexical, "unknown_terms", "lexical_vocabulary")
        clock.wrap_stream(assistant.answerer, "stream", "answer")
        clock.wrap(assistant.verifier, "verify", "verify")
        question_embeds = []
        for n, item in enumerate(items):
            question = f"{item['question']} (ref {n})"
            model_calls.clear()
            started = time.perf_counter()
            ask(question, item)
            clock.close((time.perf_counter() - started) * 1000.0)
            question_embeds.append(sum(texts.count(question) for texts in model_calls))

    stages = sorted({k for row in clock.rows for k in row})
    result = {
        "questions": len(clock.rows),
        "ms": {
            stage: {
                "p50": round(statistics.median(r.get(stage, 0.0) for r in clock.rows), 2),
                "p95": round(percentile([r.get(stage, 0.0) for r in clock.rows], 95), 2),
                "mean": round(statistics.mean(r.get(stage, 0.0) for r in clock.rows), 2),
            }
            for stage in stages
        },
        "question_embedded_by_model_per_answer": {
            "max": max(question_embeds), "mean": round(statistics.mean(question_embeds), 2),
        },
        "torch_threads": settings.torch_threads,
    }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
