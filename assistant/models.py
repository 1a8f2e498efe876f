"""Typed contracts of the answer stage: requests, passages, citations and the answer JSON."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
