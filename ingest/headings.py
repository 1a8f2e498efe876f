"""Recognise section headings in cleaned text (one paragraph or item per line)."""

from __future__ import annotations

import re

_MD = re.compile(r"^#{1,6}\s+(\S.*)$")
_NUMBERED = re.compile(r"^(?:\(\d{1,2}[a-z]?\)|\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.|[IVX]{1,5}\.)\s+\S")
_KEY_VALUE = re.compile(r"^[^:]{1,40}: \S")
_TOC_ENTRY = re.compile(r"\s(\.{2,}\s*)?\d{1,3}$")
_MINOR_WORDS = "a an and as at but by for from in into of on or the to with vs via per nor"
_MINOR = frozenset(_MINOR_WORDS.split())


def _title_case(words: list[str]) -> bool:
    content = [w for w in words if w.lower() not in _MINOR and w[:1].isalpha()]
    if not content:
        return False
    capitalised = sum(1 for w in content if w[:1].isupper())
    return capitalised / len(content) >= 0.5


def _prose(line: str | None) -> bool:
    if not line:
        return False
    stripped = line.strip()
    return len(stripped) >= 80 or (bool(re.search(r"[.!?:;]$", stripped)) and len(stripped) > 40)


def heading_text(line: str, next_line: str | None = None, title: str | None = None) -> str | None:
    """The heading a line states, or None when the line is not a heading.

    Markdown ``#`` lines; numbered section lines ("(5a) ...", "2.1 ..."; not contents
    entries ending in a page number); and short lines without final punctuation that are
    title-case, repeat the document ``title``, or stand above a paragraph of prose.
    """
    stripped = line.strip()
    if not stripped or "\n" in stripped:
        return None
    if m := _MD.match(stripped):
        return m.group(1).strip().rstrip("#").strip() or None
    stripped = stripped.lstrip("•▪◦‣ ").strip()
    if len(stripped) > 100 or re.search(r"[.,;:!]$", stripped):
        return None
    words = stripped.split()
    if len(words) > 14 or not stripped[:1].isupper() and not stripped.startswith("("):
        return None
    if _NUMBERED.match(stripped):
        return None if _TOC_ENTRY.search(stripped) else stripped
    if len(words) > 10 or not stripped[:1].isupper():
        return None
    if _KEY_VALUE.match(stripped) and next_line and _KEY_VALUE.match(next_line.strip()):
        return None  # a run of "Key: value" lines is data, not headings
    if _title_case(words) or _prose(next_line):
        return stripped
    if title and " ".join(stripped.lower().split()) == " ".join(title.lower().split()):
        return stripped
    return None
