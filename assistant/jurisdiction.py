"""Where an answer applies: the union of its citations' jurisdictions, and a plain word
when the question names a nation the evidence does not concern."""

from __future__ import annotations

from assistant.models import AnswerResult, Passage
from assistant.refusal import refusal_text
from ingest.jurisdiction import CODES, labels, named_jurisdictions


def _names(codes: set[str]) -> str:
    """"Scotland", "Scotland and Wales", "England, Scotland and Wales"."""
    names = labels([c for c in CODES if c in codes])
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def mismatch_note(asked: set[str], cited: set[str]) -> str:
    """The one line saying that the sources concern somewhere else."""
    return f"Note: the sources cited concern {_names(cited)}, not {_names(asked)}."


def mismatch_refusal(asked: set[str], found: set[str], passages: list[Passage]) -> str:
    """A refusal saying nothing found concerns the asked jurisdiction, naming what it does."""
    line = f"Nothing found concerns {_names(asked)}"
    line += f"; the passages found concern {_names(found)}." if found else "."
    return f"{refusal_text(passages)} {line}"


def check_jurisdiction(
    question: str, result: AnswerResult, passages: list[Passage]
) -> AnswerResult:
    """Set `result.jurisdictions` (the citations' union); when the question names a nation
    (or a country outside the UK) and every cited chunk is tagged and concerns neither it
    nor the whole UK, add a one-line note, or refuse when no passage read concerns it.

    Untagged citations are not taken as a mismatch: the tagger could not tell; nor is a quote
    that names the asked nation itself ("Northern Ireland was represented by ...") in a
    chunk tagged as about others.
    """
    cited = {c for citation in result.citations for c in citation.jurisdictions}
    result.jurisdictions = [c for c in CODES if c in cited]
    asked = set(named_jurisdictions(question)) - {"uk"}
    if result.refused or not asked or not result.citations:
        return result
    if any(not citation.jurisdictions for citation in result.citations):
        return result
    if cited & (asked | {"uk"}):
        return result
    if any(asked & set(named_jurisdictions(c.quote)) for c in result.citations):
        return result  # the quote itself names it, whatever the rest of its chunk is about
    if any(set(p.jurisdictions) & (asked | {"uk"}) for p in passages):
        result.answer = f"{result.answer}\n\n{mismatch_note(asked, cited)}"
        return result
    found = {c for p in passages for c in p.jurisdictions}
    return result.model_copy(update={
        "answer": mismatch_refusal(asked, found, passages),
        "refused": True,
        "citations": [],
        "jurisdictions": [],
    })
