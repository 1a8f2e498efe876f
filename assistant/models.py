"""Typed contracts of the answer stage: requests, passages, citations and the answer JSON."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ingest.jurisdiction import JurisdictionCode, JurisdictionList, parse_codes

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

    role: Literal["user", "assistant"] = Field(description="Who said it.")
    content: str = Field(max_length=20_000, description="What was said.")


class SearchFilters(BaseModel):
    """Restrict retrieval to part of the corpus; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    doc_type: list[str] | None = Field(
        None,
        description="Only documents of these types: the `Type:` of each document's header, "
        "e.g. briefing, committee-report, communique, guidance, news, report, speech, other "
        "(GET /documents lists each document's type).",
    )
    publisher: list[str] | None = Field(None, description="Only documents from these publishers.")
    doc_ids: list[str] | None = Field(None, description="Only these documents (ids as listed by "
                                      "GET /documents).")
    date_from: str | None = Field(
        None, json_schema_extra={"pattern": DATE_PATTERN},
        description="Only documents dated on or after this (YYYY, YYYY-MM or YYYY-MM-DD).",
    )
    date_to: str | None = Field(
        None, json_schema_extra={"pattern": DATE_PATTERN},
        description="Only documents dated on or before this (YYYY, YYYY-MM or YYYY-MM-DD).",
    )

    @field_validator("date_from", "date_to")
    @classmethod
    def _calendar_date(cls, value: str | None) -> str | None:
        """A date with a real month and day ("2022-13-45" is refused, clearly)."""
        if value is not None and not _DATE.match(value):
            raise ValueError(f"{value[:40]!r} is not a date of the form YYYY, YYYY-MM or "
                             "YYYY-MM-DD with a real month and day")
        return value

    jurisdiction: list[JurisdictionCode] | None = Field(
        None,
        description="Only passages about any of these (UK-wide, England, Scotland, Wales, "
        "Northern Ireland, outside the UK); names such as 'Northern Ireland' are accepted too.",
    )

    @field_validator("jurisdiction", mode="before")
    @classmethod
    def _known_jurisdictions(cls, value: object) -> object:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            if any(not v.strip() for v in value):  # not silently read as no filter
                raise ValueError("a jurisdiction may not be blank")
            return parse_codes(value)
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
    jurisdictions: JurisdictionList = Field(default_factory=list)
    acting: str | None = None
    text: str
    score: float = 0.0


class Retrieval(BaseModel):
    """What retrieval hands the answerer: the standalone question it searched with, the
    question as typed with its shorthand spelled out ("NI Exec" -> "NI Executive", no
    subject carried in from the conversation), and the passages."""

    query: str
    passages: list[Passage]
    typed: str = ""


class Citation(BaseModel):
    """A checkable citation: `quote` is a verbatim substring of the cited chunk's text."""

    n: int = Field(description="The number used by the `[n]` markers of the answer.")
    doc_id: str = Field(description="The cited document (as listed by GET /documents).")
    title: str = Field(description="The document's title.")
    source: str | None = Field(None, description="Where the document came from (a web address "
                               "when known).")
    publisher: str | None = Field(None, description="Who published the document.")
    date: str | None = Field(None, description="The document's date (YYYY, YYYY-MM or "
                             "YYYY-MM-DD).")
    page: int | None = Field(None, description="The page, for paged formats (PDF).")
    chunk_id: str = Field(description="The cited chunk (see `retrieved`).")
    quote: str = Field(description="A verbatim passage of the chunk that supports the sentence.")
    answer_span: list[int] | None = Field(
        None, min_length=2, max_length=2,
        description="[start, end) offsets into `quote` of the part that answers the question "
        "(a name, date, number or place), when the question asks for one.",
    )
    jurisdictions: list[JurisdictionCode] = Field(
        default_factory=list, description="Codes of the jurisdictions the cited chunk concerns."
    )
    acting: str | None = Field(None, description="The government or body the chunk is about.")


class RetrievedItem(BaseModel):
    """A retrieved chunk as reported in the answer JSON."""

    chunk_id: str = Field(description="The chunk's id.")
    doc_id: str = Field(description="Its document.")
    title: str = Field(description="Its document's title.")
    page: int | None = Field(None, description="Its page, for paged formats (PDF).")
    score: float = Field(description="Fused retrieval score (higher is closer; 0 for chunks "
                         "read only as neighbours of a hit).")
    text: str = Field(description="The chunk's text.")
    jurisdictions: list[JurisdictionCode] = Field(
        default_factory=list, description="Codes of the jurisdictions the chunk concerns."
    )


class Timings(BaseModel):
    """Where the time went, in milliseconds."""

    retrieve: float = Field(0.0, description="Searching the store.")
    answer: float = Field(0.0, description="Answering and verifying.")
    total: float = Field(0.0, description="The whole question.")


class AnswerResult(BaseModel):
    """The answer JSON shared by the CLI, the API and the evals."""

    id: str | None = Field(None, description="An id for this answer (the request's, or new).")
    question: str = Field(description="The question as asked.")
    standalone_question: str | None = Field(
        None, description="A follow-up as answered: the conversation's subject written in, "
        "and the previous question's dates when it names none (absent when the question "
        "stands alone)."
    )
    answer: str = Field(description="The verified answer; `[n]` refers to `citations[n-1]`. "
                        "When refused, a plain statement naming the closest documents.")
    refused: bool = Field(description="True when the documents do not answer the question.")
    refusal_reason: str | None = Field(
        None,
        description="Why nothing was answered: empty, off_topic, unmet (a year, ordinal or "
        "name the documents lack, e.g. 'unmet: year 2024'), no_answer (nothing in them "
        "answers), unsupported (the verifier could not support the draft), jurisdiction "
        "(nothing read concerns the nation asked about).",
    )
    citations: list[Citation] = Field(default_factory=list, description="The sources of the "
                                      "answer, numbered as its `[n]` markers.")
    unsupported: list[str] = Field(default_factory=list, description="Sentences of the draft "
                                   "that their sources did not support, removed.")
    retrieved: list[RetrievedItem] = Field(default_factory=list, description="The top-k hits, "
                                           "then the other chunks the answerer read.")
    jurisdictions: list[JurisdictionCode] = Field(
        default_factory=list, description="Where the answer applies: the union of the "
        "citations' jurisdictions."
    )
    answerer: str = Field(description="The answerer used (IGR_ANSWERER).")
    timings_ms: Timings = Field(default_factory=Timings, description="Where the time went.")


class Draft(BaseModel):
    """What an answerer returns before verification: text with [n] markers into the passages,
    and the parts of a multi-part question it found no answer to."""

    text: str
    refused: bool = False
    unanswered: list[str] = Field(default_factory=list)
