"""`POST /feedback` (thumbs up or down on an answer) and `GET /feedback` (admins)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import get_settings
from api.schemas import ErrorBody
from api.security import key_matches
from assistant.feedback import (
    FeedbackIn,
    FeedbackRecord,
    FeedbackStore,
    FeedbackStoreError,
    feedback_path,
    settings_fingerprint,
)

router = APIRouter(tags=["feedback"])


class FeedbackList(BaseModel):
    """A page of stored feedback."""

    total: int = Field(description="Feedback stored in all.")
    items: list[FeedbackRecord] = Field(description="This page of it, oldest first.")


def _store(request: Request) -> FeedbackStore:
    """The app's feedback store, opened on first use."""
    store = getattr(request.app.state, "feedback", None)
    if store is None:
        try:
            store = FeedbackStore(feedback_path(get_settings(request)))
        except FeedbackStoreError as exc:
            raise HTTPException(503, str(exc)) from exc
        request.app.state.feedback = store
    return store


def _require_admin(request: Request) -> None:
    """With IGR_ADMIN_API_KEYS set, one of those keys is needed (any API key otherwise,
    which the key middleware has already checked)."""
    keys = get_settings(request).admin_api_keys
    if not keys:
        return
    header = request.headers.get("authorization")
    if not key_matches(header, keys):
        raise HTTPException(
            401 if not header else 403,
            "reading feedback needs an admin key (IGR_ADMIN_API_KEYS): send "
            "'Authorization: Bearer <key>'",
        )


@router.post(
    "/feedback", status_code=201, response_model=FeedbackRecord,
    responses={401: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
)
async def give_feedback(body: FeedbackIn, request: Request) -> FeedbackRecord:
    """Record a thumbs up or down (and an optional comment) on an answer, with its
    question, citations and the server's settings fingerprint; stored durably."""
    settings = get_settings(request)
    if len(body.question) > settings.max_question_chars:
        raise HTTPException(422, f"question: longer than {settings.max_question_chars} "
                                 "characters (IGR_MAX_QUESTION_CHARS)")
    if len(body.comment) > settings.feedback_max_comment_chars:
        raise HTTPException(422, f"comment: longer than {settings.feedback_max_comment_chars} "
                                 "characters (IGR_FEEDBACK_MAX_COMMENT_CHARS)")
    store = _store(request)
    try:
        return await run_in_threadpool(store.add, body, settings_fingerprint(settings))
    except FeedbackStoreError as exc:
        raise HTTPException(503, str(exc)) from exc


_MAX_OFFSET = 2**63 - 1  # SQLite's largest integer: beyond it the query cannot be bound


@router.get(
    "/feedback", response_model=FeedbackList,
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 422: {"model": ErrorBody},
               503: {"model": ErrorBody}},
)
async def read_feedback(
    request: Request,
    rating: Annotated[Literal["up", "down"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=_MAX_OFFSET)] = 0,
) -> FeedbackList:
    """Stored feedback, oldest first (admins: IGR_ADMIN_API_KEYS when set)."""
    _require_admin(request)
    store = _store(request)
    try:
        total = await run_in_threadpool(store.count, rating)
        items = await run_in_threadpool(store.list, rating, limit, offset)
    except FeedbackStoreError as exc:
        raise HTTPException(503, str(exc)) from exc
    return FeedbackList(total=total, items=items)
