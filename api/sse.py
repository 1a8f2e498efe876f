"""Server-Sent Events framing (FastAPI's own encoder) for hand-driven streams."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi.sse import format_sse_event
from pydantic import BaseModel


def sse(data: Any, event: str | None = None) -> bytes:
    """One SSE frame with `data` JSON-encoded (pydantic models via their JSON)."""
    if isinstance(data, BaseModel):
        text = data.model_dump_json()
    else:
        text = json.dumps(data, default=_encode, ensure_ascii=False)
    return format_sse_event(data_str=text, event=event)


def sse_raw(text: str) -> bytes:
    """One SSE frame carrying `text` as-is (e.g. OpenAI's `[DONE]`)."""
    return format_sse_event(data_str=text)


def chain(first: tuple[str, object], rest: Iterator[tuple[str, object]]):
    """`first` (already taken from the stream to check the input), then the rest."""
    yield first
    yield from rest


def _encode(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    raise TypeError(f"cannot encode {type(value).__name__}")


# Each event of a stream, as OpenAPI 3.2 `itemSchema` (the shape FastAPI documents for SSE).
SSE_RESPONSE_DOC = {
    "text/event-stream": {
        "itemSchema": {
            "type": "object",
            "properties": {
                "event": {"type": "string"},
                "data": {"type": "string", "description": "JSON (or `[DONE]`)"},
                "id": {"type": "string"},
                "retry": {"type": "integer", "minimum": 0},
            },
            "required": ["data"],
        }
    }
}
