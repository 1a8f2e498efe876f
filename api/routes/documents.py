"""`GET/POST /documents`, `GET/DELETE /documents/{doc_id}`: the indexed documents."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile

from api.deps import get_assistant, get_settings
from api.schemas import ErrorBody, RemoveResult, UploadResult
from api.uploads import (
    UPLOAD_TYPES,
    UploadRejected,
    backup,
    public_report,
    safe_filename,
    stage_upload,
)
from ingest.discovery import UPLOADS_NAMESPACE, is_upload_id
from ingest.errors import UnreadableFile
from vectorstore.indexer import UploadConflict
from vectorstore.models import DocumentInfo, IngestReport

router = APIRouter(tags=["documents"])
# Guards the index and the uploads folder; held only to commit, never while a file is parsed
# or embedded (that runs in this request's worker thread, off the event loop).
_ingest_lock = threading.Lock()


@router.get("/documents", response_model=list[DocumentInfo], responses={401: {"model": ErrorBody}})
def list_documents(request: Request) -> list[DocumentInfo]:
    """Every indexed document with its type, date, pages and chunk count."""
    return get_assistant(request).documents()


@router.get(
    "/documents/{doc_id:path}",
    response_model=DocumentInfo,
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
def get_document(doc_id: str, request: Request) -> DocumentInfo:
    """One indexed document (what a citation's `url` points to when the original is not on
    the web)."""
    for doc in get_assistant(request).documents():
        if doc.doc_id == doc_id:
            return doc
    raise HTTPException(404, f"no document with doc_id {doc_id!r}")


@router.post(
    "/documents",
    status_code=201,
    response_model=UploadResult,
    responses={
        401: {"model": ErrorBody},
        409: {"model": ErrorBody},
        413: {"model": ErrorBody},
        415: {"model": ErrorBody},
        422: {"model": ErrorBody},
    },
)
def upload_document(
    request: Request,
    file: Annotated[UploadFile, File(description="The document: .txt .md .html .htm .pdf or "
                                     ".docx, at most IGR_MAX_UPLOAD_MB.")],
) -> UploadResult:
    """Upload one document (.txt .md .html .htm .pdf .docx; a name without an extension gets
    the type its content shows). It is indexed at once as `uploads/<name>`, and never
    replaces or evicts a document it did not create: a copy of an indexed document is 409."""
    assistant = get_assistant(request)
    settings = get_settings(request)
    try:
        head = file.file.read(64)
        file.file.seek(0)
        name = safe_filename(file.filename, head)
        folder = settings.uploads_dir()
        max_bytes = int(settings.max_upload_mb * 1024 * 1024)
        staged = stage_upload(file.file, folder, name, max_bytes)
        try:
            report = _index(assistant, staged, folder / name, name)
        finally:
            staged.unlink(missing_ok=True)
    except UploadRejected as exc:
        raise HTTPException(exc.status, exc.reason) from exc
    doc_id = UPLOADS_NAMESPACE + name.rsplit(".", 1)[0]
    return UploadResult(
        doc_id=doc_id, filename=name, report=public_report(report, settings.store_dir)
    )


def _index(assistant, staged: Path, target: Path, name: str) -> IngestReport:
    """Parse and embed `staged` (no lock), then, under the lock, move it to `target` and
    commit it; on any failure the previous upload of that name is put back."""
    try:
        prepared = assistant.prepare_upload(staged, target)
    except UnreadableFile as exc:
        raise UploadRejected(422, f"cannot ingest {name}: {exc}") from exc
    with _ingest_lock:
        previous = backup(target)
        try:
            staged.replace(target)
            report = assistant.commit_upload(prepared)
            _check(report, target, name)
        except UploadConflict as exc:
            _undo(target, previous)
            raise UploadRejected(409, f"{name}: {exc}; delete it first") from exc
        except BaseException:
            _undo(target, previous)
            raise
        if previous is not None:
            previous.unlink(missing_ok=True)
    return report


@router.delete(
    "/documents/{doc_id:path}",
    response_model=RemoveResult,
    responses={401: {"model": ErrorBody}, 404: {"model": ErrorBody}},
)
def remove_document(doc_id: str, request: Request) -> RemoveResult:
    """Remove a document from the index (and its uploaded file, if it was uploaded)."""
    assistant = get_assistant(request)
    with _ingest_lock:
        if not assistant.remove_document(doc_id):
            raise HTTPException(404, f"no document with doc_id {doc_id!r}")
        _forget_upload(get_settings(request).uploads_dir(), doc_id)
    return RemoveResult(removed=doc_id)


def _check(report: IngestReport, path: Path, name: str) -> None:
    """409 when the upload was dropped as a copy of an indexed document, 422 when unreadable.

    Entries about other files (e.g. an older copy the upload replaced) are left in the report.
    """

    def is_upload(reported: str | None) -> bool:
        return reported is not None and Path(reported).resolve() == path.resolve()

    for dup in report.duplicates:
        if is_upload(dup.get("path")):
            original = dup.get("duplicate_of", "another document")
            raise UploadRejected(409, f"{name} has the same text as {original}, already indexed")
    for skipped in report.skipped:
        if is_upload(skipped.path):
            raise UploadRejected(422, f"cannot ingest {name}: {skipped.reason}")


def _undo(path: Path, previous: Path | None) -> None:
    if previous is not None:
        previous.replace(path)
    else:
        path.unlink(missing_ok=True)


def _forget_upload(folder: Path, doc_id: str) -> None:
    """Delete the file of an uploaded document (`uploads/<stem>` -> `<stem>.<ext>`), so a
    later re-ingest does not bring it back. Other ids name corpus files, never touched here
    (a file left by an upload from before the namespace is an orphan, tidied at start-up)."""
    if not is_upload_id(doc_id):
        return
    stem = doc_id[len(UPLOADS_NAMESPACE) :]
    if "/" in stem or stem.startswith(".") or not stem:
        return
    for ext in UPLOAD_TYPES:
        candidate = folder / f"{stem}{ext}"
        if candidate.resolve().parent == folder.resolve() and candidate.is_file():
            candidate.unlink()
