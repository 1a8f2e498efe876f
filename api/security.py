"""Who may call the API.

With API keys: `Authorization: Bearer <key>` on everything but /health, the page's files and
the API documentation (which holds no data). Without keys (the default, loopback only) any
web page the user visits could otherwise post to the server through the user's browser, so
`SameOriginMiddleware` accepts only the bound host names in `Host` (no DNS rebinding) and
refuses state-changing requests whose `Origin` (or `Sec-Fetch-Site`) shows they come from
another site.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from urllib.parse import urlsplit

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


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def allowed_host_names(bound_host: str, configured: list[str]) -> frozenset[str]:
    """The Host names to accept: the configured list, else the bound host (plus every
    loopback name when it is a loopback address)."""
    if configured:
        return frozenset(_bare_host(h) for h in configured)
    names = {_bare_host(bound_host)}
    if is_loopback(bound_host):
        names |= {"localhost", "127.0.0.1", "::1"}
    return frozenset(names)


def _bare_host(host: str) -> str:
    """'Example.org.:8000' -> 'example.org'; '[::1]:8000' -> '::1'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    name, colon, port = host.rpartition(":")
    if colon and port.isdigit() and ":" not in name:
        host = name
    return host.rstrip(".")


def _port(host_header: str) -> str:
    host = host_header.strip()
    tail = host[host.find("]") + 1 :] if host.startswith("[") else host
    _, colon, port = tail.rpartition(":")
    return port if colon and port.isdigit() else ""


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SameOriginMiddleware:
    """Without API keys: 400 for a Host that is not one of this server's names, 403 for a
    state-changing request from another origin (`Origin` of another host or port, `null`,
    or `Sec-Fetch-Site: cross-site/same-site`). Clients that are not browsers send
    neither header and are unaffected."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "")
        if host and _bare_host(host) not in self.hosts:
            shown = " ".join(host.split())[:100]
            await _refuse(send, 400, f"unknown Host {shown!r}: this server answers to "
                          f"{', '.join(sorted(self.hosts))} (IGR_ALLOWED_HOSTS)")
            return
        if scope["method"] not in SAFE_METHODS:
            default_port = "443" if scope.get("scheme") == "https" else "80"
            reason = self._cross_site(headers, host, default_port)
            if reason:
                await _refuse(send, 403, f"cross-site request refused: {reason}")
                return
        await self.app(scope, receive, send)

    def _cross_site(self, headers: dict[str, str], host: str, default_port: str) -> str | None:
        origin = headers.get("origin")
        if origin is not None:
            try:
                parts = urlsplit(origin.strip())
                port = str(parts.port or {"http": 80, "https": 443}.get(parts.scheme, ""))
            except ValueError:  # a port that is not a number
                return "the request has a malformed Origin"
            if origin.strip().lower() == "null" or not parts.hostname:
                return "the request has an opaque Origin"
            own_port = _port(host) or default_port
            if parts.hostname.lower() not in self.hosts or port != own_port:
                shown = " ".join(origin.split())[:100]
                return f"Origin {shown} is not this server"
            return None
        site = headers.get("sec-fetch-site", "").strip().lower()
        if site in ("cross-site", "same-site"):
            return f"Sec-Fetch-Site is {site}"
        return None
