"""Load .txt and .md files: header block to metadata, body cleaned of boilerplate."""

from __future__ import annotations

from ingest.assemble import build, check_length, first_heading
from ingest.cleaning import clean_web_text, normalise_whitespace, strip_markup
from ingest.header import parse_header
from ingest.models import LoadedDocument, SourceFile
from ingest.settings import Settings
from ingest.textdecode import decode_text


def load_plain(source: SourceFile, data: bytes, settings: Settings) -> LoadedDocument:
    """.txt / .md: the header block becomes metadata; the body is cleaned of boilerplate."""
    raw = normalise_whitespace(check_length(decode_text(data), settings))
    header = parse_header(raw)
    body = raw[header.body_start :] if header else raw
    title = header.title if header else None
    text = clean_web_text(strip_markup(body), title=title or first_heading(body))
    if header is None:
        return build(source, text, title=None)
    return build(
        source,
        text,
        title=header.title,
        date=header.date,
        source_url=header.source,
        publisher=header.publisher,
        doc_type=header.doc_type,
        infer_date=False,  # "Date: unknown" stays unknown
        jurisdiction=header.jurisdiction,
    )
