"""Exception handlers: every error is JSON with a one-line `detail`, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("igr.api")

_FRIENDLY = {
    "extra_forbidden": "unknown field",
    "missing": "field required",
    "json_invalid": "invalid JSON",
}


def describe_validation(errors: list[dict]) -> str:
    """`where: what` for each validation error, joined on one line."""
    parts: list[str] = []
    for err in errors[:5]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        where = ".".join(loc) or "body"
        what = _FRIENDLY.get(err.get("type", ""), str(err.get("msg", "invalid value")))
        what = what.removeprefix("Value error, ")
        parts.append(f"{where}: {what}")
    if len(errors) > 5:
        parts.append(f"and {len(errors) - 5} more")
    return " ".join("; ".join(parts).split())


async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"detail": describe_validation(list(exc.errors()))}, status_code=422)


async def _http(_: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return JSONResponse(
        {"detail": " ".join(detail.split())}, status_code=exc.status_code, headers=exc.headers
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": f"internal error ({type(exc).__name__}); see the server log"}, status_code=500
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
