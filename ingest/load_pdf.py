"""Load .pdf with pypdf: pages kept apart (``page_starts``), furniture stripped, lines joined.

Bounded while reading: the page count is checked before any page is read
(``max_pdf_pages``), text is extracted page by page until ``max_document_chars``, and
pypdf's own decompression limits turn a stream bomb into a one-line reason.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO

from ingest.assemble import build
from ingest.budget import check_budget
from ingest.cleaning import join_pdf_lines, normalise_whitespace, strip_markup, strip_page_furniture
from ingest.errors import UnreadableFile
from ingest.models import LoadedDocument, SourceFile
from ingest.settings import Settings

PAGE_SEPARATOR = "\n\n"
_BAD_TITLE = re.compile(
    r"^(untitled|microsoft (word|powerpoint)|document\d*$|.*\.(docx?|pdf)$)", re.I
)


def _reader(data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip().startswith(b"%PDF-"):
        raise UnreadableFile("not a PDF file (missing %PDF- header)")
    if b"%%EOF" not in data[-2048:]:
        raise UnreadableFile("truncated or damaged PDF (no %%EOF marker at the end)")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except Exception as exc:
                raise UnreadableFile("encrypted PDF: cannot decrypt (password required)") from exc
            if not opened:
                raise UnreadableFile("encrypted PDF: a password is required")
        _ = len(reader.pages)
    except UnreadableFile:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise UnreadableFile(f"damaged PDF ({type(exc).__name__}: {exc})") from exc
    return reader


def _page_texts(reader, settings: Settings) -> list[str]:
    from pypdf.errors import LimitReachedError

    pages = len(reader.pages)
    if pages > settings.max_pdf_pages:
        raise UnreadableFile(f"PDF has {pages} pages > max_pdf_pages={settings.max_pdf_pages}")
    texts = []
    total = 0
    for number, page in enumerate(reader.pages, start=1):
        check_budget()
        try:
            text = page.extract_text() or ""
        except LimitReachedError as exc:
            reason = f"PDF page {number} decompresses past pypdf's safety limits ({exc})"
            raise UnreadableFile(reason) from exc
        except Exception as exc:  # pypdf raises assorted errors on damaged content streams
            reason = f"damaged PDF: page {number} unreadable ({type(exc).__name__})"
            raise UnreadableFile(reason) from exc
        total += len(text)
        if total > settings.max_document_chars:
            raise UnreadableFile(
                f"PDF text passes max_document_chars={settings.max_document_chars} "
                f"by page {number}"
            )
        texts.append(text)
    return texts


def load_pdf(source: SourceFile, data: bytes, settings: Settings) -> LoadedDocument:
    """Each page cleaned separately; pages joined with a blank line; offsets recorded."""
    reader = _reader(data)
    raw_pages = _page_texts(reader, settings)
    if not any(p.strip() for p in raw_pages):
        raise UnreadableFile("PDF has no extractable text (scanned images?)")
    pages, running_header = strip_page_furniture([normalise_whitespace(p) for p in raw_pages])
    vocabulary = set(re.findall(r"[\w-]+", "\n".join(pages).lower()))
    cleaned = [strip_markup(join_pdf_lines(p, vocabulary)) for p in pages]
    text_parts: list[str] = []
    page_starts: list[int] = []
    offset = 0
    for i, page in enumerate(cleaned):
        if i:
            text_parts.append(PAGE_SEPARATOR)
            offset += len(PAGE_SEPARATOR)
        page_starts.append(offset)
        text_parts.append(page)
        offset += len(page)
    text = "".join(text_parts)
    meta_title = ""
    try:
        meta_title = ((reader.metadata or {}).get("/Title") or "").strip()
    except Exception:  # damaged info dictionary: fall back to other title sources
        meta_title = ""
    title = meta_title if meta_title and not _BAD_TITLE.match(meta_title) else running_header
    author = None
    try:
        author = ((reader.metadata or {}).get("/Author") or "").strip() or None
    except Exception:
        author = None
    return build(source, text, title=title, publisher=author, page_starts=page_starts)
