"""The ordered refusal gates before an answerer runs; each names its reason.

1. ``empty``: nothing is left of the question once instructions aimed at the assistant are
   removed;
2. ``off_topic``: the question's distinctive words occur in no indexed document;
3. ``unmet``: a specific the question names (a year, month, date, ordinal, nation or the
   name of a body) is in none of the retrieved passages, so whatever they say is about
   something else.

After them come the answerer (``no_answer`` when it finds nothing), the verifier
(``unsupported`` when it can support nothing the answerer drafted) and the jurisdiction check
(``jurisdiction``: the question names a nation and nothing read concerns it; see
`assistant.jurisdiction`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.conversation import refers_back
from assistant.evidence import off_topic, unmet_by_evidence
from assistant.models import Passage
from assistant.question import QuestionProfile
from ingest.settings import AnswerPolicy

EMPTY = "empty"
OFF_TOPIC = "off_topic"
UNMET = "unmet"
NO_ANSWER = "no_answer"
UNSUPPORTED = "unsupported"
JURISDICTION = "jurisdiction"  # nothing read concerns the nation asked about


@dataclass(frozen=True)
class Refusal:
    """Why a question is not answered: a reason code and what it concerns."""

    reason: str
    detail: str = ""

    @property
    def text(self) -> str:
        return f"{self.reason}: {self.detail}" if self.detail else self.reason


def question_gate(clean: str) -> Refusal | None:
    """Gate 1: the question has something left to answer."""
    return None if clean.strip() else Refusal(EMPTY)


def unmet_specifics(
    profile: QuestionProfile, passages: list[Passage], policy: AnswerPolicy
) -> list[str]:
    """The question's specifics of the kinds in `policy.unmet_kinds` no passage meets."""
    return sorted(k for k in unmet_by_evidence(profile, passages)
                  if k.split(":", 1)[0] in policy.unmet_kinds)


def unmet_parts(
    parts: Sequence[QuestionProfile], passages: list[Passage], policy: AnswerPolicy
) -> list[bool]:
    """For each part of a question, whether it misses a specific (`unmet_specifics`); a
    part pointing back ("and who hosted it?") misses what the part before it misses."""
    out: list[bool] = []
    for n, part in enumerate(parts):
        missed = bool(unmet_specifics(part, passages, policy))
        out.append(missed or (n > 0 and out[-1] and refers_back(part.text)))
    return out


def evidence_gate(
    profile: QuestionProfile,
    terms: list[str],
    unknown_terms: list[str],
    passages: list[Passage],
    policy: AnswerPolicy,
    parts: Sequence[QuestionProfile] = (),
) -> Refusal | None:
    """Gates 2 and 3: the corpus knows the question's words (`policy.off_topic_share`), and
    the passages meet its specifics of the kinds in `policy.unmet_kinds` (e.g. year, ord).
    A question of several `parts` is refused only when every part misses one (the others
    are answered, and the parts left out said to be unanswered)."""
    if not passages or off_topic(terms, unknown_terms, policy.off_topic_share):
        return Refusal(OFF_TOPIC)
    unmet = unmet_specifics(profile, passages, policy)
    if unmet and len(parts) > 1 and not all(unmet_parts(parts, passages, policy)):
        return None
    if unmet:
        return Refusal(UNMET, ", ".join(k.replace(":", " ") for k in unmet))
    return None
