"""The corpus header block (``Title:``/``Source:``/... ended by ``---``) and date inference."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel

HEADER_KEYS = {"title", "source", "publisher", "date", "type", "note", "jurisdiction"}
_KEY_LINE = re.compile(r"^([A-Za-z]+):[ \t]*(.*)$")
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"  # noqa: E501
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_RE}\.?,?\s+((?:19|20)\d\d)\b", re.I)
_MDY = re.compile(rf"\b{_MONTH_RE}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s+((?:19|20)\d\d)\b", re.I)
_MY = re.compile(rf"\b{_MONTH_RE}\s+((?:19|20)\d\d)\b", re.I)
_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)(?:-(\d\d))?\b")
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)\b")


class HeaderBlock(BaseModel):
    """The parsed header block; ``body_start`` is where the document text begins."""

    title: str | None = None
    source: str | None = None
    publisher: str | None = None
    date: str | None = None
    doc_type: str | None = None
    note: str | None = None
    jurisdiction: str | None = None
    body_start: int = 0


def parse_header(text: str) -> HeaderBlock | None:
    """Parse a leading header block; None when the text does not start with one.

    The corpus form is ``Title:`` ... ``---``; YAML-style front matter (``---`` then
    ``title:`` ... ``---``) with the same keys is accepted too.
    """
    fields: dict[str, str] = {}
    pos = 0
    lines = text.splitlines(keepends=True)
    front_matter = bool(lines) and lines[0].strip() == "---"
    for i, line in enumerate(lines):
        stripped = line.strip()
        pos += len(line)
        if i == 0 and front_matter:
            continue
        if i == 0 and not stripped.lower().startswith("title:"):
            return None
        if stripped == "---":
            if "title" not in fields:
                return None
            return HeaderBlock(
                title=fields.get("title") or None,
                source=fields.get("source") or None,
                publisher=fields.get("publisher") or None,
                date=normalise_date(fields.get("date")),
                doc_type=fields.get("type") or None,
                note=fields.get("note") or None,
                jurisdiction=fields.get("jurisdiction") or None,
                body_start=pos,
            )
        m = _KEY_LINE.match(stripped)
        if front_matter and stripped and not m:
            return None
        if not front_matter and (not m or m.group(1).lower() not in HEADER_KEYS):
            return None
        if i > 20:
            return None
        if m and m.group(1).lower() in HEADER_KEYS:
            fields[m.group(1).lower()] = m.group(2).strip().strip("\"'")
    return None


def _valid(y: int, m: int | None = None, d: int | None = None) -> str | None:
    try:
        if d is not None and m is not None:
            return date(y, m, d).isoformat()
        if m is not None:
            return f"{y:04d}-{m:02d}" if 1 <= m <= 12 else None
        return f"{y:04d}"
    except ValueError:
        return None


def normalise_date(value: str | None) -> str | None:
    """A header ``Date:`` value as YYYY-MM-DD / YYYY-MM / YYYY, or None (``unknown``)."""
    if not value:
        return None
    value = value.strip()
    if value.lower() in {"unknown", "n/a", "none", "undated", "?"}:
        return None
    if re.fullmatch(r"(19|20)\d\d", value):
        return value
    if m := re.fullmatch(r"((?:19|20)\d\d)-(\d\d)(?:-(\d\d))?", value):
        return _valid(int(m[1]), int(m[2]), int(m[3]) if m[3] else None)
    return find_date(value, window=len(value))


def _month(name: str) -> int:
    return _MONTHS[name.lower()[:3]]


def find_date(text: str, window: int = 600) -> str | None:
    """A date stated clearly near the top of ``text`` ("23 April 2024", "June 2026").

    Full dates win over month-year; among equals the earliest in the text wins.
    """
    head = text[:window]
    full: list[tuple[int, str | None]] = []
    full += [(m.start(), _valid(int(m[3]), _month(m[2]), int(m[1]))) for m in _DMY.finditer(head)]
    full += [(m.start(), _valid(int(m[3]), _month(m[1]), int(m[2]))) for m in _MDY.finditer(head)]
    full += [
        (m.start(), _valid(int(m[1]), int(m[2]), int(m[3]) if m[3] else None))
        for m in _ISO.finditer(head)
    ]
    for _, found in sorted((f for f in full if f[1]), key=lambda f: f[0]):
        return found
    for m in _MY.finditer(head):
        if found := _valid(int(m[2]), _month(m[1])):
            return found
    return None
