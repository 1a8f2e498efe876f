"""Quiz questions built from the corpus, each answerable from its cited quote.

Two kinds of question, both "fill the gap" in a verbatim quote:

- ``term``: a glossary definition with the term blanked out; the choices are other
  glossary terms.
- ``body``: a sentence whose subject is a government or legislature (from the jurisdiction
  gazetteer's roles) with that body blanked out; the choices are other bodies of the same
  role ("which government ...?").

Every question is checked with the citation `Verifier`: the quote with the right answer
put back must be supported by the cited chunk, and the quote with each wrong choice put
back must not be, so exactly one choice fits the source.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from assistant.glossary import Glossary
from assistant.models import Citation
from assistant.verifier import Verifier
from ingest.jurisdiction import JurisdictionList, find_bodies
from ingest.sentences import sentence_spans
from vectorstore.models import StoredChunk

GAP = "_____"
_SUBJECT_WITHIN = 40
"""A body is a sentence's subject when named in its first this many characters."""


class Statement(BaseModel):
    """A sentence naming one government or legislature as its subject (a quiz source)."""

    body: str
    role: str
    surface: str = Field(description="the body as the sentence writes it")
    citation: Citation


class QuizItem(BaseModel):
    """One question: the quote with a gap, the choices, the answer and its source."""

    id: str
    kind: Literal["term", "body"]
    question: str
    passage: str = Field(description="the cited quote with the answer replaced by _____")
    options: list[str]
    answer: str
    answer_index: int
    citation: Citation = Field(description="the source; `quote` is the passage as written")
    jurisdictions: JurisdictionList = Field(default_factory=list)


class Quiz(BaseModel):
    """A quiz: the questions asked for (fewer when the corpus offers fewer)."""

    topic: str | None = None
    seed: int
    items: list[QuizItem]


def extract_statements(
    chunks: list[StoredChunk], min_words: int, max_words: int
) -> list[Statement]:
    """Sentences whose subject is one government or legislature (named once, near the
    start), each cited; used for "which government ...?" questions."""
    seen: set[str] = set()
    out: list[Statement] = []
    for chunk in sorted(chunks, key=lambda c: (c.metadata.doc_id, c.metadata.start)):
        for s, e in sentence_spans(chunk.text):
            sentence = chunk.text[s:e]
            if sentence in seen or not sentence.rstrip().endswith("."):
                continue
            if not min_words <= len(sentence.split()) <= max_words:
                continue
            bodies = find_bodies(sentence)
            if len({b.body for b in bodies}) != 1 or bodies[0].start > _SUBJECT_WITHIN:
                continue
            seen.add(sentence)
            m = chunk.metadata
            out.append(Statement(
                body=bodies[0].body, role=bodies[0].role,
                surface=sentence[bodies[0].start : bodies[0].end],
                citation=Citation(
                    n=1, doc_id=m.doc_id, title=m.title, source=m.source, publisher=m.publisher,
                    date=m.date, page=m.page, chunk_id=m.chunk_id, quote=sentence,
                    jurisdictions=m.jurisdictions, acting=m.acting,
                ),
            ))
    return out


def _blank(quote: str, names: list[str]) -> str | None:
    """`quote` with every occurrence of the names replaced by the gap; None if none occurs."""
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True) if n)
    if not pattern:
        return None
    blanked, count = re.subn(rf"(?<!\w)(?:{pattern})(?!\w)", GAP, quote, flags=re.I)
    return blanked if count else None


def _item_id(kind: str, citation: Citation, answer: str) -> str:
    return hashlib.sha1(f"{kind}\x1f{citation.chunk_id}\x1f{answer}".encode()).hexdigest()[:12]


@dataclass
class _Candidate:
    """A question before verification."""

    kind: str
    question: str
    passage: str
    answer: str
    written: str  # the answer as the quote writes it (what the verifier checks)
    citation: Citation
    pool: list[str]


def _term_candidates(glossary: Glossary) -> list[_Candidate]:
    """A gap question for each glossary entry whose definition names its term."""
    out = []
    terms = [e.term for e in glossary.entries]
    for entry in glossary.entries:
        passage = _blank(entry.definition, [entry.term, *entry.aliases])
        if passage is None or len(passage.replace(GAP, "").split()) < 5:
            continue
        others = [t for t in terms if t.lower() != entry.term.lower()]
        out.append(_Candidate("term", "Which term fills the gap in this passage?", passage,
                              entry.term, entry.term, entry.citation, others))
    return out


def _body_candidates(statements: list[Statement]) -> list[_Candidate]:
    """A "which government (or legislature)" gap question for each statement."""
    by_role: dict[str, set[str]] = {}
    for s in statements:
        by_role.setdefault(s.role, set()).add(s.body)
    out = []
    for s in statements:
        passage = _blank(s.citation.quote, [s.surface])
        if passage is None:
            continue
        shown = s.body if s.body.lower() == s.surface.lower() else s.surface
        question = f"Which {s.role} fills the gap in this passage?"
        out.append(_Candidate("body", question, passage, shown, s.surface, s.citation,
                              sorted(by_role[s.role] - {s.body})))
    return out


def _filled(passage: str, answer: str) -> str:
    return passage.replace(GAP, answer)


def _matches_topic(candidate: _Candidate, topic: str) -> bool:
    wanted = topic.lower()
    return any(wanted in text.lower() for text in (
        candidate.answer, candidate.citation.quote, candidate.citation.title))


def build_quiz(
    glossary: Glossary, statements: list[Statement], verifier: Verifier, *, n: int,
    options: int, seed: int, topic: str | None = None,
) -> Quiz:
    """Up to `n` verified questions (see the module docstring), at most one per document
    while others remain, in an order fixed by `seed`."""
    rng = random.Random(seed)
    candidates = _term_candidates(glossary) + _body_candidates(statements)
    if topic:
        candidates = [c for c in candidates if _matches_topic(c, topic)]
    rng.shuffle(candidates)
    # one question per document first, then the rest
    firsts, rest, docs = [], [], set()
    for c in candidates:
        (rest if c.citation.doc_id in docs else firsts).append(c)
        docs.add(c.citation.doc_id)
    items: list[QuizItem] = []
    for candidate in firsts + rest:
        if len(items) >= n:
            break
        item = _verified_item(candidate, verifier, options, rng)
        if item is not None:
            items.append(item)
    return Quiz(topic=topic, seed=seed, items=items)


def _verified_item(
    c: _Candidate, verifier: Verifier, options: int, rng: random.Random
) -> QuizItem | None:
    """The question if the verifier finds the right answer supported by the quote and
    enough wrong choices unsupported; None otherwise."""
    source = [c.citation.quote]
    if not verifier.is_supported(_filled(c.passage, c.written), source):
        return None
    wrong: list[str] = []
    for other in rng.sample(c.pool, len(c.pool)):
        if len(wrong) == options - 1:
            break
        if other.lower() in c.citation.quote.lower():
            continue  # named in the quote: it would fit the gap as well
        if not verifier.is_supported(_filled(c.passage, other), source):
            wrong.append(other)
    if len(wrong) < options - 1:
        return None
    choices = [c.answer, *wrong]
    rng.shuffle(choices)
    return QuizItem(
        id=_item_id(c.kind, c.citation, c.answer), kind=c.kind,  # type: ignore[arg-type]
        question=c.question, passage=c.passage, options=choices, answer=c.answer,
        answer_index=choices.index(c.answer), citation=c.citation,
        jurisdictions=c.citation.jurisdictions,
    )
