"""Quiz questions built from the corpus, each answerable from its cited quote.

Two kinds of question, both "fill the gap" in a verbatim quote:

- ``term``: a glossary definition with the term blanked out; the choices are other
  glossary terms.
- ``body``: a sentence whose subject is a government or legislature (from the jurisdiction
  gazetteer's roles) with that body blanked out; the choices are other bodies of the same
  role ("which government ...?").

Every question is checked with the citation `Verifier`: the quote with the right answer
put back must be supported by the cited chunk. Wrong choices never occur in the quote (so
the quote rules each out); among those tried, the ones the verifier finds least supported
are offered. The verifier is not used to reject wrong choices: it scores one government
put in place of another close to its threshold (0.57-0.60 against 0.58), so it cannot
tell them apart reliably. The verified questions form a pool built once per store
generation (`assistant.training`); a quiz draws from it.
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
from ingest.jurisdiction import JurisdictionCode, bodies_by_role, find_bodies, stored_codes
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

    id: str = Field(description="A stable id for this question.")
    kind: Literal["term", "body"] = Field(
        description="term: which term the quote defines; body: which government or body it "
        "names."
    )
    question: str = Field(description="The question as put to the learner.")
    passage: str = Field(description="the cited quote with the answer replaced by _____")
    options: list[str] = Field(description="The choices, the right one among them.")
    answer: str = Field(description="The right choice.")
    answer_index: int = Field(description="Its position in `options` (from 0).")
    citation: Citation = Field(description="the source; `quote` is the passage as written")
    jurisdictions: list[JurisdictionCode] = Field(
        default_factory=list, description="Where the quoted passage applies."
    )


class Quiz(BaseModel):
    """A quiz: the questions asked for (fewer when the corpus offers fewer)."""

    topic: str | None = Field(None, description="The topic asked for, if any.")
    seed: int = Field(description="The seed that drew these questions (same seed, same quiz).")
    items: list[QuizItem] = Field(description="The questions.")


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
                    jurisdictions=stored_codes(m.jurisdictions), acting=m.acting,
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
    """A "which government (or legislature)" gap question for each statement; the wrong
    choices are the other governments (or legislatures) the gazetteer knows."""
    by_role = {role: set(names) for role, names in bodies_by_role().items()}
    out = []
    for s in statements:
        passage = _blank(s.citation.quote, [s.surface])
        if passage is None:
            continue
        shown = s.body if s.body.lower() == s.surface.lower() else s.surface
        question = f"Which {s.role} fills the gap in this passage?"
        out.append(_Candidate("body", question, passage, shown, s.surface, s.citation,
                              sorted(by_role.get(s.role, set()) - {s.body})))
    return out


def _filled(passage: str, answer: str) -> str:
    return passage.replace(GAP, answer)


def _matches_topic(item: QuizItem, topic: str) -> bool:
    wanted = topic.lower()
    return any(wanted in text.lower() for text in (
        item.answer, item.citation.quote, item.citation.title))


def verified_pool(
    glossary: Glossary, statements: list[Statement], verifier: Verifier, *, options: int,
    limit: int,
) -> list[QuizItem]:
    """Every candidate question (up to `limit`, one per document first) that passes the
    verifier; choices unshuffled (the answer first). Built once per store generation."""
    rng = random.Random(0)
    candidates = _term_candidates(glossary) + _body_candidates(statements)
    rng.shuffle(candidates)
    firsts, rest, docs = [], [], set()
    for c in candidates:
        (rest if c.citation.doc_id in docs else firsts).append(c)
        docs.add(c.citation.doc_id)
    items: list[QuizItem] = []
    ordered = firsts + rest
    for at in range(0, len(ordered), _BATCH):
        batch = [(c, _choices(c, options, rng)) for c in ordered[at : at + _BATCH]]
        _prefetch(verifier, batch)
        for candidate, tries in batch:
            item = _verified_item(candidate, tries, verifier, options)
            if item is not None and len(items) < limit:
                items.append(item)
        if len(items) >= limit:
            break
    return items


def draw_quiz(pool: list[QuizItem], *, n: int, seed: int, topic: str | None = None) -> Quiz:
    """`n` questions from the verified pool (about `topic` when given), one per document
    while others remain, choices shuffled; the same seed gives the same quiz."""
    rng = random.Random(seed)
    items = [i for i in pool if not topic or _matches_topic(i, topic)]
    rng.shuffle(items)
    firsts, rest, docs = [], [], set()
    for item in items:
        (rest if item.citation.doc_id in docs else firsts).append(item)
        docs.add(item.citation.doc_id)
    chosen = []
    for item in (firsts + rest)[:n]:
        options = list(item.options)
        rng.shuffle(options)
        chosen.append(item.model_copy(update={
            "options": options, "answer_index": options.index(item.answer),
        }))
    return Quiz(topic=topic, seed=seed, items=chosen)


_BATCH = 32
_SPARE_CHOICES = 2
"""Wrong choices tried beyond those needed; the least supported are kept."""


def _choices(c: _Candidate, options: int, rng: random.Random) -> list[str]:
    """The wrong choices to try for a candidate (not ones its quote names)."""
    pool = [o for o in c.pool if o.lower() not in c.citation.quote.lower()]
    return rng.sample(pool, min(len(pool), options - 1 + _SPARE_CHOICES))


def _prefetch(verifier: Verifier, batch: list[tuple[_Candidate, list[str]]]) -> None:
    """Embed every text the verifier will read for a batch in one call: the verifier's
    encoder (the Assistant's `CachedEncoder`) then answers from its cache."""
    texts: list[str] = []
    for c, tries in batch:
        quote = c.citation.quote
        texts += [quote[a:b] for a, b in sentence_spans(quote)]
        texts += [_filled(c.passage, x) for x in tries]  # the right answer is verbatim
    if texts:
        verifier.embeddings.encode(list(dict.fromkeys(texts)))


def _verified_item(
    c: _Candidate, tries: list[str], verifier: Verifier, options: int
) -> QuizItem | None:
    """The question if the verifier finds the right answer supported by the quote (None
    otherwise). Wrong choices never occur in the quote, so the quote rules them out; of
    those tried, the ones the verifier finds least supported are offered."""
    source = [c.citation.quote]
    if len(tries) < options - 1:
        return None
    if not verifier.is_supported(_filled(c.passage, c.written), source):
        return None
    support = {other: verifier.support(_filled(c.passage, other), source) for other in tries}
    wrong = sorted(tries, key=lambda other: support[other])[: options - 1]
    choices = [c.answer, *wrong]
    return QuizItem(
        id=_item_id(c.kind, c.citation, c.answer), kind=c.kind,  # type: ignore[arg-type]
        question=c.question, passage=c.passage, options=choices, answer=c.answer,
        answer_index=choices.index(c.answer), citation=c.citation,
        jurisdictions=c.citation.jurisdictions,
    )
