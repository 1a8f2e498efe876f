"""Text normalisation for matching answers, keywords and evidence against gold strings."""

from __future__ import annotations

import re
import string
import unicodedata

# A citation marker, with the source date some answerers print after it: "[2] (2024-09-27)".
_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\](?:\s*\(\d{4}(?:-\d{2}){0,2}\))?")
LEADING_MARKERS = re.compile(rf"^(?:{_MARKER.pattern})+")
_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
    }
)
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_PER_CENT = re.compile(r"\s*\b(?:per\s*cent|percent)\b")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9£$€%]+(?:[.,'][a-z0-9]+)*")
_ARTICLES = frozenset({"a", "an", "the"})


def doc_stem(doc_id: str) -> str:
    """The file stem of a doc_id: `web/igr-annual-report-2023` -> `igr-annual-report-2023`."""
    return doc_id.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def strip_markers(text: str) -> str:
    """Remove [n] / [1, 2] citation markers (and a source date printed right after one)."""
    return _MARKER.sub("", text).strip()


def markers(text: str) -> list[int]:
    """The citation numbers in `text`, in order of first appearance."""
    found: list[int] = []
    for m in _MARKER.finditer(text):
        for part in re.split(r"[,;]", m.group(1)):
            n = int(part)
            if n not in found:
                found.append(n)
    return found


def squash(text: str) -> str:
    """Collapse whitespace only (for verbatim checks)."""
    return _SPACE.sub(" ", text).strip()


def normalise(text: str) -> str:
    """Lower case, NFKC, straight quotes, ASCII dashes, '%' for 'per cent', '£ 6' -> '£6',
    one space between words."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _DASHES.sub("-", text)
    text = _PER_CENT.sub("%", text.lower())
    text = re.sub(r"([£$€])\s+(?=\d)", r"\1", text)
    text = re.sub(r"(?<=\d)\s+%", "%", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 7,864 -> 7864
    return squash(text)


def contains(haystack: str, needle: str) -> bool:
    """Whether `needle` occurs in `haystack` after `normalise` on both (case-insensitive)."""
    n = normalise(needle)
    return bool(n) and n in normalise(haystack)


def tokens(text: str) -> list[str]:
    """SQuAD-style tokens: normalised words without punctuation or articles."""
    text = normalise(strip_markers(text))
    text = "".join(" " if ch in string.punctuation and ch not in "%£$€.,'" else ch for ch in text)
    return [w for w in _WORD.findall(text) if w not in _ARTICLES]


def word_count(text: str) -> int:
    """Words in an answer, [n] markers not counted."""
    return len(strip_markers(text).split())
