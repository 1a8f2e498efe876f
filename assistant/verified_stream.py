"""Stream an answer as verified sentences, numbered as the final answer numbers them.

An answerer's draft cites passages by their retrieval number (`[7]`); the verifier drops
unsupported sentences and renumbers the kept citations `[1]`, `[2]`, ... in order of first
use. Streaming the raw draft would show one numbering and finish with another, and show
sentences that are then taken back. So each delta is the newly verified part of the answer:
`Verifier.verify` judges each sentence on its own and numbers citations in reading order,
so verifying the draft up to its last complete sentence gives a prefix of the final answer.

A sentence is complete once the next one has begun (its citation markers may follow its full
stop); text after an unclosed bracket or tag is held back until it closes, so a half-written
`[1` or `<source` is never judged. Each new complete sentence re-verifies the draft so far,
so a draft of s sentences costs s verifications; drafts are bounded by IGR_LLM_MAX_TOKENS
(the extractive answerer's by IGR_MAX_ANSWER_WORDS) and the verifier caches embeddings, so
the sentences embedded are the same as for one verification.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from assistant.claims import segment
from assistant.models import Passage
from assistant.verifier import VerifiedAnswer, Verifier

_OPENERS = {"[": "]", "【": "】", "(": ")", "<": ">", "‹": "›"}
_HAS_WORD = re.compile(r"\w")


def _settled(text: str) -> str:
    """`text` up to its last unclosed bracket or tag (a marker or markup still arriving)."""
    cut = len(text)
    for opener, closer in _OPENERS.items():
        at = text.rfind(opener)
        if at >= 0 and text.find(closer, at) < 0:
            cut = min(cut, at)
    return text[:cut]


def _complete_end(draft: str) -> int:
    """Where the complete sentences of `draft` end (0 when none is complete yet)."""
    settled = _settled(draft)
    sentences = [s for s in segment(settled) if _HAS_WORD.search(s.claim)]
    if len(sentences) < 2:
        return 0
    return sentences[-2].end


class VerifiedStream:
    """Feed it the answerer's pieces; it yields the verified answer as it grows."""

    def __init__(
        self, verifier: Verifier, passages: list[Passage], max_words: int | None = None
    ) -> None:
        self.verifier = verifier
        self.passages = passages
        self.max_words = max_words
        self.draft = ""
        self.sent = ""
        self.verified: VerifiedAnswer | None = None
        self._verified_to = 0

    def deltas(self, pieces: Iterable[str]) -> Iterator[str]:
        """The new verified text after each piece; at the end, `verified` is the verdict on
        the whole draft (None when the draft is empty). Once the verified answer is full
        (`max_words`), no more pieces are read (the answerer's stream is closed): a model
        that rambles costs no more time than the answer it may give."""
        iterator = iter(pieces)
        for piece in iterator:
            self.draft += piece
            end = _complete_end(self.draft)
            if end > self._verified_to:
                self._verified_to = end
                verified = self.verifier.verify(self.draft[:end], self.passages, self.max_words)
                delta = self._advance(verified)
                if delta:
                    yield delta
                if verified.full:
                    self.draft = self.draft[:end]
                    getattr(iterator, "close", lambda: None)()
                    break
        draft = self.draft.strip()
        if not draft:
            return
        self.verified = self.verifier.verify(draft, self.passages, self.max_words)
        delta = self._advance(self.verified)
        if delta:
            yield delta

    def _advance(self, verified: VerifiedAnswer) -> str:
        """The part of `verified.answer` not streamed yet ('' if it does not extend it)."""
        answer = verified.answer
        if not answer.startswith(self.sent) or len(answer) <= len(self.sent):
            return ""
        delta = answer[len(self.sent):]
        self.sent = answer
        return delta
