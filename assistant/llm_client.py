"""An OpenAI-compatible chat endpoint through the official `openai` client (timeouts,
retries with back-off, streaming), with every failure turned into one clear line.

Used by the `openai` answerer and by the evals' LLM judge. Azure OpenAI: give
`api_version`; the key then goes in the `api-key` header and `base_url` is the deployment URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import openai
from openai import Omit


class LLMError(RuntimeError):
    """The endpoint failed or replied with something unusable; the message is one line.

    `kind`: "unreachable" (no connection, or no reply in time), "status" (an HTTP error),
    or "reply" (an answer that is not a chat completion, or a broken stream)."""

    def __init__(self, message: str, kind: str = "reply") -> None:
        super().__init__(message)
        self.kind = kind


def _one_line(text: object, limit: int = 200) -> str:
    return " ".join(str(text).split())[:limit]


class ChatEndpoint:
    """One model at one OpenAI-compatible `/chat/completions` endpoint."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        api_version: str | None = None,
        timeout_s: float = 120.0,
        max_retries: int = 2,
        what: str | None = None,
        key_setting: str = "IGR_LLM_API_KEY",
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.what = what or f"the LLM server at {base_url}"
        self.key_setting = key_setting
        headers: dict[str, str] = {}
        query: dict[str, str] = {}
        bearer = bool(api_key) and not api_version
        if api_version:
            query["api-version"] = api_version
            if api_key:
                headers["api-key"] = api_key
        self.client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key if bearer else "unused",  # never read from OPENAI_API_KEY
            timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
            max_retries=max_retries,
            default_headers=headers,
            default_query=query,
        )
        # Without a bearer key (a local server, or Azure's api-key header) send no
        # Authorization header at all.
        self._options: dict[str, Any] = (
            {} if bearer else {"extra_headers": {"Authorization": Omit()}}
        )

    def complete(self, messages: list[dict[str, str]], **params: Any) -> str:
        """The reply's text ('' when the model sent none)."""
        try:
            reply = self.client.chat.completions.create(
                model=self.model, messages=messages, **params, **self._options
            )
        except openai.OpenAIError as exc:
            raise self._failure(exc) from exc
        try:
            content = reply.choices[0].message.content
        except (AttributeError, IndexError, TypeError) as exc:
            raise LLMError(f"{self.what} sent a reply that is not an OpenAI chat completion") \
                from exc
        return content if isinstance(content, str) else ""

    def stream(self, messages: list[dict[str, str]], **params: Any) -> Iterator[str]:
        """Pieces of the reply as the server sends them."""
        try:
            chunks = self.client.chat.completions.create(
                model=self.model, messages=messages, stream=True, **params, **self._options
            )
            with chunks:  # a reader that stops early closes the response
                for chunk in chunks:
                    choices = getattr(chunk, "choices", None) or []
                    piece = choices[0].delta.content if choices and choices[0].delta else None
                    if piece:
                        yield piece
        except openai.APIError as exc:
            if not isinstance(exc, openai.APIStatusError | openai.APIConnectionError):
                raise LLMError(f"{self.what} failed mid-stream: {_one_line(exc.message)}") \
                    from exc
            raise self._failure(exc) from exc
        except openai.OpenAIError as exc:
            raise self._failure(exc) from exc
        except (json.JSONDecodeError, AttributeError, TypeError) as exc:
            raise LLMError(f"{self.what} sent a malformed stream event") from exc

    def _failure(self, exc: openai.OpenAIError) -> LLMError:
        """One clear line for a failed call."""
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(f"{self.what} did not answer within {self.timeout_s:g} s",
                            "unreachable")
        if isinstance(exc, openai.APIConnectionError):
            return LLMError(f"cannot connect to {self.what} (is it running?)", "unreachable")
        if isinstance(exc, openai.APIStatusError):
            detail = exc.body.get("message") if isinstance(exc.body, dict) else None
            detail = _one_line(detail or exc.response.text or "")
            hint = f" (check {self.key_setting})" if exc.status_code in (401, 403) else ""
            return LLMError(f"{self.what} answered HTTP {exc.status_code}{hint}"
                            + (f": {detail}" if detail else ""), "status")
        return LLMError(f"{self.what} failed: {_one_line(exc)}")

    def close(self) -> None:
        self.client.close()
