"""Injection detector benchmark: catch rate on our hostile sentences, false positives on the
shared corpus, cost per sentence.

    .venv/bin/python bench/injection.py [--corpus DIR] [--sample N] [--out FILE]

Hostile sentences: tests/data/hostile_sentences.txt (development set, the detector was built
on it) and hostile_sentences_heldout*.txt (each written after the detector's last revision;
sets 1-3 were first measured at 11/20, 11/24 and 9/24 and the detector was then revised on
their misses; set 4, at 16/20, never was). Ordinary sentences:
every sentence of the corpus, read at run time (never copied into the repository), and a
seeded random sample of N of them. Writes JSON to bench/results/injection.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.report import print_rows, write_json  # noqa: E402
from ingest.settings import SHARED_CORPUS_DIR  # noqa: E402
from tests.sentence_sets import corpus_sentences, hostile_sets  # noqa: E402


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS_DIR, help="folder")
    parser.add_argument("--sample", type=int, default=200, help="ordinary sentences sampled")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "injection.json", help="JSON"
    )
    return parser.parse_args()


def main() -> int:
    args = _args()
    from assistant.safety import looks_like_injection

    sets = hostile_sets()
    hostile = {
        name: {"caught": sum(map(looks_like_injection, items)), "total": len(items),
               "missed": [s for s in items if not looks_like_injection(s)]}
        for name, items in sets.items()
    }
    result: dict[str, object] = {"hostile": hostile}
    rows = [(f"hostile {n}", f"{h['caught']}/{h['total']}") for n, h in hostile.items()]
    held = [h for n, h in hostile.items() if n != "development"]
    held_caught, held_total = sum(h["caught"] for h in held), sum(h["total"] for h in held)
    rows.append(("hostile held-out, all", f"{held_caught}/{held_total}"))
    if args.corpus.is_dir():
        ordinary = corpus_sentences(args.corpus)
        started = time.perf_counter()
        flagged = [s for s in ordinary if looks_like_injection(s)]
        per_sentence_us = (time.perf_counter() - started) / max(len(ordinary), 1) * 1e6
        sample = random.Random(10).sample(ordinary, min(args.sample, len(ordinary)))
        sample_flagged = [s for s in sample if looks_like_injection(s)]
        result["ordinary"] = {
            "sentences": len(ordinary), "flagged": len(flagged),
            "sample": len(sample), "sample_flagged": len(sample_flagged),
            "us_per_sentence": round(per_sentence_us, 1),
        }
        rows += [
            ("corpus sentences flagged", f"{len(flagged)}/{len(ordinary)}"),
            (f"random sample of {len(sample)} flagged", f"{len(sample_flagged)}/{len(sample)}"),
            ("cost per sentence", f"{per_sentence_us:.1f} us"),
        ]
    else:
        print(f"bench/injection.py: no corpus at {args.corpus}; false positives not measured",
              file=sys.stderr)
    print_rows(rows)
    write_json(args.out, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
