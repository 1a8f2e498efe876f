"""`POST /chat`: the answer JSON, or Server-Sent Events when `stream` is true."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.sse import EventSourceResponse

from api.deps import check_question, get_assistant, get_metrics, get_settings
from api.metrics import Metrics
from api.schemas import EXAMPLE_ANSWER, ChatRequest, ErrorBody
from api.sse import SSE_RESPONSE_DOC, chain, sse
from assistant.models import AnswerResult

log = logging.getLogger("igr.api")
router = APIRouter(tags=["chat"])

ERRORS = {401: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}}


@router.post(
    "/chat",
    response_model=AnswerResult,
    responses={
        200: {
            "content": {"application/json": {"example": EXAMPLE_ANSWER}, **SSE_RESPONSE_DOC},
            "description": "The answer JSON; with `stream`, SSE events `delta` (`{\"text\"}`: "
            "each newly verified part of the answer, its [n] markers numbered as in the final "
            "answer), `citations` (the list), then `done` (the whole answer JSON, which may add "
            "each citation's date after its marker), or `error` (`{\"detail\"}`).",
        },
        **ERRORS,
    },
)
def chat(body: ChatRequest, request: Request):
    """Answer a question from the documents, with verified citations."""
    assistant = get_assistant(request)
    question = check_question(body.question, get_settings(request))
    metrics = get_metrics(request)
    if body.stream:
        events = assistant.ask_stream(question, body.history, body.filters, body.k)
        first = _first(events)
        return EventSourceResponse(_frames(first, events, metrics))
    try:
        result = assistant.ask(
            question, body.history, body.filters, body.k, id=uuid.uuid4().hex
        )
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    metrics.record_answer("chat", result.refused)
    return result


def _first(events: Iterator[tuple[str, object]]) -> tuple[str, object]:
    """Run the stream up to its first event so bad input still gets a proper status."""
    try:
        return next(events)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    except StopIteration as exc:
        raise HTTPException(500, "the answer stream ended before it started") from exc


def _frames(
    first: tuple[str, object], events: Iterator[tuple[str, object]], metrics: Metrics
) -> Iterator[bytes]:
    """SSE frames: delta..., citations, done (or error)."""
    try:
        for kind, payload in chain(first, events):
            if kind == "delta":
                yield sse({"text": payload}, event="delta")
            elif kind == "result" and isinstance(payload, AnswerResult):
                if payload.id is None:
                    payload.id = uuid.uuid4().hex
                metrics.record_answer("chat", payload.refused)
                yield sse([c.model_dump(mode="json") for c in payload.citations], "citations")
                yield sse(payload, event="done")
    except Exception as exc:  # the status is already sent: report in-band
        log.exception("error while streaming an answer")
        yield sse({"detail": f"the answer failed: {type(exc).__name__}: {exc}"}, "error")

