"""OpenAI-compatible `POST /v1/chat/completions` and `GET /v1/models`.

Citations travel the ways OpenAI clients read them: `url_citation` annotations on the
message (and on the last stream chunk), the `citations` extension, and, on request, a
Markdown "Sources:" list in the content itself (model `igr-assistant-sources`, or
`sources_footer: true`) for clients that only render text.
"""

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
from api.errors import OpenAIError
from api.metrics import Metrics
from api.openai_citations import annotations, sources_footer
from api.schemas import (
    EXAMPLE_COMPLETION,
    MODEL_WITH_SOURCES,
    MODELS,
    ChatCompletion,
    ChatCompletionRequest,
    ModelCard,
    ModelList,
    OAIChoice,
    OAIErrorBody,
    OAIMessage,
    OAIResponseMessage,
    OAIUsage,
    chunk_event,
)
from api.sse import SSE_RESPONSE_DOC, chain, sse, sse_raw
from api.usage import token_counter
from assistant.models import AnswerResult, ChatMessage, SearchFilters

log = logging.getLogger("igr.api")
router = APIRouter(prefix="/v1", tags=["openai"])


class CompletionRequest(ChatCompletionRequest):
    """Adds the optional `filters` extension (send it via `extra_body` from OpenAI clients)."""

    filters: SearchFilters | None = Field(
        None, description="igr extension: search only part of the corpus."
    )


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


def check_model(model: str) -> None:
    """404 `model_not_found` (OpenAI's answer) for a name this server does not answer as."""
    if model not in MODELS:
        known = ", ".join(MODELS)
        raise OpenAIError(
            404, f"The model '{model}' does not exist; this server answers as {known} "
            "(GET /v1/models)", code="model_not_found", param="model",
        )


def wants_footer(body: ChatCompletionRequest) -> bool:
    if body.sources_footer is not None:
        return body.sources_footer
    return body.model == MODEL_WITH_SOURCES


class Reply:
    """What one answer becomes in OpenAI terms: content, annotations and usage."""

    def __init__(self, result: AnswerResult, body: ChatCompletionRequest, request: Request):
        base_url = str(request.base_url)
        footer = sources_footer(result.citations, base_url) if wants_footer(body) else ""
        self.content = result.answer + footer
        self.annotations = annotations(result.answer, result.citations, base_url)
        counter = token_counter(get_settings(request))
        prompt = counter.count_all([m.text() for m in body.messages])
        completion = counter.count(self.content)
        self.usage = OAIUsage(
            prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
        )


_ERRORS = {
    401: {"model": OAIErrorBody}, 404: {"model": OAIErrorBody},
    422: {"model": OAIErrorBody}, 503: {"model": OAIErrorBody},
}


@router.get("/models", response_model=ModelList, responses={401: {"model": OAIErrorBody}})
def models() -> ModelList:
    """The model names this server answers as."""
    return ModelList(data=[ModelCard(id=name, description=what) for name, what in MODELS.items()])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    responses={
        200: {
            "content": {"application/json": {"example": EXAMPLE_COMPLETION},
                        **SSE_RESPONSE_DOC},
            "description": "A chat.completion; with `stream`, chat.completion.chunk events "
            "ending in `data: [DONE]` (the last chunk before it carries `annotations` in "
            "its delta, and `citations`).",
        },
        **_ERRORS,
    },
)
def completions(body: CompletionRequest, request: Request):
    """Answer the last user message; `content` carries [n] markers, `annotations` and
    `citations` the sources."""
    check_model(body.model)
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
        frames = _chunks(completion_id, created, first, events, metrics, body, request)
        return EventSourceResponse(frames)
    try:
        result = assistant.ask(question, history, body.filters, id=completion_id)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    metrics.record_answer("openai", result.refused)
    reply = Reply(result, body, request)
    return ChatCompletion(
        id=completion_id,
        created=created,
        model=body.model,
        choices=[OAIChoice(message=OAIResponseMessage(
            content=reply.content, annotations=reply.annotations,
        ))],
        usage=reply.usage,
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
    body: ChatCompletionRequest,
    request: Request,
) -> Iterator[bytes]:
    """chat.completion.chunk frames, then `[DONE]`.

    OpenAI clients cannot take back text already streamed, so the content streamed is the
    verified answer (what the non-streaming call returns), not the answerer's raw draft.
    """

    def chunk(delta: dict, finish: str | None = None, **extra: object) -> bytes:
        return sse(chunk_event(completion_id, created, delta, finish, body.model, **extra))

    yield chunk({"role": "assistant", "content": ""})
    try:
        for kind, payload in chain(first, events):
            if kind == "result" and isinstance(payload, AnswerResult):
                metrics.record_answer("openai", payload.refused)
                reply = Reply(payload, body, request)
                for piece in pieces(reply.content):
                    yield chunk({"content": piece})
                citations = [c.model_dump(mode="json") for c in payload.citations]
                yield chunk({"annotations": reply.annotations}, "stop",
                            citations=citations, refused=payload.refused)
                if body.stream_options and body.stream_options.include_usage:
                    usage_chunk = chunk_event(completion_id, created, {}, None, body.model,
                                              usage=reply.usage.model_dump())
                    usage_chunk["choices"] = []
                    yield sse(usage_chunk)
    except Exception as exc:  # the status is already sent: report in-band
        log.exception("error while streaming a completion")
        yield sse({"error": {"message": f"{type(exc).__name__}: {exc}", "type": "server_error"}})
    yield sse_raw("[DONE]")

