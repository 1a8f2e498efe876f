"""`igr ask` from the shell: wall time of one question, this checkout against another.

Runs `igr ask QUESTION --json` as a fresh process over the same store, alternating this
checkout (B) with a baseline checkout (A, e.g. a worktree of main) when --baseline is
given: A B A B ..., so machine load drifts over both alike. Each process imports the CLI
from its checkout (the console script's entry points resolve to the first checkout on
sys.path). Reports min / median wall time per checkout.

    .venv/bin/python bench/ask_startup.py --store DIR [--baseline ../main] [--runs 5]

Writes JSON to bench/results/ask_startup.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, write_result  # noqa: E402

QUESTION = "Who chairs the Council of the Nations and Regions?"


def one_run(checkout: Path, store: Path, question: str, model: Path | None = None) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    env.update(IGR_STORE_DIR=str(store), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False")
    if model:
        env["IGR_EMBEDDING_MODEL"] = str(model)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.argv = ['igr', 'ask', sys.argv[2], "
        "'--json']; from assistant.cli import main; main()"
    )
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(checkout), question], env=env,
                          capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"igr ask failed in {checkout}: {done.stderr[-1500:]}")
    json.loads(done.stdout)  # a real answer came back
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="an indexed store dir")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--model", type=Path, help="the embedding model the store was built with")
    parser.add_argument("--out", type=Path,
                        default=REPO / "bench" / "results" / "ask_startup.json")
    args = parser.parse_args()
    checkouts = {"this": REPO}
    if args.baseline:
        checkouts = {"baseline": args.baseline.resolve(), **checkouts}
    one_run(REPO, args.store, args.question, args.model)  # warm the file cache and lexical file
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    for _ in range(args.runs):
        for name, checkout in checkouts.items():
            times[name].append(one_run(checkout, args.store, args.question, args.model))
    result = {
        name: {"min_s": round(min(t), 2), "median_s": round(statistics.median(t), 2),
               "runs": [round(x, 2) for x in t]}
        for name, t in times.items()
    }
    if "baseline" in result:
        result["median_ratio_this_to_baseline"] = round(
            result["this"]["median_s"] / result["baseline"]["median_s"], 2)
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
