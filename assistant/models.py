"""Typed contracts of the answer stage: requests, passages, citations and the answer JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ingest.jurisdiction import JurisdictionCode, JurisdictionList, parse_codes


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
    date_from: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    date_to: str | None = Field(None, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    jurisdiction: list[JurisdictionCode] | None = Field(
        None,
        description="keep passages about any of these (UK-wide, England, Scotland, Wales, "
        "Northern Ireland, outside the UK); names such as 'Northern Ireland' are accepted too",
    )

    @field_validator("jurisdiction", mode="before")
    @classmethod
    def _known_jurisdictions(cls, value: object) -> object:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
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
    jurisdictions: list[JurisdictionCode] = Field(
        default_factory=list, description="codes of the jurisdictions the cited chunk concerns"
    )
    acting: str | None = Field(None, description="the government or body the chunk is about")


class RetrievedItem(BaseModel):
    """A retrieved chunk as reported in the answer JSON."""

    chunk_id: str
    doc_id: str
    title: str
    page: int | None = None
    score: float
    text: str
    jurisdictions: list[JurisdictionCode] = Field(default_factory=list)


class Timings(BaseModel):
    retrieve: float = 0.0
    answer: float = 0.0
    total: float = 0.0


class AnswerResult(BaseModel):
    """The answer JSON shared by the CLI, the API and the evals."""

    id: str | None = None
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    retrieved: list[RetrievedItem] = Field(default_factory=list)
    jurisdictions: list[JurisdictionCode] = Field(
        default_factory=list, description="the union of the citations' jurisdictions"
    )
    answerer: str
    timings_ms: Timings = Field(default_factory=Timings)


class Draft(BaseModel):
    """What an answerer returns before verification: text with [n] markers into the passages."""

    text: str
    refused: bool = False
