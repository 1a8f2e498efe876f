"""A per-file time budget for ingesting (``Settings.ingest_file_seconds``).

The indexer runs each file's load-clean-chunk under ``time_budget``; the loops of those
stages call ``check_budget()``, which raises ``UnreadableFile`` once the budget is spent, so
a pathological file is skipped with a one-line reason instead of holding the run (or an
upload) for minutes. Outside a budget ``check_budget()`` does nothing (answer time).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ingest.errors import UnreadableFile

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("igr_ingest_deadline", default=None)


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Run the body with a deadline ``seconds`` from now (in this thread/context only)."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check_budget() -> None:
    """Raise UnreadableFile when the current budget is spent; no-op without one."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline[0]:
        raise UnreadableFile(
            f"took longer than ingest_file_seconds={deadline[1]:g} to read and split; skipped"
        )
