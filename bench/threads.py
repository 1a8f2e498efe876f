"""Torch threads for answering: one query embedding (and one answer's sentence batch) at
1, 2, ... intra-op threads, alone and with concurrent requests, interleaved in one run.

    .venv/bin/python bench/threads.py [--threads 1,2] [--rounds 30]

Questions come from ../shared/evals/dev.jsonl (or a built-in list). Reports per thread
count the p50/p95 of a single query embedding, of a 60-sentence batch (what an answer
embeds when its sentences are not cached yet), and the wall time of 4 concurrent
requests (query + batch each, in 4 Python threads; encode calls are serialised by the
model lock, as in the server). Writes bench/results/threads.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, percentile, write_result  # noqa: E402
from ingest.settings import SHARED_CORPUS_DIR, Settings  # noqa: E402

DEV_SET = SHARED_CORPUS_DIR.parent / "evals" / "dev.jsonl"




def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "threads.json")
    args = parser.parse_args()
    import torch

    from vectorstore.embeddings import get_embeddings

    if DEV_SET.is_file():
        questions = [json.loads(x)["question"] for x in DEV_SET.read_text().splitlines() if x]
    else:
        questions = [f"What did the joint committee decide in meeting {i}?" for i in range(40)]
    model = get_embeddings(Settings()).model
    sentences = [f"{q} This sentence stands in for a passage sentence." for q in questions]
    counts = [int(t) for t in args.threads.split(",")]
    lock = threading.Lock()
    one: dict[int, list[float]] = {n: [] for n in counts}
    batch: dict[int, list[float]] = {n: [] for n in counts}
    four: dict[int, list[float]] = {n: [] for n in counts}

    def encode(texts: list[str]) -> None:
        with lock:
            model.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)

    def request(i: int) -> None:
        encode([f"{questions[i % len(questions)]} ({i})"])
        encode(sentences[i % 20 : i % 20 + 60])

    encode(["warm up"])
    for r in range(args.rounds):  # interleaved: every thread count in every round
        for n in counts:
            torch.set_num_threads(n)
            q = f"{questions[r % len(questions)]} (round {r})"
            started = time.perf_counter()
            encode([q])
            one[n].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            encode(sentences[(r % 20) : (r % 20) + 60])
            batch[n].append((time.perf_counter() - started) * 1000)
            workers = [threading.Thread(target=request, args=(r * 4 + j,)) for j in range(4)]
            started = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            four[n].append((time.perf_counter() - started) * 1000)
    result = {
        str(n): {
            "query_ms_p50": round(statistics.median(one[n]), 2),
            "query_ms_p95": round(percentile(one[n], 95), 2),
            "batch60_ms_p50": round(statistics.median(batch[n]), 1),
            "four_requests_ms_p50": round(statistics.median(four[n]), 1),
        }
        for n in counts
    }
    result["cpus"] = os.cpu_count()
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
