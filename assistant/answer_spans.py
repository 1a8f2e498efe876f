"""Where, inside each cited quote, the answer itself is: "Neil Gray" in a line about a chair.

For questions asking for a person, date, number or place, the span of that kind which the
question does not already contain is marked as `answer_span` (offsets into the quote), so
the page and the CLI can highlight it.
"""

from __future__ import annotations

from assistant.models import Citation
from assistant.question import profile_question
from assistant.window_features import answer_spans


def mark_answer_spans(question: str, citations: list[Citation]) -> list[Citation]:
    """`citations` with `answer_span` set where the quote holds the kind of answer asked for."""
    profile = profile_question(question)
    out = []
    for citation in citations:
        spans = answer_spans(profile, citation.quote) or answer_spans(
            profile, citation.quote, weak=True
        )
        span = (spans[0].start, spans[0].end) if spans else None
        out.append(citation.model_copy(update={"answer_span": span}))
    return out
