"""Load one source file into a cleaned ``LoadedDocument`` (txt, md, html, pdf, docx)."""

from __future__ import annotations

from collections.abc import Callable

from ingest.assemble import read_bytes
from ingest.errors import UnreadableFile
from ingest.load_docx import load_docx
from ingest.load_html import load_html
from ingest.load_pdf import load_pdf
from ingest.load_plain import load_plain
from ingest.models import LoadedDocument, SourceFile
from ingest.settings import Settings

Loader = Callable[[SourceFile, bytes, Settings], LoadedDocument]
LOADERS: dict[str, Loader] = {
    ".txt": load_plain,
    ".md": load_plain,
    ".markdown": load_plain,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".docx": load_docx,
}


def load_document(
    source: SourceFile, settings: Settings, data: bytes | None = None
) -> LoadedDocument:
    """Read (unless ``data`` is given), decode, parse and clean one file; raises
    UnreadableFile with a one-line reason."""
    suffix = source.path.suffix.lower()
    if suffix not in LOADERS:
        raise UnreadableFile(f"unsupported file type {suffix or '(none)'}")
    if data is None:
        data = read_bytes(source.path, settings)
    elif not data.strip():
        raise UnreadableFile("empty file")
    return LOADERS[suffix](source, data, settings)
