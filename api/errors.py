"""Exception handlers: every error is JSON with a one-line `detail`, never a traceback.

Errors of the OpenAI-compatible `/v1` routes also carry OpenAI's `error` object
(`message`, `type`, `param`, `code`), which OpenAI clients turn into their exceptions.
"""

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

OPENAI_PREFIX = "/v1/"
_OPENAI_TYPES = {401: "authentication_error", 500: "server_error", 503: "server_error"}


class OpenAIError(HTTPException):
    """An HTTP error with OpenAI's `code` and `param` (e.g. 404 `model_not_found`)."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 param: str | None = None) -> None:
        super().__init__(status, message)
        self.code = code
        self.param = param


def error_body(path: str, status: int, detail: str, code: str | None = None,
               param: str | None = None) -> dict:
    """`{"detail"}`, plus OpenAI's `{"error"}` object on the `/v1` routes."""
    detail = " ".join(detail.split())
    body: dict = {"detail": detail}
    if path.startswith(OPENAI_PREFIX):
        body["error"] = {
            "message": detail,
            "type": _OPENAI_TYPES.get(status, "invalid_request_error"),
            "param": param,
            "code": code,
        }
    return body


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


def _first_param(errors: list[dict]) -> str | None:
    for err in errors[:1]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        return ".".join(loc) or None
    return None


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    body = error_body(request.url.path, 422, describe_validation(errors),
                      code="invalid_value", param=_first_param(errors))
    return JSONResponse(body, status_code=422)


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
    code = getattr(exc, "code", None)
    param = getattr(exc, "param", None)
    return JSONResponse(
        error_body(request.url.path, status, detail, code, param), status_code=status,
        headers=headers,
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    detail = f"the answering service is unavailable: {exc}"
    return JSONResponse(error_body(request.url.path, 503, detail), status_code=503)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    detail = f"internal error ({type(exc).__name__}); see the server log"
    return JSONResponse(error_body(request.url.path, 500, detail), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(AnswererUnavailable, _unavailable)
    app.add_exception_handler(Exception, _unexpected)
