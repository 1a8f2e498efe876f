"""Answerer over a local Ollama server's ``/api/chat`` (``IGR_OLLAMA_URL``, ``IGR_LLM_MODEL``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

import httpx

from assistant.answerers.base import AnswererUnavailable
from assistant.answerers.generative import GenerativeAnswerer
from assistant.answerers.http import http_failure, post_checked, status_failure
from assistant.models import ChatMessage, Passage
from assistant.prompts import messages_for

if TYPE_CHECKING:
    from ingest.settings import Settings


class OllamaAnswerer(GenerativeAnswerer):
    """Asks a model served by Ollama, with the sources numbered in the prompt."""

    name: ClassVar[str] = "ollama"

    def __init__(self, settings: Settings, embeddings: object = None) -> None:
        if not settings.llm_model:
            raise AnswererUnavailable(
                "the ollama answerer needs IGR_LLM_MODEL (an Ollama model name, e.g. llama3.2)"
            )
        self.settings = settings
        self.url = settings.ollama_url.rstrip("/") + "/api/chat"
        self.what = f"Ollama at {settings.ollama_url}"
        timeout = settings.llm_timeout_s
        self.client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(10, timeout)))

    def _body(
        self, question: str, passages: list[Passage], history: list[ChatMessage], stream: bool
    ) -> dict[str, object]:
        return {
            "model": self.settings.llm_model,
            "messages": messages_for(self.settings, question, passages, history),
            "stream": stream,
            "options": {
                "temperature": self.settings.llm_temperature,
                "num_predict": self.settings.llm_max_tokens,
            },
        }

    def _content(self, event: object) -> str:
        if isinstance(event, dict) and "error" in event:
            raise AnswererUnavailable(f"{self.what} failed: {event['error']}")
        if isinstance(event, dict) and event.get("done") and "message" not in event:
            return ""
        try:
            content = event["message"].get("content", "")  # type: ignore[index]
        except (KeyError, TypeError, AttributeError) as exc:
            raise AnswererUnavailable(f"{self.what} sent a reply that is not /api/chat") from exc
        return content if isinstance(content, str) else ""

    def complete(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> str:
        """The model's raw reply."""
        response = post_checked(
            self.client, self.url, self._body(question, passages, history, stream=False),
            self.what, self.settings.llm_timeout_s,
        )
        try:
            event = response.json()
        except ValueError as exc:
            raise AnswererUnavailable(f"{self.what} sent a reply that is not JSON") from exc
        return self._content(event)

    def stream(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Iterator[str]:
        """Yield pieces of the reply as Ollama sends them (one JSON object per line)."""
        if not passages:
            return
        body = self._body(question, passages, history, stream=True)
        try:
            with self.client.stream("POST", self.url, json=body) as response:
                if response.status_code >= 400:
                    raise status_failure(response, self.what)
                for line in response.iter_lines():
                    if not line.strip():
                        continue
                    try:
                        event = json.loads(line)
                    except ValueError as exc:
                        raise AnswererUnavailable(
                            f"{self.what} sent a malformed stream line"
                        ) from exc
                    piece = self._content(event)
                    if piece:
                        yield piece
                    if event.get("done"):
                        break
        except httpx.HTTPError as exc:
            raise http_failure(exc, self.what, self.settings.llm_timeout_s) from exc

    def close(self) -> None:
        self.client.close()
