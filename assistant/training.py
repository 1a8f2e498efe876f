"""Training material for one store: the glossary, the quiz's source sentences and its
pool of verified questions, built once per store generation and cached in memory and on
disk beside the store (`training_cache.json`, `quiz_cache.json` in `store_dir`).

Building reads every chunk (and the quiz pool embeds its passages), so it happens only
when the store, the settings or the trainer's additions change; requests and commands
read the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from assistant.glossary import Glossary, TrainerAdditions, build_glossary, load_additions
from assistant.quiz import (
    Quiz,
    QuizItem,
    Statement,
    draw_quiz,
    extract_statements,
    verified_pool,
)
from assistant.verifier import Verifier
from ingest.settings import Settings
from vectorstore.store import ChunkStore, store_key

MATERIAL_VERSION = "1"
CACHE_FILE = "training_cache.json"
QUIZ_CACHE_FILE = "quiz_cache.json"
_KNOBS = (
    "glossary_min_documents", "glossary_max_terms", "glossary_min_quote_words",
    "glossary_max_quote_words",
)


class Material(BaseModel):
    """The glossary and the quiz's statements, and the key they were built under."""

    key: str
    glossary: Glossary
    statements: list[Statement]


class QuizPool(BaseModel):
    """The verified questions of one material (and the number of choices they have)."""

    key: str
    items: list[QuizItem]


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
        self._pool: QuizPool | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._pool_lock = threading.Lock()

    @property
    def cache_path(self) -> Path:
        return Path(self.settings.store_dir).expanduser() / CACHE_FILE

    @property
    def quiz_cache_path(self) -> Path:
        return Path(self.settings.store_dir).expanduser() / QUIZ_CACHE_FILE

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
                self._material = _read(self.cache_path, Material, key) or self._build(
                    key, additions
                )
            return self._material

    def glossary(self) -> Glossary:
        return self.material().glossary

    def quiz_pool(self, verifier: Callable[[], Verifier]) -> list[QuizItem]:
        """The verified questions for the current material (built when it changes);
        `verifier` is called only when they must be built (it loads the model)."""
        material = self.material()
        key = f"{material.key}:{self.settings.quiz_options}"
        with self._pool_lock:
            if self._pool is None or self._pool.key != key:
                self._pool = _read(self.quiz_cache_path, QuizPool, key)
            if self._pool is None:
                items = verified_pool(
                    material.glossary, material.statements, verifier(),
                    options=self.settings.quiz_options, limit=self.settings.quiz_pool_size,
                )
                self._pool = QuizPool(key=key, items=items)
                _write(self.quiz_cache_path, self._pool)
            return self._pool.items

    def quiz(
        self, verifier: Callable[[], Verifier], n: int, seed: int, topic: str | None = None
    ) -> Quiz:
        """`n` verified questions drawn from the pool (see `assistant.quiz`)."""
        return draw_quiz(self.quiz_pool(verifier), n=n, seed=seed, topic=topic)

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
        _write(self.cache_path, material)
        return material


def _read(path: Path, model: type[BaseModel], key: str):
    """The cached model at `path` if it was built under `key`, else None."""
    try:
        cached = model.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None
    return cached if getattr(cached, "key", None) == key else None


def _write(path: Path, value: BaseModel) -> None:
    """Write a cache file atomically; a read-only store folder just keeps it in memory."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(value.model_dump_json())
        os.replace(tmp, path)
    except OSError:
        pass


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
