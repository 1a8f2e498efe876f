"""Slim a results.jsonl for committing beside a baseline: ids, types, failures and metrics
only, so no corpus text (answers, quotes, passages) enters the repository.

    python -m evals.slim eval-out/.../results.jsonl evals/baselines/test-results.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

KEEP = ("id", "type", "refused", "failures", "metrics", "missing_keywords", "retrieved_doc_ids")


def slim_line(line: str) -> str:
    """One results.jsonl line reduced to `KEEP`."""
    row = json.loads(line)
    return json.dumps({key: row[key] for key in KEEP if key in row}, ensure_ascii=False)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m evals.slim RESULTS.jsonl OUT.jsonl", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    try:
        lines = [slim_line(x) for x in source.read_text(encoding="utf-8").splitlines() if x]
    except (OSError, ValueError) as exc:
        print(f"error: cannot read {source}: {exc}", file=sys.stderr)
        return 2
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
