"""Shared by the benchmarks: print a two-column table and write the JSON result."""

from __future__ import annotations

import json
from pathlib import Path


def print_rows(rows: list[tuple[str, str]]) -> None:
    """`name  value` lines, names padded to one width."""
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def write_json(path: Path, result: dict) -> None:
    """Write `result` as indented JSON (creating the folder) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path}")
