"""API keys: `Authorization: Bearer <key>` on everything but /health, the page's files and
the API documentation (which holds no data)."""

from __future__ import annotations

import hmac
import ipaddress
import json

from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_body

OPEN_PATHS = frozenset({"/", "/health", "/favicon.ico", "/docs", "/redoc", "/openapi.json",
                        "/docs/oauth2-redirect"})
OPEN_PREFIXES = ("/static/",)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_open_path(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def key_matches(header: str | None, keys: list[str]) -> bool:
    """Whether an Authorization header carries one of the keys (constant-time compare)."""
    if not header:
        return False
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    given = token.strip().encode()
    return any(hmac.compare_digest(given, key.encode()) for key in keys)


class ApiKeyMiddleware:
    """Answers 401 (with `WWW-Authenticate: Bearer`) unless a configured key is sent."""

    def __init__(self, app: ASGIApp, keys: list[str]) -> None:
        self.app = app
        self.keys = [k for k in keys if k]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.keys or is_open_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if key_matches(headers.get("authorization"), self.keys):
            await self.app(scope, receive, send)
            return
        reason = "invalid API key" if headers.get("authorization") else "missing API key"
        detail = f"{reason}: send the header 'Authorization: Bearer <key>'"
        code = "invalid_api_key" if headers.get("authorization") else "missing_api_key"
        body = json.dumps(error_body(scope["path"], 401, detail, code)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b"Bearer"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
