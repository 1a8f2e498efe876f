"""`igr feedback export`: down-voted answers as evaluation cases (registered via
`igr.commands`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

feedback_app = typer.Typer(help="Feedback on answers: export it as evaluation cases.",
                           no_args_is_help=True)


@feedback_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write")],
    include_up: Annotated[bool, typer.Option("--all", help="up-votes too, not only "
                                             "down-votes")] = False,
) -> None:
    """Write down-voted answers as dataset lines for a person to complete."""
    from assistant.feedback import FeedbackStore, FeedbackStoreError, feedback_path
    from evals.feedback_export import export_cases
    from ingest.settings import get_settings

    path = feedback_path(get_settings())
    if not path.is_file():
        typer.echo(f"igr feedback: no feedback database at {path} (IGR_FEEDBACK_DB)", err=True)
        raise typer.Exit(1)
    try:
        written = export_cases(FeedbackStore(path), out, include_up)
    except FeedbackStoreError as exc:
        typer.echo(f"igr feedback: {exc}", err=True)
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"igr feedback: cannot write {out}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"igr feedback: wrote {written} case(s) to {out}; fill in type, answer, "
               "evidence and keywords before `igr eval` accepts them")


def register(app: typer.Typer) -> None:
    """Add `igr feedback` to the `igr` command line."""
    app.add_typer(feedback_app, name="feedback")
