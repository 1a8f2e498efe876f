"""Writers of hostile input files, shared by the tests and bench/hostile.py (our own text)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

LINE = "and the council met on item {i} again"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def unpunctuated_lines(n: int) -> str:
    """`n` lines that start lower-case and end without punctuation: the shape that made
    sentence splitting quadratic (every line continues the one before)."""
    return "".join(LINE.format(i=i) + "\n" for i in range(n))


def write_unpunctuated(path: Path, n: int) -> Path:
    path.write_text("Title: Unpunctuated notes\n---\n" + unpunctuated_lines(n), encoding="utf-8")
    return path


def _base_docx() -> bytes:
    import docx

    buffer = BytesIO()
    document = docx.Document()
    document.add_paragraph("A small note about ferry timetables.")
    document.save(buffer)
    return buffer.getvalue()


def write_docx_bomb(path: Path, paragraphs: int, text: str = "") -> Path:
    """A valid .docx whose main part holds `paragraphs` paragraphs (empty unless `text`):
    a few kilobytes on disk, tens of megabytes of XML once unpacked."""
    base = zipfile.ZipFile(BytesIO(_base_docx()))
    para = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" if text else "<w:p/>"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in base.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, base.read(info.filename))
                continue
            with out.open("word/document.xml", "w", force_zip64=True) as xml:
                xml.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                          f'<w:document xmlns:w="{_W}"><w:body>'.encode())
                block = (para * 10_000).encode()
                for _ in range(paragraphs // 10_000):
                    xml.write(block)
                xml.write((para * (paragraphs % 10_000)).encode())
                xml.write(b"</w:body></w:document>")
    return path


def write_declared_size_bomb(path: Path, declared_mb: int) -> Path:
    """A .docx whose zip directory declares a main part of `declared_mb` megabytes."""
    data = bytearray(_base_docx())
    with zipfile.ZipFile(BytesIO(bytes(data))) as package:
        info = package.getinfo("word/document.xml")
    size = (declared_mb * 1024 * 1024).to_bytes(4, "little")
    # The central directory entry: signature, then the uncompressed size at offset 24.
    name = info.filename.encode()
    at = data.find(b"PK\x01\x02", 0)
    while at != -1:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            data[at + 24 : at + 28] = size
            break
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path
