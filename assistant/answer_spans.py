"""Where, inside each cited quote, the answer itself is: "Neil Gray" in a line about a chair.

For questions asking for a person, date, number or place, the span of that kind which the
question does not already contain is marked as `answer_span` (offsets into the quote), so
the page and the CLI can highlight it. When the quote holds several ("set up under the Act
1999, and first elected in May 2000"), the one attached nearest to the question's own words
in the parse is taken.
"""

from __future__ import annotations

import re

from assistant.models import Citation
from assistant.nlp import TypedSpan, parse
from assistant.question import profile_question
from assistant.window_features import answer_spans
from vectorstore.tokenize import tokenize

_WORD = re.compile(r"\S+")


def _nearest(quote: str, spans: list[TypedSpan], question: str) -> TypedSpan:
    """The span closest to the question's words in the parse of the quote ("elected in May
    2000": the date hangs off "elected"), the nearest in words breaking ties."""
    terms = set(tokenize(question))
    doc = parse(quote)
    words = [(m.start(), set(tokenize(m.group(0)))) for m in _WORD.finditer(quote)]

    def in_tree(span: TypedSpan) -> float:
        token = next((t for t in doc if t.idx >= span.start), None)
        for depth, ancestor in enumerate(token.ancestors if token else [], start=1):
            if set(tokenize(ancestor.text)) & terms:
                return 1.0 / depth
        return 0.0

    def in_words(span: TypedSpan) -> float:
        at = sum(1 for start, _ in words if start < span.start)
        gaps = [abs(i - at) for i, (_, found) in enumerate(words) if found & terms]
        return 1.0 / (1 + min(gaps)) if gaps else 0.0

    return max(spans, key=lambda s: (in_tree(s), in_words(s), -s.start))


def mark_answer_spans(question: str, citations: list[Citation]) -> list[Citation]:
    """`citations` with `answer_span` set where the quote holds the kind of answer asked for."""
    profile = profile_question(question)
    out = []
    for citation in citations:
        spans = answer_spans(profile, citation.quote) or answer_spans(
            profile, citation.quote, weak=True
        )
        best = _nearest(citation.quote, spans, question) if spans else None
        span = [best.start, best.end] if best else None
        out.append(citation.model_copy(update={"answer_span": span}))
    return out
