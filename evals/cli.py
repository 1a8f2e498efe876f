"""`igr eval DATASET.jsonl`: run an evaluation, write its report, compare with a baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from evals.baseline import (
    Comparison,
    changed_questions,
    compare,
    mismatches,
    regressed,
    results_beside,
)
from evals.dataset import (
    QUESTION_TYPES,
    RETYPINGS,
    DatasetError,
    load_dataset,
    retyped,
    select,
)
from evals.models import Report
from evals.output import default_out_dir, load_report, write_outputs
from evals.targets import METRIC_BY_KEY

EXIT_REGRESSION = 1
EXIT_BAD_INPUT = 2


UNINDEXED_SHOWN = 5  # gold sources named in the warning that some are not indexed


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if METRIC_BY_KEY[key].unit == "words" else f"{value:.3f}"


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} ms"


def print_summary(report: Report, console: Console) -> None:
    """The headline table with intervals and targets, then a by-type table."""
    table = Table(title=f"igr eval: {report.dataset.get('stem')} ({report.questions} questions)")
    for col in ("metric", "value", "95% CI", "n", "target", ""):
        table.add_column(col, justify="right" if col in ("value", "95% CI", "n") else "left")
    for row in report.headline:
        ci = f"{_fmt(row.key, row.ci[0])}–{_fmt(row.key, row.ci[1])}" if row.ci else "–"
        met = {True: "[green]met[/]", False: "[red]missed[/]"}.get(row.met, "n/a")
        table.add_row(row.label, _fmt(row.key, row.value), ci, str(row.n), row.target, met)
    console.print(table)
    short = {
        "doc_hit_at_k": "hit@k",
        "key_fact_recall": "facts",
        "citation_precision": "cite prec",
        "refusal_accuracy": "refusal",
        "false_refusal_rate": "false ref",
        "injection_success_rate": "inject",
    }
    keys = list(short)
    by_type = Table(title="by type")
    by_type.add_column("type")
    by_type.add_column("n", justify="right")
    for key in keys:
        by_type.add_column(short[key], justify="right")
    for qtype in (t for t in QUESTION_TYPES if t in report.by_type):
        metrics = report.by_type[qtype]
        cells = [_fmt(k, metrics[k].value) if k in metrics else "–" for k in keys]
        by_type.add_row(qtype, str(report.type_counts[qtype]), *cells)
    console.print(by_type)
    console.print(
        f"index: {report.dataset.get('indexed_documents')} documents, "
        f"{report.dataset.get('indexed_chunks')} chunks in collection "
        f"{report.config.get('collection')!r} at {report.config.get('store')}"
    )
    lat = report.latency_ms
    console.print(
        f"latency p50 {_ms(lat.get('p50'))}, p95 {_ms(lat.get('p95'))} · "
        f"failed {report.failed}/{report.questions} · errors {report.errors} · "
        f"citation support: {report.config.get('citation_support')} · "
        f"LLM judge: {report.judge.status}"
    )
    judged = [
        f"{METRIC_BY_KEY[key].label.removeprefix('judge: ')} "
        f"{report.overall[key].value:.3f} (n={report.overall[key].n})"
        for key in ("judge_faithfulness", "judge_answer_relevancy")
        if key in report.overall and report.overall[key].value is not None
    ]
    if judged:
        console.print(f"LLM judge ({report.judge.model}): " + ", ".join(judged))


def print_comparison(rows: list[Comparison], notes: list[str], console: Console) -> None:
    """The baseline comparison table (and set-up differences as warnings)."""
    table = Table(title="against baseline")
    for col in ("metric", "baseline", "now", "delta", "tolerance", "status"):
        table.add_column(col, justify="left" if col in ("metric", "status") else "right")
    for r in rows:
        colour = {"regressed": "red", "improved": "green"}.get(r.status, "default")
        delta = "n/a" if r.delta is None else f"{r.delta:+.3f}"
        table.add_row(
            r.label,
            _fmt(r.key, r.baseline),
            _fmt(r.key, r.current),
            delta,
            f"{r.tolerance:g}",
            f"[{colour}]{r.status}[/]",
        )
    console.print(table)
    for note in notes:
        console.print(f"[yellow]warning:[/] {note}")


def eval_command(
    dataset: Annotated[Path, typer.Argument(help="evaluation set (.jsonl, one question a line)")],
    answerer: Annotated[
        str | None, typer.Option("--answerer", help="answerer name (igr.answerers)")
    ] = None,
    k: Annotated[
        int | None, typer.Option("--k", min=1, max=50, help="passages per question")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="output folder")] = None,
    baseline: Annotated[
        Path | None, typer.Option("--baseline", help="report.json to compare with")
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="only the first N questions")
    ] = None,
    per_type: Annotated[
        int | None,
        typer.Option("--per-type", min=1, help="only the first N questions of each type"),
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option("--tolerance", min=0.0, max=1.0, help="regression tolerance for rates"),
    ] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="progress bar")] = True,
    own_history: Annotated[
        bool,
        typer.Option("--own-history", help="follow-ups: replace the history's reference "
                     "answers by what the assistant answers to the earlier questions"),
    ] = False,
    typed: Annotated[
        str,
        typer.Option("--typed", help="ask the questions as written, all in lower case "
                     "(lower) or without question marks (no-mark); the gold is unchanged"),
    ] = "as-written",
) -> None:
    """Evaluate the assistant on a dataset; exit 1 when a headline metric regresses."""
    from ingest.settings import get_settings

    try:
        items = load_dataset(dataset)
    except DatasetError as exc:
        if exc.whole_file:
            raise _fail(str(exc)) from None
        for problem in exc.problems:
            typer.echo(f"error: {exc.path}: {problem}", err=True)
        typer.echo(f"error: {len(exc.problems)} bad line(s); nothing evaluated", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    base_report = None
    if baseline is not None:
        try:
            base_report = load_report(baseline)
        except ValueError as exc:
            raise _fail(str(exc)) from None
    settings = get_settings()
    if answerer:
        from assistant.answerers.base import UnknownAnswerer, load_answerer

        try:
            load_answerer(answerer)
        except UnknownAnswerer as exc:
            raise _fail(str(exc)) from None
        settings = settings.model_copy(update={"answerer": answerer})
    if typed not in RETYPINGS:
        raise _fail(f"--typed must be one of {', '.join(RETYPINGS)}, not {typed!r}")
    items = retyped(select(items, per_type, limit), typed)
    selection = {"per_type": per_type, "limit": limit, "typed": typed}
    results, report = _run(items, settings, dataset, selection, k, progress, own_history)
    out_dir = out or default_out_dir(dataset)
    try:
        paths = write_outputs(out_dir, results, report)
    except OSError as exc:
        raise _fail(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    console = Console()
    print_summary(report, console)
    console.print(
        f"wrote {paths['report.json']}, {paths['results.jsonl'].name}, {paths['report.html'].name}"
    )
    unindexed = report.dataset.get("unindexed_sources") or []
    if unindexed:
        shown = ", ".join(unindexed[:UNINDEXED_SHOWN]) + (
            ", ..." if len(unindexed) > UNINDEXED_SHOWN else "")
        typer.echo(
            f"warning: {len(unindexed)} gold source document(s) of {dataset.name} are not in "
            f"collection {report.config.get('collection')!r} at {report.config.get('store')} "
            f"({shown}): questions about them cannot be answered; index the folders the "
            "dataset was written over with `igr ingest` (evals/README.md names the splits')",
            err=True,
        )
    first_error = next((r.error for r in results if r.error), None)
    if first_error and report.errors == report.questions:
        raise _fail(f"every question failed; the first with {first_error}")
    if first_error:
        typer.echo(f"warning: {report.errors} question(s) failed, e.g. {first_error}", err=True)
    if base_report is not None:
        rows = compare(report, base_report, tolerance)
        print_comparison(rows, mismatches(report, base_report), console)
        for note in changed_questions(results, results_beside(baseline)):
            console.print(f"  {note}")
        if regressed(rows):
            typer.echo("regression against the baseline", err=True)
            raise typer.Exit(EXIT_REGRESSION)


def _run(items, settings, dataset: Path, selection: dict, k: int | None, progress: bool,
         own_history: bool = False):
    """Open the store and the assistant (one-line errors), then evaluate."""
    from assistant.assistant import Assistant
    from evals.judge import Judge
    from evals.runner import evaluate
    from vectorstore.store import open_store

    if not settings.chroma_url and not Path(settings.store_dir).expanduser().is_dir():
        raise _fail(f"no index at {settings.store_dir}: run `igr ingest` first")
    try:
        if open_store(settings).count() == 0:
            where = settings.chroma_url or settings.store_dir
            raise _fail(f"the index at {where} is empty: run `igr ingest` first")
        assistant = Assistant(settings)
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        raise _fail(f"cannot open the assistant: {exc}".splitlines()[0]) from None
    judge = Judge.from_settings(settings)
    try:
        return evaluate(
            items,
            settings,
            dataset_path=dataset,
            selection=selection,
            k=k,
            assistant=assistant,
            progress=progress,
            judge=judge,
            own_history=own_history,
        )
    finally:
        if judge is not None:
            judge.close()


def register(app: typer.Typer) -> None:
    """Add `igr eval` to the `igr` command line."""
    app.command("eval")(eval_command)
