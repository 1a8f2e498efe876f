"""Every kind of bad input becomes an UnreadableFile with a clear one-line reason."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.errors import UnreadableFile
from ingest.loaders import load_document
from ingest.models import SourceFile
from ingest.settings import SAMPLES_DIR, Settings

SAMPLE_PDF = SAMPLES_DIR / "dispute-resolution-in-igr.pdf"


def _source(path: Path) -> SourceFile:
    return SourceFile(path=path, root=path.parent, doc_id=path.stem)


def _reason(path: Path, settings: Settings | None = None) -> str:
    with pytest.raises(UnreadableFile) as info:
        load_document(_source(path), settings or Settings())
    reason = str(info.value)
    assert reason and "\n" not in reason and len(reason) < 200
    return reason


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["empty.txt", "empty.md", "empty.html", "empty.pdf", "empty.docx"])
def test_empty_file(tmp_path, name):
    assert _reason(_write(tmp_path, name, b"")) == "empty file"


def test_whitespace_only_file(tmp_path):
    assert _reason(_write(tmp_path, "blank.txt", b" \n\n\t \r\n")) == "empty file"


def test_header_only_file_has_no_text(tmp_path):
    data = b"Title: Only a header\nDate: 2024\n---\n\n"
    assert "no text" in _reason(_write(tmp_path, "header-only.txt", data))


def test_binary_junk_with_nul_bytes(tmp_path):
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4000)) + b"\x00\x00"
    assert "binary" in _reason(_write(tmp_path, "junk.txt", data))
    assert "binary" in _reason(_write(tmp_path, "junk.html", data))


def test_control_characters_are_not_text(tmp_path):
    data = bytes(range(1, 9)) * 300 + b"some words"
    assert "binary" in _reason(_write(tmp_path, "controls.md", data))


def test_invalid_utf8_garbage_is_refused(tmp_path):
    rng = random.Random(11)
    data = bytes(rng.randrange(128, 256) for _ in range(3000))
    assert "not text" in _reason(_write(tmp_path, "garbage.txt", data))


def test_latin1_and_cp1252_prose_loads(tmp_path):
    prose = "The Senedd’s committee met in Café Niño – a résumé was agreed. "
    cp1252 = _write(tmp_path, "cp1252.txt", (prose * 20).encode("cp1252"))
    doc = load_document(_source(cp1252), Settings())
    assert "Senedd’s committee met in Café" in doc.text
    latin1 = _write(tmp_path, "latin1.txt", ("Na\u00efve caf\u00e9 prose. " * 40).encode("latin-1"))
    assert "Na\u00efve caf\u00e9 prose." in load_document(_source(latin1), Settings()).text


def test_utf8_bom_and_utf16_load(tmp_path):
    text = "Title: Bom test\nDate: 2024\n---\nA body sentence.\n"
    doc = load_document(_source(_write(tmp_path, "bom.txt", text.encode("utf-8-sig"))), Settings())
    assert doc.meta.title == "Bom test" and doc.text == "A body sentence."
    doc = load_document(_source(_write(tmp_path, "u16.txt", text.encode("utf-16"))), Settings())
    assert doc.meta.title == "Bom test"


def test_truncated_pdf(tmp_path):
    data = SAMPLE_PDF.read_bytes()
    assert "truncated" in _reason(_write(tmp_path, "half.pdf", data[: len(data) // 2]))


def test_damaged_pdf_with_end_marker(tmp_path):
    data = SAMPLE_PDF.read_bytes()
    damaged = data[:400] + b"garbage" * 50 + data[-60:]
    reason = _reason(_write(tmp_path, "damaged.pdf", damaged))
    assert "PDF" in reason


def test_not_a_pdf(tmp_path):
    assert "not a PDF" in _reason(_write(tmp_path, "fake.pdf", b"Just some text, not a PDF.\n"))


def test_encrypted_pdf(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(SAMPLE_PDF))
    writer.encrypt(user_password="secret", owner_password="owner-secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "encrypted" in _reason(_write(tmp_path, "locked.pdf", buffer.getvalue()))


def test_pdf_encrypted_with_empty_user_password_loads(tmp_path):
    writer = PdfWriter(clone_from=PdfReader(SAMPLE_PDF))
    writer.encrypt(user_password="", owner_password="owner-secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    path = _write(tmp_path, "owner-only.pdf", buffer.getvalue())
    doc = load_document(_source(path), Settings())
    assert doc.meta.pages == 3 and "independent third-party advice" in doc.text


def test_pdf_without_text(tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "no extractable text" in _reason(_write(tmp_path, "blank.pdf", buffer.getvalue()))


def test_corrupt_docx(tmp_path):
    assert "docx" in _reason(_write(tmp_path, "broken.docx", b"PK\x03\x04 not really a zip"))


def test_file_over_size_limit(tmp_path):
    path = _write(tmp_path, "big.txt", b"A sentence of prose. " * 200)
    assert _reason(path, Settings(max_file_mb=0.001)).startswith("file too large")


def test_unsupported_extension(tmp_path):
    path = _write(tmp_path, "table.xlsx", b"PK")
    assert _reason(path).startswith("unsupported file type .xlsx")


def test_vanished_path_and_broken_symlink(tmp_path):
    path = _write(tmp_path, "gone.txt", b"Soon gone.")
    source = _source(path)
    path.unlink()
    with pytest.raises(UnreadableFile, match="not found"):
        load_document(source, Settings())
    link = tmp_path / "dangling.md"
    os.symlink(tmp_path / "missing-target.md", link)
    assert "not found" in _reason(link)


def test_directory_with_a_document_extension(tmp_path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert "directory" in _reason(folder)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path):
    path = _write(tmp_path, "private.txt", b"Private prose.")
    path.chmod(0)
    try:
        assert "permission denied" in _reason(path)
    finally:
        path.chmod(0o644)
