"""Answerer running a local GGUF model in-process through llama-cpp-python.

Needs the optional extra: ``pip install 'igr-assistant[llamacpp]'``; the model file is
``IGR_LLAMACPP_MODEL_PATH`` (``IGR_LLAMACPP_CHAT_FORMAT`` when the GGUF carries no chat
template, e.g. ``gemma``). One model per path per process; calls are serialised (a llama.cpp
context is not safe to share between threads).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from assistant.answerers.base import AnswererUnavailable
from assistant.answerers.generative import GenerativeAnswerer
from assistant.models import ChatMessage, Passage
from assistant.prompts import messages_for

if TYPE_CHECKING:
    from ingest.settings import Settings

_MODELS: dict[str, tuple[Any, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


def _close_models() -> None:
    """Free the loaded models before the interpreter tears down (freed later, by their
    finalisers, llama.cpp finds its bindings gone and aborts the process)."""
    with _MODELS_LOCK:
        for model, lock in _MODELS.values():
            with lock:
                model.close()
        _MODELS.clear()


def _load(path: Path, chat_format: str | None, n_ctx: int) -> tuple[Any, threading.Lock]:
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise AnswererUnavailable(
            "the llamacpp answerer needs llama-cpp-python: pip install 'igr-assistant[llamacpp]'"
        ) from exc
    key = f"{path.resolve()}|{chat_format}|{n_ctx}"
    with _MODELS_LOCK:
        if key not in _MODELS:
            try:
                model = Llama(model_path=str(path.resolve()), n_ctx=n_ctx,
                              chat_format=chat_format, verbose=False)
            except Exception as exc:  # noqa: BLE001 - any load failure is one clear line
                raise AnswererUnavailable(
                    f"cannot load GGUF model {path}: {exc.__class__.__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else ''}"
                ) from exc
            if not _MODELS:
                atexit.register(_close_models)
            _MODELS[key] = (model, threading.Lock())
        return _MODELS[key]


class LlamaCppAnswerer(GenerativeAnswerer):
    """Asks a local GGUF chat model, with the sources numbered in the prompt."""

    name: ClassVar[str] = "llamacpp"

    def __init__(self, settings: Settings, embeddings: object = None) -> None:
        path = settings.llamacpp_model_path
        if path is None:
            raise AnswererUnavailable(
                "the llamacpp answerer needs IGR_LLAMACPP_MODEL_PATH (a local .gguf file)"
            )
        path = Path(path).expanduser()
        if not path.is_file():
            raise AnswererUnavailable(f"GGUF model file not found: {path}")
        self.settings = settings
        self.model, self.lock = _load(path, settings.llamacpp_chat_format, settings.llamacpp_n_ctx)

    def _call(self, messages: list[dict[str, str]], stream: bool) -> Any:
        return self.model.create_chat_completion(
            messages=messages,
            temperature=self.settings.llm_temperature,
            max_tokens=self.settings.llm_max_tokens,
            stream=stream,
        )

    def complete(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> str:
        """The model's raw reply."""
        messages = messages_for(self.settings, question, passages, history)
        with self.lock:
            try:
                reply = self._call(messages, stream=False)
            except ValueError as exc:  # e.g. the prompt exceeds the context window
                raise AnswererUnavailable(f"the local model failed: {exc}") from exc
        content = reply["choices"][0]["message"].get("content")
        return content if isinstance(content, str) else ""

    def stream(
        self, question: str, passages: list[Passage], history: list[ChatMessage]
    ) -> Iterator[str]:
        """Yield pieces of the reply as the model produces them."""
        if not passages:
            return
        messages = messages_for(self.settings, question, passages, history)
        with self.lock:
            try:
                for chunk in self._call(messages, stream=True):
                    piece = chunk["choices"][0].get("delta", {}).get("content")
                    if piece:
                        yield piece
            except ValueError as exc:
                raise AnswererUnavailable(f"the local model failed: {exc}") from exc
