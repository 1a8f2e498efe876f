"""Token counts for the OpenAI-compatible `usage` field.

This server runs no LLM of its own, so there is no "model tokenizer" to count with; the
counts use the tokenizer of the embedding model every answer already goes through (the
packaged all-MiniLM-L6-v2 WordPiece vocabulary, read offline from its `tokenizer.json`).
They are real counts of what was sent and returned, and close to (not equal to) what an
OpenAI model's BPE tokenizer would report for the same English text.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from tokenizers import Tokenizer

from ingest.settings import Settings


class TokenCounter:
    """Counts tokens with one fast tokenizer (no special tokens, no truncation)."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self._tokenizer = tokenizer
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._lock = threading.Lock()  # a fast tokenizer is not safe to share between threads

    def count(self, text: str) -> int:
        """Tokens in `text`; cost is linear in its length."""
        if not text:
            return 0
        with self._lock:
            return len(self._tokenizer.encode(text, add_special_tokens=False).ids)

    def count_all(self, texts: list[str]) -> int:
        return sum(self.count(t) for t in texts)


@lru_cache(maxsize=4)
def _counter_for(model_dir: Path) -> TokenCounter:
    if (model_dir / "tokenizer.json").is_file():
        return TokenCounter(Tokenizer.from_file(str(model_dir / "tokenizer.json")))
    from transformers import AutoTokenizer  # a folder with only vocab.txt and its config

    slow_or_fast = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    return TokenCounter(slow_or_fast.backend_tokenizer)


def token_counter(settings: Settings) -> TokenCounter:
    """The counter for the configured embedding model's tokenizer (loaded once)."""
    return _counter_for(settings.resolved_embedding_model())
