"""`igr glossary` and `igr quiz`: devolution-literacy training material from the corpus."""

from __future__ import annotations

import string
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from assistant.cli.common import fail, load_assistant, one_line
from assistant.glossary import GlossaryEntry, GlossaryError
from assistant.models import Citation
from assistant.quiz import Quiz
from ingest.jurisdiction import labels


def _where(c: Citation) -> str:
    parts = [c.title, c.date, f"p. {c.page}" if c.page else None]
    return ", ".join(p for p in parts if p)


def _applies(codes: list[str]) -> str:
    return f" [{', '.join(labels(codes))}]" if codes else ""


def print_entry(entry: GlossaryEntry, console: Console) -> None:
    """A term, its quoted definition, where it applies and its source."""
    aka = f" ({', '.join(entry.aliases)})" if entry.aliases else ""
    console.print(f"[bold]{escape(entry.term)}{escape(aka)}[/bold]{escape(_applies(entry.jurisdictions))}")
    console.print(f"    “{escape(entry.definition)}”")
    console.print(f"    — {escape(_where(entry.citation))} ({escape(entry.citation.doc_id)})",
                  style="dim")


def print_quiz(quiz: Quiz, console: Console) -> None:
    """The questions with lettered choices, then the answer key with each source."""
    for i, item in enumerate(quiz.items, start=1):
        console.print(f"\n[bold]{i}. {escape(item.question)}[/bold]")
        console.print(f"   “{escape(item.passage)}”")
        for letter, option in zip(string.ascii_uppercase, item.options, strict=False):
            console.print(f"   {letter}) {escape(option)}")
    console.print("\n[bold]Answers[/bold]")
    for i, item in enumerate(quiz.items, start=1):
        letter = string.ascii_uppercase[item.answer_index]
        console.print(f"{i}. {letter}) {escape(item.answer)}{escape(_applies(item.jurisdictions))}"
                      f" — {escape(_where(item.citation))}")


def _service(command: str):
    from assistant.training import training_service

    assistant = load_assistant(command)
    try:
        return assistant, training_service(assistant.store, assistant.settings)
    except Exception as exc:  # noqa: BLE001 - store problems: one line
        raise fail(command, one_line(exc), 1) from None


def register(app: typer.Typer) -> None:
    """Add `igr glossary` and `igr quiz` to the CLI."""

    @app.command()
    def glossary(
        term: Annotated[str | None, typer.Argument(help="A term (omit to list all).")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Key terms of the corpus, each with a verbatim, cited definition."""
        _, service = _service("glossary")
        try:
            found = service.glossary()
        except GlossaryError as exc:
            raise fail("glossary", str(exc), 2) from None
        except Exception as exc:  # noqa: BLE001
            raise fail("glossary", one_line(exc), 1) from None
        entries = found.entries if term is None else found.lookup(term)
        if term is not None and not entries:
            raise fail("glossary", f"no entry for {term!r}; `igr glossary` lists every term", 1)
        if as_json:
            typer.echo(found.model_dump_json() if term is None else
                       "[" + ",".join(e.model_dump_json() for e in entries) + "]")
            return
        console = Console()
        if not entries:
            console.print("The glossary is empty: ingest documents first (igr ingest).")
        for entry in entries:
            print_entry(entry, console)

    @app.command()
    def quiz(
        n: Annotated[int, typer.Option("--n", min=1, help="Number of questions.")] = 10,
        topic: Annotated[str | None, typer.Option("--topic", help="Only questions about this "
                                                  "term.")] = None,
        seed: Annotated[int, typer.Option("--seed", help="Another seed, another quiz.")] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Questions built from the corpus, each answerable from its cited quote."""
        assistant, service = _service("quiz")
        if n > assistant.settings.quiz_max_questions:
            raise fail("quiz", f"--n {n} is more than IGR_QUIZ_MAX_QUESTIONS="
                       f"{assistant.settings.quiz_max_questions}", 2)
        try:
            built = service.quiz(lambda: assistant.verifier, n=n, seed=seed, topic=topic)
        except GlossaryError as exc:
            raise fail("quiz", str(exc), 2) from None
        except Exception as exc:  # noqa: BLE001
            raise fail("quiz", one_line(exc), 1) from None
        if not built.items:
            about = f" about {topic!r}" if topic else ""
            raise fail("quiz", f"no question could be built{about} from the indexed documents", 1)
        if len(built.items) < n:
            typer.echo(f"igr quiz: only {len(built.items)} question(s) could be built", err=True)
        if as_json:
            typer.echo(built.model_dump_json())
        else:
            print_quiz(built, Console())
