"""Helpers shared by the `igr` commands: one-line errors and the Assistant."""

from __future__ import annotations

import typer


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message (its class name when empty)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def fail(command: str, message: str, code: int) -> typer.Exit:
    """Print `igr COMMAND: message` to stderr; return the Exit to raise."""
    typer.echo(f"igr {command}: {message}", err=True)
    return typer.Exit(code)


def load_assistant(command: str, **overrides: object):
    """The Assistant over the configured settings (plus overrides); one-line errors."""
    from pydantic import ValidationError

    try:
        from assistant.assistant import Assistant
        from ingest.settings import get_settings

        settings = get_settings()
        if overrides:
            settings = settings.model_copy(update=overrides)
        return Assistant(settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise fail(command, f"invalid configuration {where}: {first.get('msg')}", 2) from None
    except Exception as exc:  # noqa: BLE001 - environment problems become one line
        raise fail(command, one_line(exc), 1) from None


def require_documents(command: str, settings, hint: str = "") -> None:
    """Exit 2 with "run `igr ingest` first" when the store is missing or empty, before a
    command that answers from it creates an empty one and refuses every question."""
    from vectorstore.store import StoreError, indexed_chunks, store_location

    try:
        chunks = indexed_chunks(settings)
    except StoreError as exc:
        raise fail(command, one_line(exc), 2) from None
    if chunks == 0:
        where = store_location(settings)
        raise fail(
            command,
            f"no documents indexed in the store at {where} (collection "
            f"{settings.collection!r}); run `igr ingest` first{hint}",
            2,
        )
