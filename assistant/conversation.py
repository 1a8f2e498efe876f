"""Making a follow-up question standalone before retrieval, without an LLM.

"And who chaired it?" carries too little to retrieve with. When a question looks like a
follow-up (pronouns, ellipsis, a leading "and"), the previous user turn and the names and
numbers of the previous answer are carried into the retrieval query.
"""

from __future__ import annotations

import re

from assistant.models import ChatMessage

_FOLLOW_UP = re.compile(
    r"^\s*(and|but|so|also|then|what about|how about|what else)\b"
    r"|\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|him|his|her|"
    r"there|the other( one)?|the same|the latter|the former|that meeting|the meeting|"
    r"the report|the committee|the council|the group|the body|the deal|the act|the bill)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b(?:[A-Z][\w'’-]+|[A-Z]{2,})(?:\s+(?:of|for|and|the|on)?\s*[A-Z][\w'’-]+)*")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_MAX_CARRIED_CHARS = 400


def is_follow_up(question: str) -> bool:
    """Whether the question leans on earlier turns."""
    return bool(_FOLLOW_UP.search(question))


def standalone_question(question: str, history: list[ChatMessage]) -> str:
    """The retrieval query: the question, plus context carried from earlier turns if needed."""
    if not history or not is_follow_up(question):
        return question
    last_user = next((m.content for m in reversed(history) if m.role == "user"), "")
    last_answer = next((m.content for m in reversed(history) if m.role == "assistant"), "")
    carried = [last_user.strip()]
    answer_terms = _NAME.findall(last_answer) + _NUMBER.findall(last_answer)
    seen: set[str] = set()
    for term in answer_terms:
        key = term.lower()
        if key not in seen and key not in last_user.lower():
            seen.add(key)
            carried.append(term)
    context = " ".join(t for t in carried if t)[:_MAX_CARRIED_CHARS]
    return f"{question} ({context})" if context else question
