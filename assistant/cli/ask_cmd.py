"""`igr ask`: one question, or a batch file, answered with verified citations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from rich.console import Console
from rich.markup import escape

from assistant.cli.common import fail, load_assistant, one_line, require_documents
from assistant.models import AnswerResult, ChatMessage, SearchFilters
from ingest.jurisdiction import labels

_FILTER_KEYS = {
    "doc_type": "doc_type", "type": "doc_type", "publisher": "publisher",
    "doc_id": "doc_ids", "doc_ids": "doc_ids", "date_from": "date_from", "date_to": "date_to",
    "jurisdiction": "jurisdiction",
}
_LIST_KEYS = {"doc_type", "publisher", "doc_ids", "jurisdiction"}


class BatchLine(BaseModel):
    """One line of an `igr ask --batch` file."""

    model_config = ConfigDict(extra="ignore")

    id: str
    question: str = Field(min_length=1)
    history: list[ChatMessage] = Field(default_factory=list)


def parse_filters(pairs: list[str]) -> SearchFilters | None:
    """`key=value` pairs into SearchFilters; list keys may repeat or use commas."""
    if not pairs:
        return None
    values: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        field = _FILTER_KEYS.get(key.strip())
        if not sep or field is None or not value.strip():
            known = ", ".join(sorted(_FILTER_KEYS))
            raise ValueError(f"bad filter {pair!r}: use key=value with key one of {known}")
        if field in _LIST_KEYS:
            items = [v.strip() for v in value.split(",") if v.strip()]
            values.setdefault(field, []).extend(items)  # type: ignore[union-attr]
        else:
            values[field] = value.strip()
    return SearchFilters.model_validate(values)


def read_history(path: Path) -> list[ChatMessage]:
    """A JSON list of {role, content} turns."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return TypeAdapter(list[ChatMessage]).validate_python(data)


def _highlighted(quote: str, span: list[int] | None) -> str:
    """The quote as rich markup, its answer span (if any) in bold."""
    if not span:
        return escape(quote)
    start, end = span
    return (f"{escape(quote[:start])}[bold not dim]{escape(quote[start:end])}[/]"
            f"{escape(quote[end:])}")


def print_answer(result: AnswerResult, console: Console) -> None:
    """The answer, then each citation with its document, date, page and quote."""
    style = "yellow" if result.refused else "bold"
    console.print(escape(result.answer), style=style)
    if result.jurisdictions:
        console.print(f"Applies to: {escape(', '.join(labels(result.jurisdictions)))}", style="dim")
    for c in result.citations:
        where = ", ".join(x for x in (c.publisher, c.date, f"p. {c.page}" if c.page else None) if x)
        suffix = f" ({escape(where)})" if where else ""
        tags = [*labels(c.jurisdictions), *([c.acting] if c.acting else [])]
        applies = f" [{', '.join(tags)}]" if tags else ""
        console.print(f"\n[bold][{c.n}][/bold] {escape(c.title)}{suffix}{escape(applies)}")
        console.print(f"    “{_highlighted(c.quote, c.answer_span)}”", style="dim")
        console.print(f"    {escape(c.doc_id)}", style="dim")
    if result.unsupported:
        console.print(f"\n{len(result.unsupported)} unsupported sentence(s) removed.", style="dim")


def register(app: typer.Typer) -> None:
    """Add `igr ask` to the CLI."""

    @app.command()
    def ask(
        question: Annotated[
            str | None, typer.Argument(help="The question (omit with --batch).")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the answer JSON.")] = False,
        k: Annotated[
            int | None, typer.Option("--k", min=1, max=50, help="Passages to retrieve.")
        ] = None,
        filters: Annotated[
            list[str] | None,
            typer.Option("--filter", help="key=value: doc_type, publisher, doc_id, date_from, "
                         "date_to, jurisdiction (uk, england, scotland, wales, "
                         "northern-ireland, international)."),
        ] = None,
        history: Annotated[
            Path | None, typer.Option("--history", help="JSON file of earlier turns.")
        ] = None,
        batch: Annotated[
            Path | None, typer.Option("--batch", help="JSONL of {id, question, history?}.")
        ] = None,
        answerer: Annotated[
            str | None, typer.Option("--answerer", help="Override IGR_ANSWERER.")
        ] = None,
    ) -> None:
        """Answer a question with citations to document, page and verbatim quote."""
        if (question is None) == (batch is None):
            raise fail("ask", "give a QUESTION or --batch FILE (one of them)", 2)
        try:
            chosen_filters = parse_filters(filters or [])
            turns = read_history(history) if history else []
        except (ValueError, ValidationError, OSError) as exc:
            raise fail("ask", one_line(exc), 2) from None
        overrides = {"answerer": answerer} if answerer else {}
        assistant = load_assistant("ask", **overrides)
        require_documents("ask", assistant.settings)
        try:
            assistant.lexical.refresh()
            if batch is not None:
                failed = _run_batch(assistant, batch, chosen_filters, k)
                raise typer.Exit(1 if failed else 0)
            if not question.strip():
                raise fail("ask", "the question is empty", 2)
            result = assistant.ask(question, history=turns, filters=chosen_filters, k=k)
        except typer.Exit:
            raise
        except Exception as exc:  # noqa: BLE001 - store/model/answerer problems: one line
            raise fail("ask", one_line(exc), 1) from None
        if as_json:
            typer.echo(result.model_dump_json())
        else:
            print_answer(result, Console(emoji=False))


def _run_batch(assistant, path: Path, filters: SearchFilters | None, k: int | None) -> int:
    """Answer every line of `path`; one JSON result per line on stdout. Returns failures."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise fail("ask", f"cannot read {path}: {one_line(exc)}", 2) from None
    failed = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            item = BatchLine.model_validate_json(raw)
        except ValidationError as exc:
            failed += 1
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error.get("loc", ()))
            typer.echo(json.dumps({"line": number, "error": f"{where}: {error.get('msg')}"}))
            continue
        result = assistant.ask(item.question, history=item.history, filters=filters, k=k,
                               id=item.id)
        typer.echo(result.model_dump_json())
    return failed
