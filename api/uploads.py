"""Saving an uploaded file safely under `<store_dir>/uploads/`."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120


class UploadRejected(Exception):
    """An upload refused with an HTTP status and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def uploads_dir(store_dir: Path) -> Path:
    return Path(store_dir) / "uploads"


def safe_filename(name: str | None) -> str:
    """A plain file name: no directories, no hidden names, only [A-Za-z0-9._-]."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = ext.lower()
    if f".{ext}" not in UPLOAD_TYPES:
        shown = f".{ext}" if ext else "(none)"
        raise UploadRejected(
            415, f"unsupported file type {shown} (allowed: {' '.join(UPLOAD_TYPES)})"
        )
    stem = _UNSAFE.sub("_", stem).strip("._-")
    stem = stem[: MAX_NAME - len(ext) - 1].rstrip("._-")
    if not stem:
        raise UploadRejected(422, "the file name is empty once unsafe characters are removed")
    return f"{stem}.{ext}"


def save_upload(source: BinaryIO, directory: Path, filename: str, max_bytes: int) -> Path:
    """Copy `source` to `directory/filename` atomically; 413 past `max_bytes`."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".upload-", dir=directory)
    tmp = Path(tmp_name)
    try:
        written = 0
        with os.fdopen(fd, "wb") as out:
            while block := source.read(1 << 20):
                written += len(block)
                if written > max_bytes:
                    raise UploadRejected(
                        413, f"file too large: over {max_bytes / 1048576:g} MB (max_upload_mb)"
                    )
                out.write(block)
        if written == 0:
            raise UploadRejected(422, "the file is empty")
        target = directory / filename
        os.replace(tmp, target)
        return target
    finally:
        tmp.unlink(missing_ok=True)


def backup(path: Path) -> Path | None:
    """Keep a hidden copy of an existing upload so a failed replacement can be undone."""
    if not path.exists():
        return None
    kept = path.with_name(f".prev-{path.name}")
    shutil.copy2(path, kept)
    return kept
