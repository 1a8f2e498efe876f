"""The `igr` command line: a thin shell over `Assistant`.

Core commands live beside this file; packages downstream of `assistant` (api, evals) add
theirs through the ``igr.commands`` entry-point group, each a ``register(app)`` callable.
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points
from typing import Annotated

import typer

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

app = typer.Typer(
    name="igr",
    help="Answers with verified citations over UK intergovernmental-relations documents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _show_version(value: bool) -> None:
    if value:
        from assistant import __version__

        typer.echo(f"igr-assistant {__version__}")
        raise typer.Exit(0)


def _configured_logging() -> tuple[str, bool]:
    """IGR_LOG_LEVEL and IGR_LOG_FORMAT, or the defaults when the settings are invalid (the
    command itself then reports that in one line)."""
    try:
        from ingest.settings import get_settings

        settings = get_settings()
        return settings.log_level, settings.log_format == "json"
    except Exception:  # noqa: BLE001
        return "info", False


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True,
                           help="Print the version and exit.")
    ] = False,
    log_level: Annotated[
        str | None, typer.Option("--log-level", help="debug, info, warning, error or critical "
                                 "(default IGR_LOG_LEVEL, info).", metavar="LEVEL")
    ] = None,
    log_json: Annotated[
        bool | None, typer.Option("--log-json/--log-text", help="Log lines as JSON objects "
                                  "(default IGR_LOG_FORMAT, text).", show_default=False)
    ] = None,
) -> None:
    """Answers with verified citations over UK intergovernmental-relations documents."""
    from assistant.cli.logs import setup_logging

    level, json_lines = _configured_logging()
    try:
        setup_logging(log_level or level, json_lines if log_json is None else log_json)
    except ValueError as exc:
        typer.echo(f"igr: {exc}", err=True)
        raise typer.Exit(2) from None


def _register_commands() -> None:
    from assistant.cli import ask_cmd, ingest_cmd, trainer_cmd

    ingest_cmd.register(app)
    ask_cmd.register(app)
    trainer_cmd.register(app)
    for ep in entry_points(group="igr.commands"):
        ep.load()(app)


def main() -> None:
    """Console-script entry point."""
    _register_commands()
    app()
