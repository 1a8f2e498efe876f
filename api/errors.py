"""Exception handlers: every error is JSON with a one-line `detail`, never a traceback."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.answerers.base import AnswererUnavailable

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


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """Every method some route of this path accepts, found by asking each route whether it
    fully matches the path with that method (Starlette lists only the first route's; the
    static-file mount takes GET and HEAD)."""
    methods: set[str] = set()
    base = request.scope
    for method in METHODS:
        scope = {
            "type": "http", "method": method, "path": base["path"], "headers": [],
            "root_path": base.get("app_root_path", ""), "query_string": b"",
        }
        for route in request.app.router.routes:
            match, _ = route.matches(scope)
            if match == Match.FULL:
                methods |= {"GET", "HEAD"} & {method} if isinstance(route, Mount) else {method}
                break
    return ", ".join(sorted(methods))


class JsonBodyLimit:
    """Starlette answers an over-limit request body with a plain-text 413; this turns it
    into the JSON error every other status gets, naming the limits."""

    def __init__(self, app: ASGIApp, detail: str) -> None:
        self.app = app
        self.body = json.dumps({"detail": detail}).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replacing = False

        async def send_json(message: Message) -> None:
            nonlocal replacing
            if message["type"] == "http.response.start" and message["status"] == 413:
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"application/json"):
                    replacing = True
                    await send({
                        "type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(self.body)).encode())],
                    })
                    await send({"type": "http.response.body", "body": self.body})
                    return
            if replacing:
                return  # the plain-text body is dropped
            await send(message)

        await self.app(scope, receive, send_json)


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    headers = dict(exc.headers or {})
    status = exc.status_code
    if status == 400:  # FastAPI's "error parsing the body": bad encoding or a broken form
        status, detail = 422, "body: cannot be parsed (invalid JSON, text encoding or form data)"
    if status == 405:
        headers["Allow"] = allowed_methods(request)
    return JSONResponse(
        {"detail": " ".join(detail.split())}, status_code=status, headers=headers
    )


async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(
        {"detail": f"the answering service is unavailable: {' '.join(str(exc).split())}"},
        status_code=503,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(
        {"detail": f"internal error ({type(exc).__name__}); see the server log"}, status_code=500
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(AnswererUnavailable, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
