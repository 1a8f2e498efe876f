"""Request-scoped access to the app's one Assistant, settings and metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import HTTPException, Request

from api.metrics import Metrics
from ingest.settings import Settings

if TYPE_CHECKING:
    from assistant.assistant import Assistant


def get_assistant(request: Request) -> Assistant:
    """The Assistant loaded at start-up; 503 while it is not available."""
    assistant = getattr(request.app.state, "assistant", None)
    if assistant is None:
        raise HTTPException(503, "the assistant is not loaded yet")
    return assistant


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


def check_question(question: str, settings: Settings) -> str:
    """The question, or 422 when it is blank or longer than `max_question_chars`."""
    question = question.strip()
    if not question:
        raise HTTPException(422, "question: the question is blank")
    if len(question) > settings.max_question_chars:
        raise HTTPException(
            422,
            f"question: too long ({len(question)} characters; the limit is "
            f"{settings.max_question_chars}, IGR_MAX_QUESTION_CHARS)",
        )
    return question
