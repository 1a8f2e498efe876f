"""Answerer over any OpenAI-compatible ``/chat/completions`` endpoint.

vLLM, llama.cpp's server, LiteLLM, OpenAI itself, or Azure OpenAI (set
``IGR_LLM_API_VERSION``: the version goes in the ``api-version`` query parameter and the key
in the ``api-key`` header; ``IGR_LLM_BASE_URL`` is then the deployment URL).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

import httpx

from assistant.answerers.base import AnswererUnavailable
from assistant.answerers.generative import GenerativeAnswerer
from assistant.models import ChatMessage, Passage
from assistant.prompts import messages_for

if TYPE_CHECKING:
    from ingest.settings import Settings


def http_failure(exc: Exception, what: str, timeout: float) -> AnswererUnavailable:
    """One clear line for a failed call to an LLM server."""
    if isinstance(exc, httpx.TimeoutException):
        return AnswererUnavailable(f"{what} did not answer within {timeout:g} s")
    if isinstance(exc, httpx.ConnectError):
        return AnswererUnavailable(f"cannot connect to {what} (is it running?)")
    if isinstance(exc, httpx.HTTPError):
        return AnswererUnavailable(f"{what} failed: {exc.__class__.__name__}: {exc}")
    return AnswererUnavailable(f"{what} failed: {exc}")


def status_failure(response: httpx.Response, what: str) -> AnswererUnavailable:
    """One clear line for an HTTP error status from an LLM server."""
    try:
        body = response.read().decode("utf-8", "replace")
    except httpx.HTTPError:
        body = ""
    try:
        detail = json.loads(body)
        if isinstance(detail, dict):
            err = detail.get("error", detail)
            body = err.get("message", str(err)) if isinstance(err, dict) else str(err)
    except ValueError:
        pass
    body = " ".join(body.split())[:200]
    hint = " (check IGR_LLM_API_KEY)" if response.status_code in (401, 403) else ""
    return AnswererUnavailable(
        f"{what} answered HTTP {response.status_code}{hint}" + (f": {body}" if body else "")
    )


def post_checked(
    client: httpx.Client, url: str, body: dict, what: str, timeout_s: float
) -> httpx.Response:
    """POST `body`; connection failures and HTTP errors become AnswererUnavailable."""
    try:
        response = client.post(url, json=body)
    except httpx.HTTPError as exc:
        raise http_failure(exc, what, timeout_s) from exc
    if response.status_code >= 400:
        raise status_failure(response, what)
    return response


class OpenAICompatibleAnswerer(GenerativeAnswerer):
    """Asks an OpenAI-compatible chat model, with the sources numbered in the prompt."""

    name: ClassVar[str] = "openai"

    def __init__(self, settings: Settings, embeddings: object = None) -> None:
        if not settings.llm_base_url:
            raise AnswererUnavailable(
                "the openai answerer needs IGR_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)"
            )
        self.settings = settings
        self.url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        self.model = settings.llm_model or "default"
        self.what = f"the LLM server at {settings.llm_base_url}"
        headers = {"Content-Type": "application/json"}
        params: dict[str, str] = {}
        if settings.llm_api_version:
            params["api-version"] = settings.llm_api_version
            if settings.llm_api_key:
                headers["api-key"] = settings.llm_api_key
        elif settings.llm_api_key:
            headers["Authorization"] = f"Bearer {settings.llm_api_key}"
        timeout = settings.llm_timeout_s
        self.client = httpx.Client(
            headers=headers, params=params, timeout=httpx.Timeout(timeout, connect=min(10, timeout))
        )

    def _body(
        self, question: str, passages: list[Passage], history: list[ChatMessage], stream: bool
    ) -> dict[str, object]:
        return {
            "model": self.model,
            "messages": messages_for(self.settings, question, passages, history),
            "temperature": self.settings.llm_temperature,
            "max_tokens": self.settings.llm_max_tokens,
            "stream": stream,
        }

    def complete(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> str:
        """The model's raw reply."""
        response = post_checked(
            self.client, self.url, self._body(question, passages, history, stream=False),
            self.what, self.settings.llm_timeout_s,
        )
        try:
            content = response.json()["choices"][0]["message"].get("content")
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise AnswererUnavailable(
                f"{self.what} sent a reply that is not an OpenAI chat completion"
            ) from exc
        return content if isinstance(content, str) else ""

    def stream(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Iterator[str]:
        """Yield pieces of the reply as the server sends them (server-sent events)."""
        if not passages:
            return
        body = self._body(question, passages, history, stream=True)
        try:
            with self.client.stream("POST", self.url, json=body) as response:
                if response.status_code >= 400:
                    raise status_failure(response, self.what)
                for line in response.iter_lines():
                    piece = self._sse_piece(line)
                    if piece is None:
                        break
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise http_failure(exc, self.what, self.settings.llm_timeout_s) from exc

    def _sse_piece(self, line: str) -> str | None:
        """The text in one SSE line: '' for none, None at the end of the stream."""
        line = line.strip()
        if not line.startswith("data:"):
            return ""
        data = line[5:].strip()
        if data == "[DONE]":
            return None
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise AnswererUnavailable(f"{self.what} sent a malformed stream event") from exc
        if isinstance(event, dict) and "error" in event:
            err = event["error"]
            msg = err.get("message", err) if isinstance(err, dict) else err
            raise AnswererUnavailable(f"{self.what} failed mid-stream: {msg}")
        try:
            choice = event["choices"][0] if event.get("choices") else {}
            return (choice.get("delta") or {}).get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise AnswererUnavailable(f"{self.what} sent a malformed stream event") from exc

    def close(self) -> None:
        self.client.close()

