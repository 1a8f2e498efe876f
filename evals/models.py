"""Typed outputs of the harness: one result per question and the report."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.models import Citation, RetrievedItem


class QuestionResult(BaseModel):
    """One question's answer and every metric that applies to it (results.jsonl line)."""

    id: str
    type: str
    question: str
    history_turns: int = 0
    gold_answer: str = ""
    sources: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    answer: str = ""
    refused: bool = False
    refusal_reason: str | None = None
    answerer: str = ""
    citations: list[Citation] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    retrieved_doc_ids: list[str] = Field(default_factory=list)
    retrieved: list[RetrievedItem] = Field(default_factory=list)
    latency_ms: float | None = None
    error: str | None = None
    metrics: dict[str, float | None] = Field(
        default_factory=dict, description="per-question value of each applicable metric"
    )
    parts: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="(numerator, denominator) behind each metric"
    )
    missing_keywords: list[str] = Field(default_factory=list)
    injection_findings: list[str] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list, description="why it counts as failed")


class MetricSummary(BaseModel):
    """An aggregate with its bootstrap 95% interval and the number of questions behind it."""

    value: float | None = None
    ci: tuple[float, float] | None = None
    n: int = 0


class HeadlineRow(BaseModel):
    key: str
    label: str
    value: float | None
    ci: tuple[float, float] | None
    n: int
    target: str
    met: bool | None


class JudgeStatus(BaseModel):
    status: str = Field(description="'not configured', 'ok' or 'failed: ...'")
    model: str | None = None
    base_url: str | None = None
    errors: int = 0


# What a follow-up's history holds in a run (`Report.config["history_answers"]`): the
# dataset's reference answers, or the assistant's own (`igr eval --own-history`).
HISTORY_DATASET = "the dataset's"
HISTORY_OWN = "the assistant's own"


class Report(BaseModel):
    """report.json: aggregates, intervals, by-type tables, config and fingerprints."""

    created: str
    dataset: dict[str, object]
    config: dict[str, object]
    fingerprints: dict[str, str | None]
    questions: int
    errors: int
    failed: int
    headline: list[HeadlineRow]
    overall: dict[str, MetricSummary]
    by_type: dict[str, dict[str, MetricSummary]]
    type_counts: dict[str, int]
    latency_ms: dict[str, float | None]
    judge: JudgeStatus
