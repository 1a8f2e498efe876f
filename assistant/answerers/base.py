"""The one interface every answerer implements, and the registry that finds them."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import entry_points
from typing import ClassVar, Protocol, runtime_checkable

from assistant.models import ChatMessage, Draft, Passage

ENTRY_POINT_GROUP = "igr.answerers"


@runtime_checkable
class Answerer(Protocol):
    """Turns a question and numbered passages into a draft with [n] citation markers.

    Implementations are constructed as ``cls(settings, embeddings)`` and registered under
    the ``igr.answerers`` entry-point group; the default is chosen by ``IGR_ANSWERER``.
    """

    name: ClassVar[str]
    streams: ClassVar[bool]
    """True: the Assistant reads `stream` and passes text on as it comes; False: it calls
    `answer` (a fast answerer: the verified answer is sent in one piece)."""

    def answer(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Draft: ...

    def stream(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Iterator[str]:
        """Yield the draft text as it is produced (may be one piece)."""
        ...


class UnknownAnswerer(ValueError):
    pass


class AnswererUnavailable(RuntimeError):
    """The answerer's backend (LLM server, model file, optional extra) cannot be used now.

    The message is one line, fit to show a user (the API answers 503 with it)."""


def available_answerers() -> dict[str, type]:
    """Every registered answerer class, by name."""
    return {ep.name: ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_answerer(name: str) -> type:
    """The answerer class registered as `name`."""
    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        known = ", ".join(sorted(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)))
        raise UnknownAnswerer(f"unknown answerer {name!r}; registered: {known}")
    return next(iter(found)).load()
