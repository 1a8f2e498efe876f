"""Compare a report with a stored baseline report.json; regression decides the exit code.

Rule (also in evals/README.md): a headline metric regresses when it is worse than the
baseline by more than its tolerance, absolute: 0.03 for rates, 0 for the injection success
rate (any new success fails), 5 words for the mean answer length. The baseline's bootstrap
interval is shown for context but does not widen the tolerance: both runs answer the same
questions, so the comparison is paired and an unpaired interval would hide real changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from evals.models import HISTORY_DATASET, QuestionResult, Report
from evals.targets import HEADLINE, METRIC_BY_KEY

Status = Literal["regressed", "worse (within tolerance)", "improved", "same", "n/a"]


class Comparison(BaseModel):
    key: str
    label: str
    baseline: float | None
    current: float | None
    delta: float | None
    tolerance: float
    status: Status


def _status(delta: float | None, better: str, tolerance: float) -> Status:
    """How a metric moved, given which direction is better and the tolerance."""
    if delta is None:
        return "n/a"
    worse = -delta if better == "higher" else delta
    if worse > tolerance + 1e-9:
        return "regressed"
    if worse > 1e-9:
        return "worse (within tolerance)"
    if worse < -1e-9:
        return "improved"
    return "same"


def compare(
    current: Report, baseline: Report, rate_tolerance: float | None = None
) -> list[Comparison]:
    """One row per headline metric (`rate_tolerance` overrides the 0.03 for rates)."""
    base = {row.key: row.value for row in baseline.headline}
    now = {row.key: row.value for row in current.headline}
    rows = []
    for target in HEADLINE:
        metric = METRIC_BY_KEY[target.key]
        tol = target.tolerance
        if rate_tolerance is not None and metric.unit == "rate" and target.tolerance > 0:
            tol = rate_tolerance
        b, c = base.get(target.key), now.get(target.key)
        delta = None if b is None or c is None else c - b
        rows.append(
            Comparison(
                key=target.key,
                label=metric.label,
                baseline=b,
                current=c,
                delta=delta,
                tolerance=tol,
                status=_status(delta, metric.better, tol),
            )
        )
    return rows


def regressed(rows: list[Comparison]) -> bool:
    """Whether any headline metric regressed beyond its tolerance."""
    return any(r.status == "regressed" for r in rows)


def mismatches(current: Report, baseline: Report) -> list[str]:
    """What differs between the two runs' set-ups (shown as warnings, not failures)."""
    notes = []
    for key in ("dataset", "corpus", "model"):
        b, c = baseline.fingerprints.get(key), current.fingerprints.get(key)
        if b and c and b != c:
            notes.append(f"{key} fingerprint differs from the baseline's")
    for key in ("answerer", "k"):
        b, c = baseline.config.get(key), current.config.get(key)
        if b != c:
            notes.append(f"{key} differs: baseline {b!r}, now {c!r}")
    typed = [(run.config.get("selection") or {}).get("typed", "as-written")
             for run in (baseline, current)]
    if typed[0] != typed[1]:
        notes.append(f"questions typed differently: baseline {typed[0]}, now {typed[1]}")
    told = [run.config.get("history_answers", HISTORY_DATASET) for run in (baseline, current)]
    if told[0] != told[1]:  # (reports from before `--own-history` held the dataset's)
        notes.append(f"follow-ups' histories differ: baseline {told[0]}, now {told[1]}")
    return notes


def results_beside(report_path: Path) -> Path:
    """The results.jsonl stored beside a report: `x/report.json` -> `x/results.jsonl`,
    `test-report.json` -> `test-results.jsonl`."""
    name = report_path.name
    swapped = name[: -len("report.json")] + "results.jsonl" if name.endswith("report.json") else ""
    return report_path.with_name(swapped or "results.jsonl")


def changed_questions(current: list[QuestionResult], baseline_results: Path) -> list[str]:
    """Questions whose failures changed since the baseline (one line per change)."""
    if not baseline_results.is_file():
        return []
    before: dict[str, list[str]] = {}
    for line in baseline_results.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
            before[str(row["id"])] = list(row.get("failures") or [])
        except (ValueError, KeyError, TypeError):
            continue
    notes = []
    for r in current:
        if r.id not in before:
            continue
        new = [f for f in r.failures if f not in before[r.id]]
        gone = [f for f in before[r.id] if f not in r.failures]
        if new and not before[r.id]:
            notes.append(f"{r.id} now fails: {'; '.join(new)}")
        elif new:
            notes.append(f"{r.id} also fails: {'; '.join(new)}")
        if gone and not r.failures:
            notes.append(f"{r.id} now passes")
        elif gone:
            notes.append(f"{r.id} no longer fails: {'; '.join(gone)}")
    return notes
