"""`GET /glossary` and `GET /quiz`: devolution-literacy training material from the corpus."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from api.deps import get_assistant, get_settings
from api.schemas import ErrorBody
from assistant.glossary import Glossary, GlossaryEntry, GlossaryError
from assistant.quiz import Quiz

router = APIRouter(tags=["training"])
ERRORS = {401: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody},
          503: {"model": ErrorBody}}


def _service(request: Request):
    from assistant.training import training_service

    assistant = get_assistant(request)
    return assistant, training_service(assistant.store, get_settings(request))


def _unavailable(exc: GlossaryError) -> HTTPException:
    return HTTPException(503, f"the glossary is unavailable: {exc}")


@router.get("/glossary", response_model=Glossary | list[GlossaryEntry], responses=ERRORS)
async def glossary(
    request: Request,
    term: Annotated[str | None, Query(max_length=200, description="look one term up")] = None,
):
    """Every key term with its verbatim, cited definition; with `term`, that term's entries
    (exact term or acronym, else terms containing it, else close spellings)."""
    _, service = _service(request)
    try:
        found = await run_in_threadpool(service.glossary)
    except GlossaryError as exc:
        raise _unavailable(exc) from exc
    if term is None:
        return found
    entries = found.lookup(term)
    if not entries:
        raise HTTPException(404, f"no glossary entry for {term!r}")
    return entries


@router.get("/quiz", response_model=Quiz, responses=ERRORS)
async def quiz(
    request: Request,
    n: Annotated[int, Query(ge=1, description="number of questions (at most "
                            "IGR_QUIZ_MAX_QUESTIONS)")] = 10,
    topic: Annotated[str | None, Query(max_length=200, description="only questions about "
                                       "this term")] = None,
    seed: Annotated[int, Query(ge=0, le=2**31, description="another seed, another "
                               "quiz")] = 1,
) -> Quiz:
    """Questions built from the corpus, each answerable from its cited quote (checked by
    the citation verifier); fewer than `n` when the corpus offers fewer."""
    limit = get_settings(request).quiz_max_questions
    if n > limit:
        raise HTTPException(422, f"n: at most {limit} questions (IGR_QUIZ_MAX_QUESTIONS)")
    assistant, service = _service(request)
    try:
        return await run_in_threadpool(
            service.quiz, lambda: assistant.verifier, n=n, seed=seed, topic=topic
        )
    except GlossaryError as exc:
        raise _unavailable(exc) from exc
