"""A sentence-embedding cache in front of the local model.

Chunk texts never change under a chunk id, so their sentences' embeddings are computed
once per process and reused by the extractive answerer and the verifier: after warm-up an
answer costs one query embedding, not one embedding per candidate sentence.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from vectorstore.embeddings import LocalEmbeddings


class CachedEncoder:
    """`encode(texts)` with an LRU cache keyed by text; thread-safe."""

    def __init__(self, embeddings: LocalEmbeddings, max_items: int = 200_000) -> None:
        self.embeddings = embeddings
        self.max_items = max_items
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised float32 rows, one per text, in order."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self.embeddings.encode(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > self.max_items:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = []
            for text in texts:
                vector = self._cache.get(text)
                if vector is None:  # evicted meanwhile by another thread
                    vector = self.embeddings.encode([text])[0]
                else:
                    self._cache.move_to_end(text)
                rows.append(vector)
        if not rows:
            return np.zeros((0, self.embeddings.dimension), dtype=np.float32)
        return np.vstack(rows).astype(np.float32, copy=False)

    def embed_query(self, text: str) -> list[float]:
        """One query embedding (cached like any text)."""
        return self.encode([text])[0].tolist()
