"""Errors raised by the ingest stage."""

from __future__ import annotations


class UnreadableFile(Exception):
    """A file that cannot be ingested; ``str(exc)`` is the one-line reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(" ".join(reason.split()))
