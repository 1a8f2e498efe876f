"""Find the files to ingest under the given paths and name each with its doc_id.

A directory is the corpus root of everything beneath it (walked recursively, sorted,
hidden files and folders ignored); a file given directly has its parent as root.
Corpus bookkeeping files met during a walk (``MANIFEST.*``, ``README.*``, ``LICENSE.*``,
``CHANGELOG.*``) are ignored silently, not reported as skipped: they describe the corpus
rather than belong to it. Given explicitly, such a file is ingested like any other.
Symbolic links met during a walk are skipped with a reason, never followed (a link to
``/etc/passwd`` planted in a corpus folder is not indexed); a link given explicitly is.

Uploaded files (under ``Settings.uploads_dir()``) have doc ids of their own namespace,
``uploads/<name>``, however they are reached; no other file may take an id in it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ingest.models import SkippedFile, SourceFile
from ingest.settings import Settings

SUPPORTED_EXTENSIONS = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx"})
_BOOKKEEPING_STEMS = frozenset({"manifest", "readme", "license", "licence", "changelog"})


def is_bookkeeping(path: Path) -> bool:
    """Corpus housekeeping files that are silently ignored during a directory walk."""
    return path.stem.lower() in _BOOKKEEPING_STEMS


UPLOADS_NAMESPACE = "uploads/"


def doc_id_for(path: Path, root: Path) -> str:
    """Path relative to root, without extension, with '/' separators."""
    rel = path.relative_to(root)
    return rel.with_suffix("").as_posix()


def is_upload_id(doc_id: str) -> bool:
    """Whether a doc id is in the uploads namespace."""
    return doc_id.startswith(UPLOADS_NAMESPACE)


def is_upload_path(path: Path | str, settings: Settings) -> bool:
    """Whether ``path`` is an uploaded file (inside ``settings.uploads_dir()``)."""
    folder = settings.uploads_dir().resolve()
    return Path(path).resolve().is_relative_to(folder) and Path(path).resolve() != folder


def upload_source(path: Path, settings: Settings) -> SourceFile:
    """The SourceFile of an uploaded file: doc id ``uploads/<stem>``."""
    root = settings.uploads_dir().resolve().parent
    return SourceFile(path=path, root=root, doc_id=doc_id_for(path.resolve(), root))


def _check_file(path: Path, root: Path, settings: Settings) -> SourceFile | SkippedFile:
    shown = str(path)
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        supported = " ".join(sorted(SUPPORTED_EXTENSIONS))
        ext = path.suffix or "(none)"
        reason = f"unsupported file type {ext} (supported: {supported})"
        return SkippedFile(path=shown, reason=reason)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return SkippedFile(path=shown, reason=f"cannot read file: {exc.strerror or exc}")
    if size > settings.max_file_mb * 1024 * 1024:
        return SkippedFile(
            path=shown,
            reason=f"file too large: {size / 1048576:.1f} MB"
            f" > max_file_mb={settings.max_file_mb:g}",
        )
    if not os.access(path, os.R_OK):
        return SkippedFile(path=shown, reason="cannot read file: permission denied")
    if is_upload_path(path, settings):
        return upload_source(path, settings)
    doc_id = doc_id_for(path, root)
    if is_upload_id(doc_id):
        reason = f"doc id {doc_id!r} is reserved for uploaded files; rename the folder"
        return SkippedFile(path=shown, reason=reason)
    return SourceFile(path=path, root=root, doc_id=doc_id)


_LINK = "symbolic link, not followed in a folder walk (give the file itself to ingest it)"


def _walk(root: Path, skipped: list[SkippedFile]) -> list[Path]:
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        reason = f"cannot read folder: {exc.strerror or exc}"
        skipped.append(SkippedFile(path=str(exc.filename or root), reason=reason))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=False):
        linked = [d for d in dirnames if not d.startswith(".") and os.path.islink(
            os.path.join(dirpath, d))]
        skipped.extend(SkippedFile(path=os.path.join(dirpath, d), reason=_LINK) for d in linked)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in linked)
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                reason = _LINK if os.path.exists(full) else "broken symbolic link"
                skipped.append(SkippedFile(path=full, reason=reason))
                continue
            found.append(Path(dirpath) / name)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def discover(
    paths: Sequence[Path], settings: Settings
) -> tuple[list[SourceFile], list[SkippedFile]]:
    """Files to ingest under ``paths`` (sorted per root), and those skipped with a reason."""
    sources: list[SourceFile] = []
    skipped: list[SkippedFile] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            root = path.absolute()
            candidates = [(p, False) for p in _walk(root, skipped)]
        elif path.is_file():
            root = path.absolute().parent
            candidates = [(path.absolute(), True)]
        elif path.is_symlink():
            skipped.append(SkippedFile(path=str(path), reason="broken symbolic link"))
            continue
        else:
            skipped.append(SkippedFile(path=str(path), reason="no such file or directory"))
            continue
        for file, explicit in candidates:
            if not explicit and is_bookkeeping(file):
                continue
            if not file.exists():
                skipped.append(SkippedFile(path=str(file), reason="broken symbolic link"))
                continue
            if file in seen:
                continue
            seen.add(file)
            result = _check_file(file, root, settings)
            (sources if isinstance(result, SourceFile) else skipped).append(result)
    return sources, skipped
