"""Aggregate per-question results into the report: overall, by type, headline, latency."""

from __future__ import annotations

from evals.metrics import Ratio, percentile
from evals.models import HeadlineRow, JudgeStatus, MetricSummary, QuestionResult, Report
from evals.stats import aggregate, bootstrap_ci
from evals.targets import HEADLINE, METRIC_BY_KEY, METRICS


def _parts(results: list[QuestionResult], key: str) -> list[Ratio]:
    return [Ratio(*r.parts[key]) for r in results if key in r.parts]


def summarise_metrics(results: list[QuestionResult], with_ci: bool) -> dict[str, MetricSummary]:
    """Every metric that applies to at least one of `results`."""
    out: dict[str, MetricSummary] = {}
    for metric in METRICS:
        parts = _parts(results, metric.key)
        if not parts:
            continue
        out[metric.key] = MetricSummary(
            value=aggregate(parts), ci=bootstrap_ci(parts) if with_ci else None, n=len(parts)
        )
    return out


def headline_rows(overall: dict[str, MetricSummary]) -> list[HeadlineRow]:
    """The headline metrics with their targets (value None where nothing applied)."""
    rows = []
    for target in HEADLINE:
        summary = overall.get(target.key, MetricSummary())
        rows.append(
            HeadlineRow(
                key=target.key,
                label=METRIC_BY_KEY[target.key].label,
                value=summary.value,
                ci=summary.ci,
                n=summary.n,
                target=target.text,
                met=target.met(summary.value),
            )
        )
    return rows


def build_report(
    results: list[QuestionResult],
    *,
    created: str,
    dataset: dict[str, object],
    config: dict[str, object],
    fingerprints: dict[str, str | None],
    judge: JudgeStatus,
) -> Report:
    """The whole report.json from scored results."""
    overall = summarise_metrics(results, with_ci=True)
    types = sorted({r.type for r in results})
    by_type = {t: summarise_metrics([r for r in results if r.type == t], False) for t in types}
    latencies = [r.latency_ms for r in results if r.latency_ms is not None and not r.error]
    return Report(
        created=created,
        dataset=dataset,
        config=config,
        fingerprints=fingerprints,
        questions=len(results),
        errors=sum(1 for r in results if r.error),
        failed=sum(1 for r in results if r.failures),
        headline=headline_rows(overall),
        overall=overall,
        by_type=by_type,
        type_counts={t: sum(1 for r in results if r.type == t) for t in types},
        latency_ms={
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "mean": sum(latencies) / len(latencies) if latencies else None,
        },
        judge=judge,
    )
