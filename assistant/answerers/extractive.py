"""The default, offline answerer: verbatim windows of the sources, each cited.

Which windows answer is decided by the answer policy (`assistant.selection`): a logistic
model over named window features, with weights and thresholds fitted on the tune split and
kept in the settings. This class only turns the chosen windows into a draft: every unit of
every window is quoted as it stands and followed by its source number.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from assistant.claims import MARKER
from assistant.conversation import retrieval_query
from assistant.models import ChatMessage, Draft, Passage
from assistant.selection import AnswerSelector
from assistant.windows import Window
from ingest.settings import Settings


def quoted(windows: list[Window]) -> str:
    """The windows as a draft: each unit as it stands, followed by its source number; list
    items and "Label: value" lines keep their own lines (the verifier finds each verbatim)."""
    pieces = []
    for window in windows:
        lines = window.kind == "list" or any(u.item or u.label for u in window.units)
        joiner = "\n" if lines else " "
        pieces.append(joiner.join(f"{_unmarked(u.text)} [{window.passage.n}]"
                                  for u in window.units))
    return "\n\n".join(pieces)


def _unmarked(text: str) -> str:
    """A unit without the source's own footnote marks ("principles"[4] that"): in the draft
    they would read as citations of other sources. The verifier still finds the unit
    verbatim (it reads any text with such marks masked), and the citation quotes it whole."""
    if not MARKER.search(text):
        return text
    return re.sub(r"[ \t]{2,}", " ", MARKER.sub("", text)).strip()


class ExtractiveAnswerer:
    """Selects and cites verbatim source text; never writes text of its own."""

    name: ClassVar[str] = "extractive"
    streams: ClassVar[bool] = False

    def __init__(self, settings: Settings, embeddings) -> None:
        self.settings = settings
        self.selector = AnswerSelector(settings.answer, embeddings.encode)

    def answer(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Draft:
        context = retrieval_query(question, history) if history else ""
        chosen = self.selector.select(
            question, passages, self.settings.max_answer_words, context
        )
        if not chosen.windows:
            return Draft(text="", refused=True, unanswered=chosen.unanswered_parts)
        return Draft(text=quoted(chosen.windows), unanswered=chosen.unanswered_parts)

    def stream(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Iterator[str]:
        draft = self.answer(question, passages, history)
        if draft.text:
            yield draft.text
