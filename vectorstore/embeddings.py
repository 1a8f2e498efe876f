"""Local sentence-transformers embeddings (no model hub), one model per path per process."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from ingest.settings import Settings


class EmbeddingModelError(RuntimeError):
    """The embedding model folder is missing or is not a sentence-transformers model."""


def check_model_dir(path: Path) -> None:
    """Raise EmbeddingModelError unless `path` is a sentence-transformers model folder."""
    if not path.is_dir():
        raise EmbeddingModelError(
            f"embedding model folder not found: {path} (set IGR_EMBEDDING_MODEL to a local "
            "sentence-transformers folder)"
        )
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise EmbeddingModelError(
            f"not a sentence-transformers model folder: {path} (no modules.json/config.json; "
            "check IGR_EMBEDDING_MODEL)"
        )


_MODELS: dict[str, tuple[SentenceTransformer, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


def _load_model(path: Path) -> tuple[SentenceTransformer, threading.Lock]:
    """The one loaded model for `path` in this process, with the lock that guards it."""
    key = str(path)
    with _MODELS_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        check_model_dir(Path(path))
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            model = SentenceTransformer(key, device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear line
            first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise EmbeddingModelError(
                f"cannot load embedding model from {path}: {first} (check IGR_EMBEDDING_MODEL)"
            ) from exc
        # Fast tokenizers are not safe to share between threads: encode calls are serialised.
        _MODELS[key] = (model, threading.Lock())
        return _MODELS[key]


class LocalEmbeddings(Embeddings):
    """A sentence-transformers model loaded from a local folder, on CPU, normalised output."""

    def __init__(self, model_path: Path, batch_size: int = 64) -> None:
        self.model_path = Path(model_path).expanduser().resolve()
        self.batch_size = batch_size
        self.model, self._lock = _load_model(self.model_path)

    @property
    def dimension(self) -> int:
        """Length of every embedding vector."""
        get_dim = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed `texts` as float32 rows of unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """LangChain: embed documents."""
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        """LangChain: embed one query."""
        return self.encode([text])[0].tolist()


_CACHE: dict[tuple[str, int], LocalEmbeddings] = {}


def get_embeddings(settings: Settings) -> LocalEmbeddings:
    """The process-wide embeddings for `settings`' model folder (loaded once, thread-safe)."""
    path = Path(settings.resolved_embedding_model()).expanduser().resolve()
    key = (str(path), settings.embedding_batch_size)
    found = _CACHE.get(key)
    if found is None:
        found = _CACHE.setdefault(key, LocalEmbeddings(path, settings.embedding_batch_size))
    return found
