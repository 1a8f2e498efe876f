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
from assistant.window_features import answer_spans, match_terms

_WORD = re.compile(r"\S+")


def _nearest(quote: str, spans: list[TypedSpan], question: str) -> TypedSpan:
    """The span closest to the question's words (stemmed: "election" meets "elected") in
    the parse of the quote, within its sentence ("elected in May 2000": the date hangs off
    "elected"; "with the Prime Minister in the chair": "chair" hangs off the span), the
    nearest in words breaking ties."""
    terms = match_terms(question)
    doc = parse(quote)
    words = [(m.start(), match_terms(m.group(0))) for m in _WORD.finditer(quote)]

    def in_tree(span: TypedSpan) -> float:
        piece = doc.char_span(span.start, span.end, alignment_mode="expand")
        if piece is None:
            return 0.0
        chain = [piece.root.i, *(a.i for a in piece.root.ancestors)]
        best = 0.0
        for token in piece.root.sent:
            if token.i in range(piece.start, piece.end) or not match_terms(token.text) & terms:
                continue
            other = [token.i, *(a.i for a in token.ancestors)]
            common = next((i for i in chain if i in other), None)
            if common is not None:  # edges from the span to the word, through their join
                best = max(best, 1.0 / (1 + chain.index(common) + other.index(common)))
        return best

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
