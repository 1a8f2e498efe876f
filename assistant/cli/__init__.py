"""The `igr` command line: a thin shell over `Assistant`.

Core commands live beside this file; packages downstream of `assistant` (api, evals) add
theirs through the ``igr.commands`` entry-point group, each a ``register(app)`` callable.
"""

from __future__ import annotations

import os
from importlib.metadata import entry_points

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
