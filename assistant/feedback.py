"""Feedback on answers (thumbs up or down, a comment), kept durably in SQLite.

The file is `feedback_db`, by default ``feedback.sqlite3`` in `store_dir`: beside an
embedded store, and on the API host's own disk in server mode (several API hosts over one
Chroma server each keep their own file unless `IGR_FEEDBACK_DB` names a shared one).
Every write is committed before the request returns (WAL journal, synchronous=FULL), so
nothing acknowledged is lost on a restart. It lives in `assistant` so that both `api`
(which records feedback) and `evals` (which exports it as evaluation cases) can use it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.models import ChatMessage, Citation
from ingest.settings import Settings

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    question TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_rating ON feedback (rating, id);
"""
_NOT_ANSWER_SETTINGS = (
    "api_keys", "admin_api_keys", "llm_api_key", "judge_api_key", "judge_base_url",
    "judge_model", "host", "port", "feedback_db", "feedback_max_comment_chars",
    "max_upload_mb", "glossary_additions", "quiz_options", "quiz_max_questions",
)


class FeedbackStoreError(RuntimeError):
    """The feedback database cannot be opened or written (one-line message)."""


class FeedbackCitation(Citation):
    """A citation as sent back with feedback (types checked strictly: it is input)."""

    model_config = ConfigDict(strict=True)


class FeedbackIn(BaseModel):
    """What a reader sends about one answer."""

    model_config = ConfigDict(extra="forbid", strict=True)

    rating: Literal["up", "down"] = Field(description="Thumbs up or down.")
    question: str = Field(min_length=1, max_length=20_000, description="The question asked.")
    answer: str = Field("", max_length=50_000, description="The answer shown.")
    comment: str = Field("", max_length=20_000, description="optional; see "
                         "IGR_FEEDBACK_MAX_COMMENT_CHARS")
    answer_id: str | None = Field(None, max_length=200, description="the answer's `id`")
    refused: bool = Field(False, description="Whether the answer was a refusal.")
    citations: list[FeedbackCitation] = Field(default_factory=list, max_length=50,
                                              description="The answer's citations.")
    history: list[ChatMessage] = Field(default_factory=list, max_length=100,
                                       description="The conversation before the question.")
    fingerprint: str | None = Field(
        None, max_length=200, description="settings fingerprint of the answering server, "
        "if the client has one (the server records its own as well)",
    )


class FeedbackRecord(FeedbackIn):
    """A stored piece of feedback."""

    model_config = ConfigDict(extra="ignore", strict=False)

    id: int = Field(description="Its number in the feedback store.")
    created: str = Field(description="When it was received (UTC, ISO 8601).")
    server_fingerprint: str = Field(description="The receiving server's settings fingerprint.")


def settings_fingerprint(settings: Settings) -> str:
    """sha256 (16 hex digits) of the settings that shape answers (no keys, hosts or ports)."""
    data = settings.model_dump(mode="json", exclude=set(_NOT_ANSWER_SETTINGS))
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def feedback_path(settings: Settings) -> Path:
    """Where the feedback database lives for these settings."""
    if settings.feedback_db is not None:
        return Path(settings.feedback_db).expanduser()
    return Path(settings.store_dir).expanduser() / "feedback.sqlite3"


class FeedbackStore:
    """The feedback table of one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackStoreError(
                f"cannot open the feedback database {self.path}: {exc}"
            ) from exc

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        db.execute("PRAGMA synchronous=FULL")
        return db

    def add(self, item: FeedbackIn, server_fingerprint: str) -> FeedbackRecord:
        """Store one piece of feedback; returns it with its id and time."""
        created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        body = item.model_dump(mode="json")
        body["server_fingerprint"] = server_fingerprint
        try:
            with self._lock, self._connect() as db:
                cursor = db.execute(
                    "INSERT INTO feedback (created, rating, question, body) VALUES (?, ?, ?, ?)",
                    (created, item.rating, item.question, json.dumps(body, ensure_ascii=False)),
                )
                new_id = int(cursor.lastrowid or 0)
        except sqlite3.Error as exc:
            raise FeedbackStoreError(f"cannot write feedback to {self.path}: {exc}") from exc
        return FeedbackRecord(id=new_id, created=created, **body)

    def list(
        self, rating: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[FeedbackRecord]:
        """Stored feedback, oldest first (only one rating when given)."""
        where, args = ("WHERE rating = ?", [rating]) if rating else ("", [])
        try:
            with self._connect() as db:
                rows = db.execute(
                    f"SELECT id, created, body FROM feedback {where} ORDER BY id LIMIT ? OFFSET ?",
                    [*args, limit, offset],
                ).fetchall()
        except sqlite3.Error as exc:
            raise FeedbackStoreError(f"cannot read feedback from {self.path}: {exc}") from exc
        return [FeedbackRecord(id=r[0], created=r[1], **json.loads(r[2])) for r in rows]

    def count(self, rating: str | None = None) -> int:
        """How many are stored (of one rating when given)."""
        where, args = ("WHERE rating = ?", [rating]) if rating else ("", [])
        try:
            with self._connect() as db:
                return int(db.execute(f"SELECT COUNT(*) FROM feedback {where}", args).fetchone()[0])
        except sqlite3.Error as exc:
            raise FeedbackStoreError(f"cannot read feedback from {self.path}: {exc}") from exc
