"""Bytes to text for text-like files, refusing binary junk with a clear reason."""

from __future__ import annotations

import re

from ingest.errors import UnreadableFile

_PLAIN = re.compile(r"[A-Za-z0-9\s.,;:'\"!?()\-–—‘’“”£$€%&/@#*+=\[\]]")


def _printable_ratio(text: str) -> float:
    if not text:
        return 0.0
    ok = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t\f")
    return ok / len(text)


def looks_like_prose(text: str) -> bool:
    """Mostly ASCII letters, digits, spaces and punctuation, with hardly any control
    characters: true of Western prose in a legacy 8-bit encoding, false of random bytes."""
    sample = text[:20000]
    if not sample:
        return False
    controls = sum(1 for ch in sample if not ch.isprintable() and ch not in "\n\r\t\f")
    return len(_PLAIN.findall(sample)) / len(sample) >= 0.75 and controls / len(sample) < 0.01


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/latin-1 prose."""
    if not data.strip():
        raise UnreadableFile("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile("invalid UTF-16 text") from exc
    elif b"\x00" in data:
        raise UnreadableFile("binary content (NUL bytes) in a text file")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = ""
            for encoding in ("cp1252", "latin-1"):
                try:
                    candidate = data.decode(encoding)
                except UnicodeDecodeError:
                    continue
                if looks_like_prose(candidate):
                    text = candidate
                    break
            if not text:
                raise UnreadableFile(
                    "not text: invalid UTF-8 and not readable as cp1252/latin-1 prose"
                ) from None
    if _printable_ratio(text[:20000]) < 0.95:
        raise UnreadableFile("binary content: mostly non-printable characters")
    if not text.strip():
        raise UnreadableFile("empty file (whitespace only)")
    return text
