"""`Assistant`: the one object the CLI, the API and the evals use to ingest, retrieve and answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from assistant.models import AnswerResult, ChatMessage, SearchFilters
from ingest.settings import Settings, get_settings
from vectorstore.models import DocumentInfo, IngestReport


class StreamEvent:
    """Placeholder until implemented: ("delta", text) pieces, then ("result", AnswerResult)."""


class Assistant:
    """Loads the model and the store once; thread-safe for concurrent `ask` calls."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        raise NotImplementedError

    def ask(
        self,
        question: str,
        history: list[ChatMessage] | None = None,
        filters: SearchFilters | None = None,
        k: int | None = None,
        id: str | None = None,
    ) -> AnswerResult:
        raise NotImplementedError

    def ask_stream(
        self,
        question: str,
        history: list[ChatMessage] | None = None,
        filters: SearchFilters | None = None,
        k: int | None = None,
    ) -> Iterator[tuple[str, object]]:
        """Yield ("delta", str) while the answer is produced, then ("result", AnswerResult)."""
        raise NotImplementedError

    def ingest(self, paths: list[Path] | None = None, prune: bool = False) -> IngestReport:
        raise NotImplementedError

    def documents(self) -> list[DocumentInfo]:
        raise NotImplementedError

    def remove_document(self, doc_id: str) -> bool:
        raise NotImplementedError

    def health(self) -> dict[str, object]:
        """{"store": bool, "model": bool, "documents": int}."""
        raise NotImplementedError
