"""`igr ingest` and `igr docs`: index files, list and remove indexed documents."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from assistant.cli.common import fail, load_assistant, one_line
from ingest.jurisdiction import labels
from vectorstore.models import IngestReport

ProgressFn = Callable[[str, int, int], None]


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressFn | None]:
    """A rich progress bar on a terminal, plain lines on other stderr, nothing if disabled."""
    if not enabled:
        yield None
        return
    console = Console(stderr=True)
    if not console.is_terminal:
        last: dict[str, float] = {}

        def plain(desc: str, done: int, total: int) -> None:
            now = time.monotonic()
            if total == 0:
                return
            if desc == "embedding" or done in (0, total) or now - last.get(desc, 0.0) >= 0.5:
                last[desc] = now
                print(f"{desc} {done}/{total}", file=sys.stderr, flush=True)

        yield plain
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(desc: str, done: int, total: int) -> None:
            if desc not in tasks:
                tasks[desc] = bar.add_task(desc, total=total)
            bar.update(tasks[desc], completed=done, total=total)

        yield update


def _summary(report: IngestReport) -> None:
    console = Console(emoji=False)
    console.print(
        f"documents: [bold]{report.added}[/] added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.removed} removed; "
        f"chunks embedded: [bold]{report.chunks_embedded}[/]; {report.seconds:.1f} s"
    )
    if report.duplicates:
        console.print(f"duplicates not indexed: {len(report.duplicates)}")
        for dup in report.duplicates:
            console.print(f"  {dup['path']} = {dup['duplicate_of']}", markup=False)
    if report.near_duplicates:
        console.print(f"indexed beside a near-identical upload: {len(report.near_duplicates)}")
        for near in report.near_duplicates:
            console.print(f"  {near['path']} ~ {near['similar_to']}", markup=False)
    others = [s for s in report.skipped if not s.reason.startswith("duplicate of ")]
    if others:
        console.print(f"skipped: {len(others)}")
        for item in others:
            console.print(f"  {item.path}: {item.reason}", markup=False, soft_wrap=True)


def _exit_code(report: IngestReport, paths_given: bool) -> int:
    """1 when paths were given and not one file in them could be read, else 0."""
    readable = report.added + report.updated + report.unchanged + len(report.duplicates)
    return 1 if paths_given and readable == 0 and report.skipped else 0


def ingest(
    paths: list[Path] = typer.Argument(  # noqa: B008
        None, help="files or folders to index (default: IGR_CORPUS_DIRS)", show_default=False
    ),
    prune: bool = typer.Option(
        False, "--prune", help="also remove indexed documents whose files under PATHs are gone"
    ),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object, no progress"),
) -> None:
    """Index documents incrementally: only new or changed files are embedded."""
    assistant = load_assistant("ingest")
    with _progress(not as_json) as progress:
        try:
            report = assistant.ingest(paths or None, prune=prune, progress=progress)
        except KeyboardInterrupt:
            raise fail("ingest", "interrupted; rerun to finish (no half documents)", 130) from None
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            raise fail("ingest", one_line(exc), 1) from None
    if as_json:
        typer.echo(report.model_dump_json())
    else:
        _summary(report)
    raise typer.Exit(_exit_code(report, bool(paths)))


def docs_list(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="print a JSON list"),
) -> None:
    """List the indexed documents (or `igr docs rm ID` to remove one)."""
    if ctx.invoked_subcommand is not None:
        return
    assistant = load_assistant("docs")
    try:
        docs = assistant.documents()
    except Exception as exc:  # noqa: BLE001
        raise fail("docs", one_line(exc), 1) from None
    if as_json:
        typer.echo(json.dumps([d.model_dump() for d in docs]))
        return
    if not docs:
        typer.echo("no documents indexed; run `igr ingest`")
        return
    table = Table()
    table.add_column("doc_id", overflow="fold")
    table.add_column("title", ratio=1)
    for name in ("type", "date", "pages", "chunks"):
        table.add_column(name, no_wrap=True)
    table.add_column("applies to")
    for d in docs:  # Text cells: document metadata is data, never rich markup or emoji codes
        table.add_row(
            *(
                Text(value)
                for value in (
                    d.doc_id, d.title, d.doc_type or "", d.date or "",
                    "" if d.pages is None else str(d.pages), str(d.chunks),
                    ", ".join(labels(d.jurisdictions)),
                )
            )
        )
    console = Console(emoji=False)
    (console if console.is_terminal else Console(width=160, emoji=False)).print(table)
    typer.echo(f"{len(docs)} documents, {sum(d.chunks for d in docs)} chunks")


def docs_rm(doc_id: str = typer.Argument(..., help="doc_id as listed by `igr docs`")) -> None:
    """Remove one document from the index."""
    assistant = load_assistant("docs rm")
    try:
        removed = assistant.remove_document(doc_id)
    except Exception as exc:  # noqa: BLE001
        raise fail("docs rm", one_line(exc), 1) from None
    if not removed:
        raise fail("docs rm", f"no indexed document with id {doc_id!r} (see `igr docs`)", 1)
    typer.echo(f"removed {doc_id}")


def register(app: typer.Typer) -> None:
    """Add `ingest` and `docs` (with `docs rm`) to the `igr` CLI."""
    app.command("ingest")(ingest)
    docs_app = typer.Typer(help="List or remove indexed documents.", no_args_is_help=False)
    docs_app.callback(invoke_without_command=True)(docs_list)
    docs_app.command("rm")(docs_rm)
    app.add_typer(docs_app, name="docs")
