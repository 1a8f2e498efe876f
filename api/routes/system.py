"""`GET /health`, `GET /metrics` and the chat page at `/`."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from api.deps import get_metrics
from api.metrics import CONTENT_TYPE
from api.schemas import ErrorBody, HealthBody

log = logging.getLogger("igr.api")
router = APIRouter(tags=["system"])
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@router.get(
    "/health", response_model=HealthBody, responses={503: {"model": HealthBody}}
)
def health(request: Request) -> JSONResponse:
    """Store reachable, model loaded, number of documents; 503 when not ready."""
    assistant = getattr(request.app.state, "assistant", None)
    if assistant is None:
        body = HealthBody(status="unavailable", store=False, model=False, documents=0,
                          detail="the assistant is not loaded")
        return JSONResponse(body.model_dump(), status_code=503)
    try:
        info = assistant.health()
        store, model = bool(info.get("store")), bool(info.get("model"))
        documents = int(info.get("documents") or 0)  # type: ignore[call-overload]
        warming, detail = bool(info.get("warming")), None
    except Exception as exc:  # a health probe reports, it does not fail
        log.warning("health check failed: %s", exc)
        store, model, documents, warming = False, False, 0, False
        detail = f"{type(exc).__name__}: {exc}"
    ok = store and model
    body = HealthBody(status="ok" if ok else "unavailable", store=store, model=model,
                      documents=documents, warming=warming, detail=detail)
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, 401: {"model": ErrorBody}},
)
def metrics(request: Request) -> Response:
    """Prometheus metrics of this process."""
    metrics = get_metrics(request)
    lexical = getattr(getattr(request.app.state, "assistant", None), "lexical", None)
    if lexical is not None:
        metrics.set_lexical(lexical.stats)
    return Response(metrics.render(), media_type=CONTENT_TYPE)


@router.get("/", include_in_schema=False)
def page() -> FileResponse:
    """The chat page."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")
