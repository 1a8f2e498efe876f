"""Retrieval and cited answers over the indexed IGR corpus.

One `Assistant` serves the CLI, the API and the evals, and your own code::

    from assistant import Assistant

    result = Assistant().ask("What is the Barnett formula?")
    print(result.answer)          # sentences with [n] markers
    for c in result.citations:    # [n] is citations[n-1]: document, date, page, verbatim quote
        print(c.n, c.title, c.date, c.page, c.quote)

`Assistant.retriever()` gives the hybrid search as a LangChain retriever (a Runnable) for
your own chains. Names are imported on first use, so ``import assistant`` stays light.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.answerers.base import AnswererUnavailable
    from assistant.assistant import Assistant
    from assistant.models import AnswerResult, ChatMessage, Citation, RetrievedItem, SearchFilters
    from assistant.retrieval import HybridRetriever
    from ingest.settings import Settings
    from vectorstore.store import StoreError

__all__ = [
    "AnswerResult",
    "AnswererUnavailable",
    "Assistant",
    "ChatMessage",
    "Citation",
    "HybridRetriever",
    "RetrievedItem",
    "SearchFilters",
    "Settings",
    "StoreError",
    "__version__",
]

_WHERE = {
    "Assistant": "assistant.assistant",
    "AnswerResult": "assistant.models",
    "ChatMessage": "assistant.models",
    "Citation": "assistant.models",
    "RetrievedItem": "assistant.models",
    "SearchFilters": "assistant.models",
    "HybridRetriever": "assistant.retrieval",
    "AnswererUnavailable": "assistant.answerers.base",
    "Settings": "ingest.settings",
    "StoreError": "vectorstore.store",
}

try:
    __version__ = version("igr-assistant")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"


def __getattr__(name: str) -> object:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
