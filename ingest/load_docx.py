"""Load .docx with python-docx: headings, list items, paragraphs and table rows."""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from ingest.assemble import build
from ingest.cleaning import normalise_whitespace
from ingest.errors import UnreadableFile
from ingest.header import parse_header
from ingest.models import LoadedDocument, SourceFile


def _paragraph_line(style: str, text: str) -> str:
    m = re.match(r"heading (\d)", style.lower())
    if m:
        return "#" * int(m.group(1)) + " " + text
    if style.lower() == "title":
        return "# " + text
    if "list" in style.lower():
        return "- " + text
    return text


def load_docx(source: SourceFile, data: bytes) -> LoadedDocument:
    """Paragraphs in order (tables after them), header block honoured if present."""
    import docx

    try:
        document = docx.Document(BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"not a readable .docx file ({type(exc).__name__})") from exc
    except Exception as exc:  # python-docx raises assorted errors on corrupt packages
        raise UnreadableFile(f"not a readable .docx file ({type(exc).__name__})") from exc
    lines = []
    for para in document.paragraphs:
        text = " ".join(para.text.split())
        if text:
            lines.append(_paragraph_line(para.style.name if para.style else "", text))
    for table in document.tables:
        for row in table.rows:
            cells = [" ".join(c.text.split()) for c in row.cells]
            if any(cells):
                lines.append(" | ".join(cells))
    raw = normalise_whitespace("\n".join(lines))
    header = parse_header(raw)
    body = raw[header.body_start :].strip() if header else raw
    text = "\n\n".join(x for x in body.split("\n") if x.strip())
    props = document.core_properties
    if header:
        return build(
            source, text, title=header.title, date=header.date, source_url=header.source,
            publisher=header.publisher, doc_type=header.doc_type, infer_date=False,
            jurisdiction=header.jurisdiction,
        )
    return build(source, text, title=(props.title or "").strip() or None,
                 publisher=(props.author or "").strip() or None)
