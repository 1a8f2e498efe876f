"""What the generative answerers share: a draft is the model's completion, read for [n]
markers and the fixed refusal sentence; with no passages the model is not called."""

from __future__ import annotations

from typing import ClassVar

from assistant.models import ChatMessage, Draft, Passage
from assistant.prompts import to_draft


class GenerativeAnswerer:
    """Base of the LLM answerers; subclasses implement `complete` and `stream`."""

    streams: ClassVar[bool] = True  # the Assistant passes their text on as it comes

    def complete(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> str:
        raise NotImplementedError

    def answer(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Draft:
        if not passages:
            return Draft(text="", refused=True)
        return to_draft(self.complete(question, passages, history))
