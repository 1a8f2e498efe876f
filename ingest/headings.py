"""Recognise section headings in cleaned text (one paragraph or item per line)."""

from __future__ import annotations

import re

_MD = re.compile(r"^#{1,6}\s+(\S.*)$")
_NUMBERED = re.compile(r"^(?:\(\d{1,2}[a-z]?\)|\d{1,2}(?:\.\d{1,2})*\.?|[A-Z]\.|[IVX]{1,5}\.)\s+\S")
_TOC_ENTRY = re.compile(r"\s(\.{2,}\s*)?\d{1,3}$")
_MINOR_WORDS = "a an and as at but by for from in into of on or the to with vs via per nor"
_MINOR = frozenset(_MINOR_WORDS.split())


def _title_case(words: list[str]) -> bool:
    content = [w for w in words if w.lower() not in _MINOR and w[:1].isalpha()]
    if not content:
        return False
    capitalised = sum(1 for w in content if w[:1].isupper())
    return capitalised / len(content) >= 0.5


def heading_text(line: str) -> str | None:
    """The heading a line states, or None when the line is not a heading."""
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
    if len(words) <= 10 and stripped[:1].isupper() and _title_case(words):
        return stripped
    return None
