"""Shared helpers of the loaders: reading bytes safely and assembling a LoadedDocument."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ingest.errors import UnreadableFile
from ingest.header import find_date
from ingest.jurisdiction import parse_codes
from ingest.models import DocumentMeta, LoadedDocument, SourceFile
from ingest.settings import Settings


def content_hash(text: str) -> str:
    """sha256 of the text lower-cased with whitespace collapsed."""
    return hashlib.sha256(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def title_from_name(path: Path) -> str:
    """A readable title from a file name: 'igr-annual-report' -> 'Igr annual report'."""
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    return (words[:1].upper() + words[1:]) or path.name


def first_heading(text: str) -> str | None:
    """The first markdown heading, else a short non-sentence first line."""
    for line in text.split("\n")[:40]:
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            if heading:
                return heading
    first = next((x.strip() for x in text.split("\n") if x.strip()), "")
    if 3 <= len(first) <= 150 and not re.search(r"[.!?:;,]$", first):
        return first
    return None


def read_bytes(path: Path, settings: Settings) -> bytes:
    """The file's bytes, or UnreadableFile (missing, unreadable, too large, empty)."""
    try:
        size = path.stat().st_size
        if size > settings.max_file_mb * 1024 * 1024:
            raise UnreadableFile(
                f"file too large: {size / 1048576:.1f} MB > max_file_mb={settings.max_file_mb:g}"
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UnreadableFile("file not found (moved, deleted or a broken link)") from exc
    except IsADirectoryError as exc:
        raise UnreadableFile("is a directory, not a file") from exc
    except PermissionError as exc:
        raise UnreadableFile("cannot read file: permission denied") from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise UnreadableFile("empty file")
    return data


def check_length(text: str, settings: Settings) -> str:
    """``text``, or UnreadableFile when it is longer than ``max_document_chars``."""
    if len(text) > settings.max_document_chars:
        raise UnreadableFile(
            f"{len(text)} characters of text > max_document_chars={settings.max_document_chars}"
        )
    return text


def build(
    source: SourceFile,
    text: str,
    *,
    title: str | None,
    date: str | None = None,
    source_url: str | None = None,
    publisher: str | None = None,
    doc_type: str | None = None,
    page_starts: list[int] | None = None,
    infer_date: bool = True,
    jurisdiction: str | None = None,
) -> LoadedDocument:
    """Assemble the LoadedDocument, inferring missing title (and date if ``infer_date``).

    ``jurisdiction`` is the header's ``Jurisdiction:`` value ("Scotland", "England and
    Wales", "UK-wide"); an unknown name makes the file unreadable, with the reason.
    """
    if not text.strip():
        raise UnreadableFile("no text left after cleaning")
    try:
        override = parse_codes(jurisdiction) or None
    except ValueError as exc:
        raise UnreadableFile(f"header Jurisdiction: {exc}") from None
    meta = DocumentMeta(
        doc_id=source.doc_id,
        path=str(source.path),
        title=title or first_heading(text) or title_from_name(source.path),
        source=source_url,
        publisher=publisher,
        date=date or (find_date(text) if infer_date else None),
        doc_type=doc_type,
        pages=len(page_starts) if page_starts is not None else None,
        jurisdiction=override,
    )
    return LoadedDocument(
        meta=meta, text=text, page_starts=page_starts, content_hash=content_hash(text)
    )
