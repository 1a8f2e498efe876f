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
    safe_filename,
    save_upload,
    uploads_dir,
)
from ingest.discovery import doc_id_for
from vectorstore.models import DocumentInfo, IngestReport

router = APIRouter(tags=["documents"])
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
    """Upload one document (.txt .md .html .htm .pdf .docx); it is indexed at once."""
    assistant = get_assistant(request)
    settings = get_settings(request)
    try:
        name = safe_filename(file.filename)
        folder = uploads_dir(settings.store_dir)
        max_bytes = int(settings.max_upload_mb * 1024 * 1024)
        with _ingest_lock:
            previous = backup(folder / name)
            try:
                path = save_upload(file.file, folder, name, max_bytes)
                report = assistant.ingest([path])
                _check(report, path, name)
            except BaseException:
                _undo(folder / name, previous)
                raise
            if previous is not None:
                previous.unlink(missing_ok=True)
    except UploadRejected as exc:
        raise HTTPException(exc.status, exc.reason) from exc
    return UploadResult(doc_id=doc_id_for(path, path.parent), filename=name, report=report)


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
        _forget_upload(uploads_dir(get_settings(request).store_dir), doc_id)
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
    """Delete `uploads/<doc_id>.<ext>` so a later re-ingest does not bring it back."""
    if "/" in doc_id or doc_id.startswith("."):
        return
    for ext in UPLOAD_TYPES:
        candidate = folder / f"{doc_id}{ext}"
        if candidate.resolve().parent == folder.resolve() and candidate.is_file():
            candidate.unlink()
