"""Typed contracts of the answer stage: requests, passages, citations and the answer JSON."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# YYYY, YYYY-MM or YYYY-MM-DD with a real month and a day that month can have (February up to
# 29: as a bound, 2023-02-29 sorts between the 28th and 1 March). The schema states exactly
# what is accepted, so schema-valid bounds are never refused.
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])(?:-(?:0[1-9]|[12]\d|3[01]))?"
    r"|(?:0[469]|11)(?:-(?:0[1-9]|[12]\d|30))?"
    r"|02(?:-(?:0[1-9]|[12]\d))?)"
)
DATE_PATTERN = rf"^\d{{4}}(?:-{_MONTH_DAY})?$"
_DATE = re.compile(DATE_PATTERN)


class ChatMessage(BaseModel):
    """One earlier turn of a conversation."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)


class SearchFilters(BaseModel):
    """Restrict retrieval to part of the corpus; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    doc_type: list[str] | None = None
    publisher: list[str] | None = None
    doc_ids: list[str] | None = None
    date_from: str | None = Field(None, json_schema_extra={"pattern": DATE_PATTERN},
                                  description="YYYY, YYYY-MM or YYYY-MM-DD")
    date_to: str | None = Field(None, json_schema_extra={"pattern": DATE_PATTERN},
                                description="YYYY, YYYY-MM or YYYY-MM-DD")

    @field_validator("date_from", "date_to")
    @classmethod
    def _calendar_date(cls, value: str | None) -> str | None:
        """A date with a real month and day ("2022-13-45" is refused, clearly)."""
        if value is not None and not _DATE.match(value):
            raise ValueError(f"{value[:40]!r} is not a date of the form YYYY, YYYY-MM or "
                             "YYYY-MM-DD with a real month and day")
        return value


class Passage(BaseModel):
    """A retrieved chunk as the answerers see it; `n` is its 1-based source number."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str | None = None
    publisher: str | None = None
    date: str | None = None
    doc_type: str | None = None
    page: int | None = None
    section: str | None = None
    text: str
    score: float = 0.0


class Retrieval(BaseModel):
    """What retrieval hands the answerer: the query it searched with and the passages."""

    query: str
    passages: list[Passage]


class Citation(BaseModel):
    """A checkable citation: `quote` is a verbatim substring of the cited chunk's text."""

    n: int
    doc_id: str
    title: str
    source: str | None = None
    publisher: str | None = None
    date: str | None = None
    page: int | None = None
    chunk_id: str
    quote: str
    answer_span: tuple[int, int] | None = Field(
        None,
        description="[start, end) offsets into `quote` of the part that answers the question "
        "(a name, date, number or place), when the question asks for one",
    )


class RetrievedItem(BaseModel):
    """A retrieved chunk as reported in the answer JSON."""

    chunk_id: str
    doc_id: str
    title: str
    page: int | None = None
    score: float
    text: str


class Timings(BaseModel):
    retrieve: float = 0.0
    answer: float = 0.0
    total: float = 0.0


class AnswerResult(BaseModel):
    """The answer JSON shared by the CLI, the API and the evals."""

    id: str | None = None
    question: str
    standalone_question: str | None = Field(
        None, description="the question as retrieved with: a follow-up's subject filled in"
    )
    answer: str
    refused: bool
    refusal_reason: str | None = Field(
        None,
        description="why nothing was answered: empty, off_topic, unmet (a year, ordinal or "
        "name the documents lack), no_answer (nothing in them answers), unsupported (the "
        "verifier could not support the draft)",
    )
    citations: list[Citation] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    retrieved: list[RetrievedItem] = Field(default_factory=list)
    answerer: str
    timings_ms: Timings = Field(default_factory=Timings)


class Draft(BaseModel):
    """What an answerer returns before verification: text with [n] markers into the passages,
    and the parts of a multi-part question it found no answer to."""

    text: str
    refused: bool = False
    unanswered: list[str] = Field(default_factory=list)
