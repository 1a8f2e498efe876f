"""Citations in the shapes OpenAI clients read: `url_citation` annotations on the message,
and an optional Markdown "Sources" footer for clients that only render text."""

from __future__ import annotations

from urllib.parse import quote

from assistant.claims import segment
from assistant.models import Citation

SOURCES_HEADING = "Sources:"


def citation_url(citation: Citation, base_url: str) -> str:
    """The original's web address when the document has one, else this server's entry for
    the document (`GET /documents/{doc_id}`), with the page as a fragment."""
    if citation.source and citation.source.startswith(("http://", "https://")):
        return citation.source
    url = f"{base_url.rstrip('/')}/documents/{quote(citation.doc_id, safe='/')}"
    return f"{url}#page={citation.page}" if citation.page else url


def annotations(answer: str, citations: list[Citation], base_url: str) -> list[dict]:
    """One `url_citation` per citation marker in `answer`, spanning the sentence it supports
    (from the sentence's first character to the end of the marker).

    Besides OpenAI's `url`, `title`, `start_index` and `end_index`, each carries this
    server's checkable fields: `n`, `doc_id`, `chunk_id`, `date`, `page`, `quote`.
    """
    by_n = {c.n: c for c in citations}
    found: list[dict] = []
    for sentence in segment(answer):
        for _, marker_end, numbers in sentence.markers:
            for n in numbers:
                c = by_n.get(n)
                if c is None:
                    continue
                found.append({
                    "type": "url_citation",
                    "url_citation": {
                        "url": citation_url(c, base_url),
                        "title": c.title,
                        "start_index": sentence.start,
                        "end_index": marker_end,
                        "n": c.n,
                        "doc_id": c.doc_id,
                        "chunk_id": c.chunk_id,
                        "publisher": c.publisher,
                        "date": c.date,
                        "page": c.page,
                        "quote": c.quote,
                    },
                })
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split())


def sources_footer(citations: list[Citation], base_url: str) -> str:
    """A Markdown numbered list, one line per citation: title (linked when the document is
    on the web), publisher, date, page, and the verbatim quote. Empty without citations."""
    if not citations:
        return ""
    lines = [f"\n\n{SOURCES_HEADING}\n"]
    for c in sorted(citations, key=lambda c: c.n):
        title = _one_line(c.title).replace("[", "(").replace("]", ")")
        if c.source and c.source.startswith(("http://", "https://")):
            title = f"[{title}]({citation_url(c, base_url)})"
        where = ", ".join(x for x in (c.publisher, c.date, f"p. {c.page}" if c.page else None) if x)
        lines.append(f"{c.n}. {title}" + (f" ({where})" if where else "")
                     + f": “{_one_line(c.quote)}”")
    return "\n".join(lines)
