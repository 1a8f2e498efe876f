"""The plain "not in the documents" answer, naming the closest documents."""

from __future__ import annotations

from assistant.models import Passage

NOT_FOUND = "The documents do not say."
OFF_TOPIC = (
    "I can only answer questions about the intergovernmental-relations documents, "
    "with citations from them."
)
_CLOSEST = 3


def refusal_text(passages: list[Passage], off_topic: bool = False) -> str:
    """A refusal that names up to three of the closest documents, with their dates."""
    if off_topic:
        return OFF_TOPIC
    seen: list[str] = []
    names: list[str] = []
    for p in passages:
        if p.doc_id in seen:
            continue
        seen.append(p.doc_id)
        names.append(f"“{p.title}”" + (f" ({p.date})" if p.date else ""))
        if len(names) == _CLOSEST:
            break
    if not names:
        return f"{NOT_FOUND} No indexed document matches the question."
    return f"{NOT_FOUND} The closest documents are " + "; ".join(names) + "."


def unanswered_text(parts: list[str]) -> str:
    """The line saying which parts of a multi-part question the documents do not answer."""
    asked = "; ".join(f"“{p.strip().rstrip('?')}?”" for p in parts)
    return f"{NOT_FOUND.rstrip('.')} for: {asked}"
