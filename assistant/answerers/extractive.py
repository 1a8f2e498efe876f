"""The default, offline answerer: a few verbatim sentences from the sources, each cited.

Candidate sentences from the passages are scored by embedding similarity to the question,
overlap with the question's words that are not merely the document's topic (its title),
whether they fill the kind of answer asked for with something new (a number for "how
many", a date for "when", a name for "who"), and whether their passage meets the
question's specifics. A multi-part question gets a sentence per part. Years and ordinals
the question names must be met by the chosen sentences or their documents' metadata, or
the answerer declines. The result is ordered as in the sources and capped at the word
budget.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar

import numpy as np

from assistant.evidence import constraint_terms_in, constraints, is_met, missing_constraints
from assistant.models import ChatMessage, Draft, Passage
from assistant.question import (
    QuestionProfile,
    answer_slot,
    counted_noun,
    profile_question,
    question_parts,
)
from assistant.safety import looks_like_injection
from ingest.sentences import sentence_spans
from ingest.settings import Settings
from vectorstore.tokenize import tokenize

_MIN_WORDS = 5
_REDUNDANT = 0.88
# The least "answer slot" a sentence must fill to answer a question of each kind.
_MIN_SLOT = {"number": 0.6, "date": 0.7, "person": 0.3, "place": 1.0}
# Below both, the best sentence shares neither meaning nor words with the question.
_OFF_TOPIC_SIM = 0.3
# A sentence this close to the question's words may answer "how many people" with a bare
# number ("1,035 were polled in Scotland").
_STRONG_OVERLAP = 0.3
# The lead answer sentence must score at least this share of the best-matching sentence.
_LEAD_FLOOR = 0.75
_OFF_TOPIC_OVERLAP = 0.15
_REFERENCE = re.compile(r"https?://|www\.|\bHL Paper\b|\bretrieved\b|^\W*[ivxlc]{1,6}\b", re.I)


@dataclass(eq=False)
class Candidate:
    """A quotable sentence, its neighbours in the passage, and its scores."""

    passage: Passage
    text: str
    position: int
    context: str
    terms: set[str] = field(default_factory=set)
    score: float = 0.0
    slot: float = 0.0
    similarity: float = 0.0
    overlap: float = 0.0

    @property
    def words(self) -> int:
        return len(self.text.split())


def _is_heading(text: str) -> bool:
    """Titles, headings and menu lines: no closing punctuation, mostly capitalised words."""
    if re.search(r"[.!:;)\"”’]$", text):
        return False
    words = text.split()
    capitalised = sum(w[:1].isupper() for w in words) / max(len(words), 1)
    return len(words) < 12 or capitalised > 0.5


def _quotable(text: str) -> bool:
    """A statement worth quoting: not a heading, question, reference-list entry or an
    instruction aimed at the assistant."""
    if len(text.split()) < _MIN_WORDS or text.rstrip().endswith("?"):
        return False
    return not (_is_heading(text) or _REFERENCE.search(text) or looks_like_injection(text))


@lru_cache(maxsize=20_000)
def _sentences(text: str) -> tuple[tuple[int, str, str, frozenset[str]], ...]:
    """(position, sentence, sentence with its neighbours, terms) of each quotable sentence;
    cached, since a chunk's text never changes."""
    spans = sentence_spans(text)
    found = []
    for i, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if not _quotable(sentence):
            continue
        before = text[spans[i - 1][0] : spans[i - 1][1]] if i else ""
        after = text[spans[i + 1][0] : spans[i + 1][1]] if i + 1 < len(spans) else ""
        found.append((i, sentence, f"{before} {sentence} {after}", frozenset(tokenize(sentence))))
    return tuple(found)


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every quotable sentence of the passages, with one sentence of context either side."""
    return [
        Candidate(passage=p, text=sentence, position=i, context=context, terms=set(terms))
        for p in passages
        for i, sentence, context, terms in _sentences(p.text)
    ]


def _date_gaps(profile: QuestionProfile, chosen: list[Candidate]) -> set[str]:
    """The question's years, months and dates that the chosen passages do not meet."""
    passages = [c.passage for c in chosen]
    missing = missing_constraints(profile, passages, [p.text for p in passages])
    return {k for k in missing if k.split(":")[0] in ("year", "month", "day")}


def _needed_slot(profile: QuestionProfile) -> float:
    """How fully a sentence must fill the answer asked for: "how many meetings" needs a
    number of meetings, not just any number."""
    if profile.kind == "number" and counted_noun(profile.text):
        return 1.0
    return _MIN_SLOT.get(profile.kind, 0.0)


def _term_weights(terms: set[str], pool: list[Candidate]) -> dict[str, float]:
    """Inverse sentence frequency of each question term within the candidates: a word
    that few candidate sentences share says more about which one answers."""
    n = len(pool)
    return {
        t: math.log(1.0 + n / (1 + sum(t in c.terms for c in pool))) for t in terms
    }


class ExtractiveAnswerer:
    """Selects and cites verbatim source sentences; never writes text of its own."""

    name: ClassVar[str] = "extractive"

    def __init__(self, settings: Settings, embeddings) -> None:
        self.settings = settings
        self.encoder = embeddings

    def answer(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Draft:
        chosen = self.select(question, passages)
        if not chosen:
            return Draft(text="", refused=True)
        return Draft(text=" ".join(f"{c.text} [{c.passage.n}]" for c in chosen))

    def stream(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Iterator[str]:
        draft = self.answer(question, passages, history)
        for piece in re.split(r"(?<=\])\s+", draft.text) if draft.text else []:
            yield piece + " "

    # --- selection -------------------------------------------------------------------

    def select(self, question: str, passages: list[Passage]) -> list[Candidate]:
        """The sentences that answer `question`, in reading order; [] when none does."""
        pool = candidates(passages)
        if not pool:
            return []
        profile = profile_question(question)
        budget = self._budget(profile)
        parts = question_parts(question)
        if len(parts) > 1:
            chosen = self._answer_each_part(parts, pool, budget)
            if not chosen:
                return []
            ranked = self._rank(question, profile, pool)
            self._add_close_runners_up(profile, ranked, chosen, budget)
            return sorted(chosen, key=lambda c: (c.passage.n, c.position))
        else:
            ranked = self._rank(question, profile, pool)
            lead = self._lead(profile, ranked)
            chosen = [lead] if lead else []
            if chosen:
                self._add_list_items(pool, chosen, budget)
        if not chosen:
            return []
        self._add_for_constraints(profile, ranked, chosen, budget)
        self._add_close_runners_up(profile, ranked, chosen, budget)
        if self._unmet_specifics(profile, chosen):
            return []
        return sorted(chosen, key=lambda c: (c.passage.n, c.position))

    @staticmethod
    def _lead(profile: QuestionProfile, ranked: list[Candidate]) -> Candidate | None:
        """The best sentence that fills the answer asked for, unless it is off topic; when
        the question names dates, from a passage that meets them if any does."""
        needed = _needed_slot(profile)
        filled = [
            c for c in ranked
            if c.slot >= needed or (c.slot >= _MIN_SLOT.get(profile.kind, 0.0)
                                    and c.overlap >= _STRONG_OVERLAP)
        ]
        dated = [c for c in filled if not _date_gaps(profile, [c])]
        lead = (dated or filled or [None])[0]
        if lead is None or lead.score < _LEAD_FLOOR * ranked[0].score:
            return None  # the sentences that match best do not hold the answer
        if lead.similarity < _OFF_TOPIC_SIM and lead.overlap < _OFF_TOPIC_OVERLAP:
            return None
        return lead

    def _budget(self, profile: QuestionProfile) -> int:
        limit = self.settings.max_answer_words
        many = profile.wants_many or profile.kind == "list" or len(question_parts(profile.text)) > 1
        return int(limit * 1.6) if many else limit

    def _rank(self, question: str, profile: QuestionProfile, pool: list[Candidate]
              ) -> list[Candidate]:
        """Score every candidate for `question` (sets `score` and `slot`), best first."""
        vectors = self.encoder.encode([question] + [c.text for c in pool])
        sims = vectors[1:] @ vectors[0]
        q_terms = set(tokenize(question))
        weight = _term_weights(q_terms, pool)
        fits: dict[str, float] = {}
        for cand, sim in zip(pool, sims, strict=True):
            p = cand.passage
            topic = set(tokenize(f"{p.title} {p.publisher or ''}"))
            focus = (q_terms - topic) or q_terms
            total = sum(weight[t] for t in focus)
            overlap = sum(weight[t] for t in focus & cand.terms) / total if total else 0.0
            if p.chunk_id not in fits:
                missing = missing_constraints(profile, [p], [p.text])
                total = len(constraints(profile))
                fits[p.chunk_id] = 1.0 - len(missing) / total if total else 1.0
            cand.slot = answer_slot(profile, cand.text)
            cand.similarity, cand.overlap = float(sim), overlap
            cand.score = (
                0.40 * float(sim)
                + 0.30 * overlap
                + 0.15 * cand.slot
                + 0.10 * fits[p.chunk_id]
                + 0.05 * constraint_terms_in(profile, cand.context)
            )
        return sorted(pool, key=lambda c: c.score, reverse=True)

    def _fits(self, chosen: list[Candidate], cand: Candidate, budget: int) -> bool:
        if cand in chosen or sum(c.words for c in chosen) + cand.words > budget:
            return False
        if not chosen:
            return True
        vectors = self.encoder.encode([cand.text] + [c.text for c in chosen])
        return float(np.max(vectors[1:] @ vectors[0])) < _REDUNDANT

    def _add_list_items(self, pool: list[Candidate], chosen: list[Candidate], budget: int
                        ) -> None:
        """A sentence that introduces a list ("... involve:") brings its items along."""
        lead = chosen[0]
        if not lead.text.rstrip().endswith(":"):
            return
        following = sorted(
            (c for c in pool if c.passage is lead.passage and c.position > lead.position),
            key=lambda c: c.position,
        )
        expected = lead.position + 1
        for item in following:
            if item.position != expected or not self._fits(chosen, item, budget):
                return
            chosen.append(item)
            expected += 1

    def _answer_each_part(self, parts: list[str], pool: list[Candidate], budget: int
                          ) -> list[Candidate]:
        """For "Who chaired X in 2019, and who in 2024?": the best sentence for each part,
        each scored against its own part (with its own years and months)."""
        chosen: list[Candidate] = []
        for part in parts:
            part_profile = profile_question(part)
            lead = self._lead(part_profile, self._rank(part, part_profile, pool))
            if lead is None or self._unmet_specifics(part_profile, [lead]):
                continue  # this part is not answered by the documents: leave it out
            if self._fits(chosen, lead, budget):
                chosen.append(lead)
        return chosen

    def _add_for_constraints(self, profile: QuestionProfile, ranked: list[Candidate],
                             chosen: list[Candidate], budget: int) -> None:
        """Add the best sentence for each year, ordinal or name still unmet, from the
        documents already cited (context for the answer, not a second answer)."""
        if not (profile.wants_many or profile.kind == "list"):
            docs = {c.passage.doc_id for c in chosen}
            ranked = [c for c in ranked if c.passage.doc_id in docs]
        for _ in range(3):
            missing = missing_constraints(profile, [c.passage for c in chosen],
                                          [c.context for c in chosen])
            if not missing:
                return
            extra = next(
                (c for c in ranked
                 if self._fits(chosen, c, budget)
                 and len(missing_constraints(profile, [c.passage], [c.context]) & missing)
                 < len(missing)
                 and c.score >= 0.6 * chosen[0].score),
                None,
            )
            if extra is None:
                return
            chosen.append(extra)

    def _add_close_runners_up(self, profile: QuestionProfile, ranked: list[Candidate],
                              chosen: list[Candidate], budget: int) -> None:
        """Lists and facts split over sentences: add runners-up scoring near the lead
        (for a single fact, only from the lead's own document)."""
        many = profile.wants_many or profile.kind == "list"
        threshold = 0.85 if many else 0.93
        lead = chosen[0]
        below = ranked[ranked.index(lead) + 1 :]
        for cand in below[:5]:
            if cand.score < threshold * lead.score:
                break
            same_doc = cand.passage.doc_id == lead.passage.doc_id
            if (many or same_doc) and cand.slot >= _needed_slot(profile) and self._fits(
                chosen, cand, budget
            ):
                chosen.append(cand)

    @staticmethod
    def _unmet_specifics(profile: QuestionProfile, chosen: list[Candidate]) -> bool:
        """Whether the chosen sentences miss a specific of the question: a year, month or
        date (in the sentences, their neighbours or their documents' metadata), an ordinal
        (in a sentence or its document's title), or a nation or named body (anywhere in
        their passages). Single capitalised names are left to the retrieval gate."""
        passages = [c.passage for c in chosen]
        wide = missing_constraints(profile, passages, [p.text for p in passages])
        if _date_gaps(profile, chosen) or any(k.startswith("phrase:") for k in wide):
            return True
        return any(
            not any(is_met(key, f"{c.text} {c.passage.title}") for c in chosen)
            for key in constraints(profile) if key.startswith("ord:")
        )
