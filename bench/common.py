"""Shared by the benchmarks: offline model settings, the repository root, percentiles and
writing a result. Importing it sets the environment, so import it before the product."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation; NaN for no values."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    at = (len(ordered) - 1) * q / 100.0
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def write_result(result: dict, out: Path, echo: bool = True) -> None:
    """Print the result (unless not `echo`) and write it as JSON to `out`."""
    text = json.dumps(result, indent=2) + "\n"
    if echo:
        print(text, end="")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")


def stop(proc: subprocess.Popen, timeout_s: float = 60) -> None:
    """Stop a server the way Ctrl-C would; kill it if it does not exit in time."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
