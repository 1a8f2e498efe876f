"""Saving an uploaded file safely under `<store_dir>/uploads/`, and tidying that folder.

An upload is first written to a hidden staging file (`.incoming-*`), parsed and embedded
from there without any lock, then moved to its name under the lock that guards the index;
an existing upload of that name is kept as `.prev-<name>` until the new one is committed.
A server killed half way leaves such files behind: `clean_uploads` resolves them at start-up.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from vectorstore.models import IngestReport

UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 120


class UploadRejected(Exception):
    """An upload refused with an HTTP status and a one-line reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


STAGING_PREFIX = ".incoming-"
BACKUP_PREFIX = ".prev-"
DEFAULT_STEM = "upload"


def uploads_dir(store_dir: Path) -> Path:
    return Path(store_dir) / "uploads"


def sniff_type(head: bytes) -> str:
    """The extension a file's first bytes show: pdf, docx (a zip), html, else txt."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"%pdf-"):
        return "pdf"
    if start.startswith(b"pk\x03\x04"):
        return "docx"
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    return "txt"


def safe_filename(name: str | None, head: bytes = b"") -> str:
    """A plain file name: no directories, no hidden names, only [A-Za-z0-9._-]. A name
    without an extension (or no name) gets the type its first bytes show."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, ext = base.rpartition(".")
    if not dot or not ext.strip():
        stem, ext = (stem if dot else base), sniff_type(head)
        stem = _UNSAFE.sub("_", stem).strip("._-") or DEFAULT_STEM
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


def stage_upload(source: BinaryIO, directory: Path, filename: str, max_bytes: int) -> Path:
    """Copy `source` to a new hidden staging file in `directory`; 413 past `max_bytes`,
    422 when empty. The caller moves it to `directory/filename` or deletes it."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=STAGING_PREFIX, suffix=f"-{filename}", dir=directory)
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
        return tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def backup(path: Path) -> Path | None:
    """Keep a hidden copy of an existing upload so a failed replacement can be undone."""
    if not path.exists():
        return None
    kept = path.with_name(f"{BACKUP_PREFIX}{path.name}")
    shutil.copy2(path, kept)
    return kept


def clean_uploads(folder: Path, indexed: dict[str, set[str]], key_of: Callable[[Path], str]
                  ) -> list[str]:
    """Resolve what a killed upload left in `folder`; returns the names removed/restored.

    `indexed` maps each indexed file path to its index keys, `key_of(path)` gives the key
    a file would have. Staging files go; a `.prev-<name>` backup goes if the index holds
    `<name>` as it is now, else it is put back (the replacement never reached the index);
    a file the index does not hold at all is an orphan and goes.
    """
    if not folder.is_dir():
        return []
    done: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and path.name.startswith((STAGING_PREFIX, ".upload-")):
            path.unlink(missing_ok=True)
            done.append(f"removed {path.name}")
    for kept in sorted(folder.glob(f"{BACKUP_PREFIX}*")):
        target = kept.with_name(kept.name[len(BACKUP_PREFIX) :])
        keys = indexed.get(str(target))
        if keys and target.is_file() and key_of(target) in keys:
            kept.unlink()
            done.append(f"removed {kept.name}")
        elif keys and key_of(kept) in keys:
            kept.replace(target)
            done.append(f"restored {target.name}")
        else:
            kept.unlink()
            done.append(f"removed {kept.name}")
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith(".") and str(path) not in indexed:
            path.unlink()
            done.append(f"removed orphan {path.name}")
    return done


def public_report(report: IngestReport, store_dir: Path) -> IngestReport:
    """The report with every file path shown relative to the store (`uploads/x.pdf`) or as
    a bare file name: clients never see the server's absolute paths."""
    root = str(Path(store_dir).resolve())

    def shown(path: str) -> str:
        resolved = str(Path(path).resolve()) if path else path
        if resolved.startswith(root + os.sep):
            return resolved[len(root) + 1 :]
        return Path(path).name

    def scrub(text: str) -> str:
        return text.replace(root + os.sep, "")

    return report.model_copy(
        update={
            "skipped": [
                s.model_copy(update={"path": shown(s.path), "reason": scrub(s.reason)})
                for s in report.skipped
            ],
            "duplicates": [
                {**d, "path": shown(d.get("path", ""))} for d in report.duplicates
            ],
            "near_duplicates": [
                {**d, "path": shown(d.get("path", ""))} for d in report.near_duplicates
            ],
        }
    )
