"""Training material (the glossary and the quiz's source sentences) for one store, built
once per store generation and cached in memory and on disk beside the store.

Building reads every chunk, so it happens only when the store or the trainer's additions
change: requests and commands read the cache (`training_cache.json` in `store_dir`).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from pydantic import BaseModel

from assistant.glossary import Glossary, TrainerAdditions, build_glossary, load_additions
from assistant.quiz import Quiz, Statement, build_quiz, extract_statements
from assistant.verifier import Verifier
from ingest.settings import Settings
from vectorstore.store import ChunkStore, store_key

MATERIAL_VERSION = "1"
CACHE_FILE = "training_cache.json"
_KNOBS = (
    "glossary_min_documents", "glossary_max_terms", "glossary_min_quote_words",
    "glossary_max_quote_words",
)


class Material(BaseModel):
    """The glossary and the quiz's statements, and the key they were built under."""

    key: str
    glossary: Glossary
    statements: list[Statement]


def material_key(generation: str, settings: Settings, additions_hash: str) -> str:
    """What the material depends on: the store's content, the settings and the additions."""
    knobs = {k: getattr(settings, k) for k in _KNOBS}
    raw = json.dumps([MATERIAL_VERSION, generation, knobs, additions_hash], sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:24]


class TrainingService:
    """Serves the material of one store; rebuilds it only when the store's generation or
    the additions change (checked at most every `refresh_interval_s`)."""

    def __init__(
        self, store: ChunkStore, settings: Settings, refresh_interval_s: float = 1.0
    ) -> None:
        self.store = store
        self.settings = settings
        self.refresh_interval_s = refresh_interval_s
        self._material: Material | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @property
    def cache_path(self) -> Path:
        return Path(self.settings.store_dir).expanduser() / CACHE_FILE

    def material(self) -> Material:
        """The current material (GlossaryError for a bad additions file)."""
        with self._lock:
            now = time.monotonic()
            if self._material is not None and now - self._checked_at < self.refresh_interval_s:
                return self._material
            additions, additions_hash = load_additions(self.settings.glossary_additions)
            key = material_key(self.store.generation(), self.settings, additions_hash)
            self._checked_at = now
            if self._material is None or self._material.key != key:
                self._material = self._read_cache(key) or self._build(key, additions)
            return self._material

    def glossary(self) -> Glossary:
        return self.material().glossary

    def quiz(
        self, verifier: Verifier, n: int, seed: int, topic: str | None = None
    ) -> Quiz:
        """Up to `n` verified questions (see `assistant.quiz`)."""
        material = self.material()
        return build_quiz(
            material.glossary, material.statements, verifier, n=n,
            options=self.settings.quiz_options, seed=seed, topic=topic,
        )

    def _read_cache(self, key: str) -> Material | None:
        try:
            cached = Material.model_validate_json(self.cache_path.read_bytes())
        except (OSError, ValueError):
            return None
        return cached if cached.key == key else None

    def _build(self, key: str, additions: TrainerAdditions) -> Material:
        chunks = self.store.all_chunks()
        s = self.settings
        material = Material(
            key=key,
            glossary=build_glossary(chunks, s, additions, key=key),
            statements=extract_statements(
                chunks, s.glossary_min_quote_words, s.glossary_max_quote_words
            ),
        )
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.cache_path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(material.model_dump_json())
            os.replace(tmp, self.cache_path)
        except OSError:
            pass  # a read-only store folder: the material is still served from memory
        return material


_SERVICES: dict[tuple[str, str], TrainingService] = {}
_SERVICES_LOCK = threading.Lock()


def training_service(store: ChunkStore, settings: Settings) -> TrainingService:
    """The process-wide service for this store (one cache per store and collection)."""
    key = store_key(settings)
    with _SERVICES_LOCK:
        service = _SERVICES.get(key)
        if service is None or service.settings != settings:
            service = TrainingService(store, settings)
            _SERVICES[key] = service
        return service
