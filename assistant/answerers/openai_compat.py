"""Answerer over any OpenAI-compatible ``/chat/completions`` endpoint, through the official
`openai` client (timeouts, retries with back-off, streaming).

vLLM, llama.cpp's server, LiteLLM, OpenAI itself, or Azure OpenAI (set
``IGR_LLM_API_VERSION``: the version goes in the ``api-version`` query parameter and the key
in the ``api-key`` header; ``IGR_LLM_BASE_URL`` is then the deployment URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from assistant.answerers.base import AnswererUnavailable
from assistant.answerers.generative import GenerativeAnswerer
from assistant.llm_client import ChatEndpoint, LLMError
from assistant.models import ChatMessage, Passage
from assistant.prompts import messages_for

if TYPE_CHECKING:
    from ingest.settings import Settings


class OpenAICompatibleAnswerer(GenerativeAnswerer):
    """Asks an OpenAI-compatible chat model, with the sources numbered in the prompt."""

    name: ClassVar[str] = "openai"

    def __init__(self, settings: Settings, embeddings: object = None) -> None:
        if not settings.llm_base_url:
            raise AnswererUnavailable(
                "the openai answerer needs IGR_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1)"
            )
        self.settings = settings
        self.endpoint = ChatEndpoint(
            settings.llm_base_url.rstrip("/"),
            settings.llm_model or "default",
            api_key=settings.llm_api_key,
            api_version=settings.llm_api_version,
            timeout_s=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )

    def _params(self) -> dict[str, object]:
        return {"temperature": self.settings.llm_temperature,
                "max_tokens": self.settings.llm_max_tokens}

    def complete(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> str:
        """The model's raw reply."""
        messages = messages_for(self.settings, question, passages, history)
        try:
            return self.endpoint.complete(messages, **self._params())
        except LLMError as exc:
            raise AnswererUnavailable(str(exc)) from exc

    def stream(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Iterator[str]:
        """Yield pieces of the reply as the server sends them."""
        if not passages:
            return
        messages = messages_for(self.settings, question, passages, history)
        try:
            yield from self.endpoint.stream(messages, **self._params())
        except LLMError as exc:
            raise AnswererUnavailable(str(exc)) from exc

    def close(self) -> None:
        self.endpoint.close()
