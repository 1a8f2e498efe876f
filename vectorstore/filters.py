"""Metadata filters over chunks: one model, rendered as a Chroma `where` or checked in Python."""

from __future__ import annotations

import re

from pydantic import BaseModel, field_validator

from ingest.jurisdiction import CODES, parse_codes

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
DATE_KEY = "date_key"
JURISDICTION_FLAGS = {code: "jur_" + code.replace("-", "_") for code in CODES}
"""Per-jurisdiction boolean keys stored beside each chunk, so Chroma `where` can filter."""


def jurisdiction_flags(codes: str | None) -> dict[str, bool]:
    """`{"jur_scotland": True, ...}` for a chunk's comma-joined jurisdictions."""
    return {JURISDICTION_FLAGS[c]: True for c in parse_codes((codes or "").split(","))}


def date_key(date: str | None, upper: bool = False) -> int | None:
    """A sortable int YYYYMMDD for "YYYY", "YYYY-MM" or "YYYY-MM-DD" (unknown parts 00).

    With ``upper=True`` unknown parts become 99, so a "to" bound includes the whole period.
    Returns None for a missing or unparsable date.
    """
    if not date:
        return None
    m = _DATE.match(date.strip())
    if not m:
        return None
    filler = "99" if upper else "00"
    year, month, day = m.group(1), m.group(2) or filler, m.group(3) or filler
    return int(f"{year}{month}{day}")


class ChunkFilter(BaseModel):
    """Restrict retrieval to part of the corpus; fields are ANDed, None or [] restricts nothing.

    A date bound excludes chunks of undated documents. `jurisdictions` keeps chunks that
    concern any of them (codes or names: "scotland", "Northern Ireland", "uk-wide"); a
    UK-wide chunk matches "scotland" only if it is also tagged Scotland.
    """

    doc_types: list[str] | None = None
    publishers: list[str] | None = None
    doc_ids: list[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    jurisdictions: list[str] | None = None

    @field_validator("jurisdictions")
    @classmethod
    def _known_jurisdictions(cls, value: list[str] | None) -> list[str] | None:
        return parse_codes(value) if value else value

    @field_validator("date_from", "date_to")
    @classmethod
    def _valid_date(cls, value: str | None) -> str | None:
        if value is not None and not _DATE.match(value.strip()):
            raise ValueError("dates must be YYYY, YYYY-MM or YYYY-MM-DD")
        return value.strip() if value is not None else None

    def is_empty(self) -> bool:
        """True when the filter restricts nothing."""
        return self.to_where() is None

    def _clauses(self) -> list[dict]:
        clauses: list[dict] = []
        for key, values in (
            ("doc_type", self.doc_types),
            ("publisher", self.publishers),
            ("doc_id", self.doc_ids),
        ):
            if values:
                clauses.append({key: {"$in": list(values)}})
        low = date_key(self.date_from)
        high = date_key(self.date_to, upper=True)
        if low is not None:
            clauses.append({DATE_KEY: {"$gte": low}})
        if high is not None:
            clauses.append({DATE_KEY: {"$lte": high}})
        if self.jurisdictions:
            flags = [{JURISDICTION_FLAGS[c]: True} for c in self.jurisdictions]
            clauses.append(flags[0] if len(flags) == 1 else {"$or": flags})
        return clauses

    def to_where(self) -> dict | None:
        """The Chroma `where` clause, or None when nothing is filtered."""
        clauses = self._clauses()
        if not clauses:
            return None
        if len(clauses) == 1:
            return clauses[0]
        return {"$and": clauses}

    def matches(self, metadata: dict) -> bool:
        """The same predicate as `to_where`, evaluated on one chunk's metadata."""
        for key, values in (
            ("doc_type", self.doc_types),
            ("publisher", self.publishers),
            ("doc_id", self.doc_ids),
        ):
            if values and metadata.get(key) not in values:
                return False
        if self.jurisdictions and not any(
            metadata.get(JURISDICTION_FLAGS[c]) is True for c in self.jurisdictions
        ):
            return False
        low = date_key(self.date_from)
        high = date_key(self.date_to, upper=True)
        if low is None and high is None:
            return True
        key = metadata.get(DATE_KEY)
        if not isinstance(key, int) or isinstance(key, bool):
            return False
        return (low is None or key >= low) and (high is None or key <= high)
