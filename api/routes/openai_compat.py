"""OpenAI-compatible `POST /v1/chat/completions` and `GET /v1/models`."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.sse import EventSourceResponse
from pydantic import Field, ValidationError

from api.deps import check_question, get_assistant, get_metrics, get_settings
from api.metrics import Metrics
from api.schemas import (
    ChatCompletion,
    ChatCompletionRequest,
    ErrorBody,
    ModelCard,
    ModelList,
    OAIChoice,
    OAIMessage,
    OAIResponseMessage,
    chunk_event,
)
from api.sse import SSE_RESPONSE_DOC, sse, sse_raw
from assistant.models import AnswerResult, ChatMessage, SearchFilters

log = logging.getLogger("igr.api")
router = APIRouter(prefix="/v1", tags=["openai"])


class CompletionRequest(ChatCompletionRequest):
    """Adds the optional `filters` extension (send it via `extra_body` from OpenAI clients)."""

    filters: SearchFilters | None = Field(None, description="igr extension: retrieval filters")


def split_messages(messages: list[OAIMessage]) -> tuple[str, list[ChatMessage]]:
    """The last user message is the question; the user/assistant turns before it the history.

    System, developer and tool messages are accepted but not obeyed: the documents decide.
    Turns after the last user message (an assistant's tool call, the tool's result) are
    ignored, as the answer is to that user message.
    """
    last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
    if last is None:
        raise HTTPException(422, "messages: there is no user message to answer")
    turns = [m for m in messages[:last] if m.role in ("user", "assistant")]
    try:
        history = [ChatMessage(role=m.role, content=m.text()) for m in turns]
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise HTTPException(422, f"messages: an earlier message is invalid: {reason}") from None
    return messages[last].text(), history


@router.get("/models", response_model=ModelList, responses={401: {"model": ErrorBody}})
def models() -> ModelList:
    """The one model this server answers as."""
    return ModelList(data=[ModelCard()])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {
            "content": SSE_RESPONSE_DOC,
            "description": "A chat.completion; with `stream`, chat.completion.chunk events "
            "ending in `data: [DONE]`.",
        },
        401: {"model": ErrorBody},
        422: {"model": ErrorBody},
        503: {"model": ErrorBody},
    },
)
def completions(body: CompletionRequest, request: Request):
    """Answer the last user message; `content` carries [n] markers, `citations` the sources."""
    assistant = get_assistant(request)
    text, history = split_messages(body.messages)
    question = check_question(text, get_settings(request))
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    metrics = get_metrics(request)
    if body.stream:
        events = assistant.ask_stream(question, history, body.filters)
        try:
            first = next(events)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from exc
        return EventSourceResponse(_chunks(completion_id, created, first, events, metrics))
    try:
        result = assistant.ask(question, history, body.filters, id=completion_id)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    metrics.record_answer("openai", result.refused)
    return ChatCompletion(
        id=completion_id,
        created=created,
        choices=[OAIChoice(message=OAIResponseMessage(content=result.answer))],
        citations=result.citations,
        refused=result.refused,
    )


def pieces(text: str, words: int = 8) -> list[str]:
    """`text` in runs of a few words; joined they give back `text` exactly."""
    tokens = re.findall(r"\s+|\S+\s*", text)
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


def _chunks(
    completion_id: str,
    created: int,
    first: tuple[str, object],
    events: Iterator[tuple[str, object]],
    metrics: Metrics,
) -> Iterator[bytes]:
    """chat.completion.chunk frames, then `[DONE]`.

    OpenAI clients cannot take back text already streamed, so the content streamed is the
    verified answer (what the non-streaming call returns), not the answerer's raw draft.
    """
    yield sse(chunk_event(completion_id, created, {"role": "assistant", "content": ""}))
    try:
        for kind, payload in _chain(first, events):
            if kind == "result" and isinstance(payload, AnswerResult):
                metrics.record_answer("openai", payload.refused)
                for piece in pieces(payload.answer):
                    yield sse(chunk_event(completion_id, created, {"content": piece}))
                citations = [c.model_dump(mode="json") for c in payload.citations]
                yield sse(
                    chunk_event(
                        completion_id, created, {}, "stop",
                        citations=citations, refused=payload.refused,
                    )
                )
    except Exception as exc:  # the status is already sent: report in-band
        log.exception("error while streaming a completion")
        yield sse({"error": {"message": f"{type(exc).__name__}: {exc}", "type": "server_error"}})
    yield sse_raw("[DONE]")


def _chain(
    first: tuple[str, object], rest: Iterator[tuple[str, object]]
) -> Iterator[tuple[str, object]]:
    yield first
    yield from rest
