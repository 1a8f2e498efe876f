"""Request and response bodies of the HTTP API (the answer itself is `AnswerResult`).

Every field carries a description and the main requests carry examples: they are what
`/docs` and `/redoc` show.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from assistant.models import ChatMessage, Citation, SearchFilters
from vectorstore.models import IngestReport

MODEL_ID = "igr-assistant"
MODEL_WITH_SOURCES = "igr-assistant-sources"
MODELS = {
    MODEL_ID: "answers with [n] markers; citations in `annotations` and `citations`",
    MODEL_WITH_SOURCES: "the same, plus a Markdown 'Sources:' list at the end of the content "
    "(for clients that only show text)",
}

BARNETT_QUESTION = "What is the Barnett formula?"


_EXAMPLE_CITATION = {
    "n": 1, "doc_id": "barnett-formula-in-outline", "title": "The Barnett formula in outline",
    "source": None, "publisher": "igr-assistant project", "date": "2025-01-20", "page": None,
    "chunk_id": "1ae5dba03b13cc0d5f1e",
    "quote": "The formula is named after Joel Barnett, who was Chief Secretary to the Treasury "
    "when it was introduced in 1978.",
}
EXAMPLE_ANSWER = {
    "id": "0a91826604f44bd281510aaaf4e889ec",
    "question": "Who was the Barnett formula named after?",
    "answer": "The formula is named after Joel Barnett, who was Chief Secretary to the Treasury "
    "when it was introduced in 1978. [1]",
    "refused": False,
    "citations": [_EXAMPLE_CITATION],
    "unsupported": [],
    "retrieved": [{"chunk_id": "1ae5dba03b13cc0d5f1e", "doc_id": "barnett-formula-in-outline",
                   "title": "The Barnett formula in outline", "page": None, "score": 0.0245,
                   "text": "... The formula is named after Joel Barnett, who was Chief Secretary "
                   "to the Treasury when it was introduced in 1978. ..."}],
    "answerer": "extractive",
    "timings_ms": {"retrieve": 31.5, "answer": 48.2, "total": 79.7},
}
EXAMPLE_COMPLETION = {
    "id": "chatcmpl-0a91826604f44bd281510aaaf4e889ec",
    "object": "chat.completion",
    "created": 1767225600,
    "model": "igr-assistant",
    "choices": [{
        "index": 0,
        "finish_reason": "stop",
        "message": {
            "role": "assistant",
            "content": EXAMPLE_ANSWER["answer"],
            "annotations": [{"type": "url_citation", "url_citation": {
                "url": "http://127.0.0.1:8000/documents/barnett-formula-in-outline",
                "title": "The Barnett formula in outline", "start_index": 0,
                "end_index": len(EXAMPLE_ANSWER["answer"]),
                **{k: v for k, v in _EXAMPLE_CITATION.items()
                   if k in ("n", "doc_id", "chunk_id", "publisher", "date", "page", "quote")},
            }}],
        },
    }],
    "usage": {"prompt_tokens": 9, "completion_tokens": 27, "total_tokens": 36},
    "citations": [_EXAMPLE_CITATION],
    "refused": False,
}


def _json_number(value: Any) -> Any:
    """Integers as JSON means them: 3 or 3.0, never "3" or true."""
    if isinstance(value, str | bool):
        raise ValueError("must be an integer")
    return value


class ChatRequest(BaseModel):
    """`POST /chat`: a question, earlier turns, optional filters."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": BARNETT_QUESTION},
                {
                    "question": "Who was it named after?",
                    "history": [
                        {"role": "user", "content": BARNETT_QUESTION},
                        {"role": "assistant",
                         "content": "The Barnett formula adjusts the block grants. [1]"},
                    ],
                    "filters": {"doc_type": ["primer"], "date_from": "2020"},
                    "k": 5,
                    "stream": True,
                },
            ]
        },
    )

    question: str = Field(
        min_length=1,
        description="The question, in plain words (not blank; at most IGR_MAX_QUESTION_CHARS "
        "characters). Instructions inside it are not obeyed: the documents decide the answer.",
        json_schema_extra={"pattern": r"\S"},  # the validator below gives the clearer message
    )
    history: list[ChatMessage] = Field(
        default_factory=list, max_length=100,
        description="Earlier turns of this conversation, oldest first, so that a follow-up "
        "such as 'who chairs it?' is understood.",
    )
    filters: SearchFilters | None = Field(
        None, description="Search only part of the corpus (all fields optional)."
    )
    k: int | None = Field(
        None, ge=1, le=50,
        description="How many passages to retrieve and report (default IGR_TOP_K).",
    )
    stream: StrictBool = Field(
        False,
        description="Answer as Server-Sent Events (`delta`, `citations`, `done`) instead of "
        "one JSON body.",
    )

    _k_is_a_number = field_validator("k", mode="before")(_json_number)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question is blank")
        return value.strip()


class ErrorBody(BaseModel):
    """Every error: a one-line `detail`."""

    detail: str = Field(description="What went wrong, in one line.")


class OAIError(BaseModel):
    """An error in OpenAI's format."""

    message: str = Field(description="What went wrong, in one line.")
    type: str = Field(
        description="`invalid_request_error`, `authentication_error` or `server_error`."
    )
    param: str | None = Field(None, description="The request field at fault, if one is.")
    code: str | None = Field(None, description="A stable code, e.g. `model_not_found`.")


class OAIErrorBody(BaseModel):
    """An error from the `/v1` routes: OpenAI's `error` object, plus this API's `detail`."""

    error: OAIError = Field(description="The error as OpenAI clients read it.")
    detail: str = Field(description="The same message, as every other route reports it.")


class UploadResult(BaseModel):
    """`POST /documents`: where the file went and what ingesting it did."""

    doc_id: str = Field(description="The id the document is indexed under.")
    filename: str = Field(description="The file name it was saved as (made safe).")
    report: IngestReport = Field(description="What ingesting the file did.")


class RemoveResult(BaseModel):
    """`DELETE /documents/{doc_id}`: the document that was removed."""

    removed: str = Field(description="The doc_id removed from the index.")


class HealthBody(BaseModel):
    """`GET /health`: whether the service can answer."""

    status: Literal["ok", "unavailable"] = Field(
        description="`ok` when the store answers and the model is loaded."
    )
    store: bool = Field(description="The vector store answers.")
    model: bool = Field(description="The embedding model is loaded.")
    documents: int = Field(description="Documents indexed.")
    warming: bool = Field(
        False, description="Stored sentences are still being embedded in the background: "
        "answers are slower until this is false."
    )
    detail: str | None = Field(None, description="Why the service is unavailable, if it is.")


# --- OpenAI-compatible bodies -------------------------------------------------------


class OAIContentPart(BaseModel):
    """One part of a multi-part message; only text parts are read."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`text` parts are read; other parts are ignored.")
    text: str | None = Field(None, description="The text of a `text` part.")


class OAIMessage(BaseModel):
    """One message of an OpenAI chat."""

    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"] = Field(
        description="Who wrote it. The last user message is the question; earlier user and "
        "assistant messages are the history; system, developer and tool messages are "
        "accepted but not obeyed."
    )
    content: str | list[OAIContentPart] | None = Field(
        None, description="The text, or a list of parts (text parts are joined)."
    )

    def text(self) -> str:
        """The message's text, parts joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if p.type == "text" and p.text)


class OAIStreamOptions(BaseModel):
    """OpenAI's `stream_options`."""

    model_config = ConfigDict(extra="allow")

    include_usage: StrictBool = Field(
        False, description="Send one more chunk, with empty `choices`, carrying `usage`."
    )


class ChatCompletionRequest(BaseModel):
    """`POST /v1/chat/completions`; sampling options are accepted and ignored."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"model": MODEL_ID, "messages": [{"role": "user", "content": BARNETT_QUESTION}]},
                {
                    "model": MODEL_WITH_SOURCES,
                    "messages": [{"role": "user", "content": BARNETT_QUESTION}],
                    "stream": True,
                    "stream_options": {"include_usage": True},
                },
            ]
        },
    )

    model: str = Field(
        MODEL_ID,
        description=f"`{MODEL_ID}`, or `{MODEL_WITH_SOURCES}` to add a Markdown 'Sources:' "
        "list to the content. Any other name is 404 `model_not_found`.",
        json_schema_extra={"examples": list(MODELS)},
    )
    messages: list[OAIMessage] = Field(
        min_length=1,
        max_length=200,
        description="The conversation: the last message with role `user` is answered; the "
        "user and assistant messages before it are the history.",
        json_schema_extra={
            "contains": {"type": "object", "properties": {"role": {"const": "user"}},
                         "required": ["role"]},
        },
    )
    stream: StrictBool = Field(
        False, description="Answer as `chat.completion.chunk` events ending in `data: [DONE]`."
    )
    stream_options: OAIStreamOptions | None = Field(
        None, description="With `include_usage`, a last chunk carries `usage`."
    )
    sources_footer: StrictBool | None = Field(
        None,
        description="igr extension: add (true) or leave out (false) the Markdown 'Sources:' "
        "list whatever the model name says. Send it via `extra_body` from OpenAI clients.",
    )


class OAIURLCitation(BaseModel):
    """OpenAI's `url_citation`, plus this server's checkable fields."""

    url: str = Field(
        description="The original on the web when known, else `GET /documents/{doc_id}` of "
        "this server (with `#page=N` for a page)."
    )
    title: str = Field(description="The document's title.")
    start_index: int = Field(description="First character of the supported sentence in "
                             "`content`.")
    end_index: int = Field(description="One past the last character of its `[n]` marker.")
    n: int = Field(description="The citation number, as in the `[n]` marker.")
    doc_id: str = Field(description="The cited document.")
    chunk_id: str = Field(description="The cited chunk.")
    publisher: str | None = Field(None, description="Who published the document.")
    date: str | None = Field(None, description="The document's date (YYYY, YYYY-MM or "
                             "YYYY-MM-DD).")
    page: int | None = Field(None, description="The page, for paged formats (PDF).")
    quote: str = Field(description="The verbatim passage of the chunk that supports the "
                       "sentence.")


class OAIAnnotation(BaseModel):
    """One annotation of a message; this server sends `url_citation`s."""

    type: Literal["url_citation"] = Field("url_citation", description="Always `url_citation`.")
    url_citation: OAIURLCitation = Field(description="Where the sentence's support is.")


class OAIResponseMessage(BaseModel):
    """The assistant's message."""

    role: Literal["assistant"] = Field("assistant", description="Always `assistant`.")
    content: str = Field(
        description="The verified answer with [n] markers (and, on request, a 'Sources:' list)."
    )
    annotations: list[OAIAnnotation] = Field(
        default_factory=list, description="One `url_citation` per [n] marker."
    )


class OAIChoice(BaseModel):
    """The one choice this server returns."""

    index: int = Field(0, description="Always 0.")
    message: OAIResponseMessage = Field(description="The answer.")
    finish_reason: Literal["stop"] = Field("stop", description="Always `stop`.")


class OAIUsage(BaseModel):
    """Token counts (the embedding model's WordPiece tokenizer; see the README)."""

    prompt_tokens: int = Field(0, description="Tokens in the messages sent.")
    completion_tokens: int = Field(0, description="Tokens in the returned content.")
    total_tokens: int = Field(0, description="The sum of both.")


class ChatCompletion(BaseModel):
    """An OpenAI `chat.completion`, plus the verified `citations`."""

    id: str = Field(description="`chatcmpl-` and a random id.")
    object: Literal["chat.completion"] = Field(
        "chat.completion", description="Always `chat.completion`."
    )
    created: int = Field(description="Unix time of the answer.")
    model: str = Field(MODEL_ID, description="The model name the request used.")
    choices: list[OAIChoice] = Field(description="One choice.")
    usage: OAIUsage = Field(default_factory=OAIUsage, description="Token counts.")
    citations: list[Citation] = Field(
        default_factory=list, description="igr extension: the citations, [n] is `citations[n-1]`."
    )
    refused: bool = Field(
        False, description="igr extension: true when the documents do not answer the question."
    )


class ModelCard(BaseModel):
    """One model name this server answers as."""

    id: str = Field(MODEL_ID, description="The name to send as `model`.")
    object: Literal["model"] = Field("model", description="Always `model`.")
    created: int = Field(0, description="Always 0.")
    owned_by: str = Field("igr-assistant", description="Always `igr-assistant`.")
    description: str = Field("", description="igr extension: what this model name does.")


class ModelList(BaseModel):
    """`GET /v1/models`."""

    object: Literal["list"] = Field("list", description="Always `list`.")
    data: list[ModelCard] = Field(description="The model names this server answers as.")


def chunk_event(
    completion_id: str, created: int, delta: dict[str, Any], finish: str | None = None,
    model: str = MODEL_ID, **extra: Any,
) -> dict[str, Any]:
    """One OpenAI `chat.completion.chunk` payload."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
