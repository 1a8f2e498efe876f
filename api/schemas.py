"""Request and response bodies of the HTTP API (the answer itself is `AnswerResult`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from assistant.models import ChatMessage, Citation, SearchFilters
from vectorstore.models import IngestReport

MODEL_ID = "igr-assistant"


def _json_number(value: Any) -> Any:
    """Integers as JSON means them: 3 or 3.0, never "3" or true."""
    if isinstance(value, str | bool):
        raise ValueError("must be an integer")
    return value



class ChatRequest(BaseModel):
    """`POST /chat`: a question, earlier turns, optional filters."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        description="the question (not blank)",
        json_schema_extra={"pattern": r"\S"},  # the validator below gives the clearer message
    )
    history: list[ChatMessage] = Field(default_factory=list, max_length=100)
    filters: SearchFilters | None = None
    k: int | None = Field(None, ge=1, le=50, description="passages to retrieve")
    stream: StrictBool = Field(False, description="answer as Server-Sent Events")

    _k_is_a_number = field_validator("k", mode="before")(_json_number)

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question is blank")
        return value.strip()


class ErrorBody(BaseModel):
    """Every error: a one-line `detail`."""

    detail: str


class UploadResult(BaseModel):
    """`POST /documents`: where the file went and what ingesting it did."""

    doc_id: str
    filename: str
    report: IngestReport


class RemoveResult(BaseModel):
    removed: str


class HealthBody(BaseModel):
    status: Literal["ok", "unavailable"]
    store: bool
    model: bool
    documents: int
    detail: str | None = None


# --- OpenAI-compatible bodies -------------------------------------------------------


class OAIContentPart(BaseModel):
    """One part of a multi-part message; only text parts are read."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class OAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[OAIContentPart] | None = None

    def text(self) -> str:
        """The message's text, parts joined."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if p.type == "text" and p.text)


class ChatCompletionRequest(BaseModel):
    """`POST /v1/chat/completions`; sampling options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")

    model: str = MODEL_ID
    messages: list[OAIMessage] = Field(
        min_length=1,
        max_length=200,
        description="the last message with role `user` is answered",
        json_schema_extra={
            "contains": {"type": "object", "properties": {"role": {"const": "user"}},
                         "required": ["role"]},
        },
    )
    stream: StrictBool = False


class OAIResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class OAIChoice(BaseModel):
    index: int = 0
    message: OAIResponseMessage
    finish_reason: Literal["stop"] = "stop"


class OAIUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ChatCompletion(BaseModel):
    """An OpenAI `chat.completion`, plus the verified `citations`."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    choices: list[OAIChoice]
    usage: OAIUsage = Field(default_factory=OAIUsage)
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False


class ModelCard(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "igr-assistant"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def chunk_event(
    completion_id: str, created: int, delta: dict[str, Any], finish: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One OpenAI `chat.completion.chunk` payload."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
