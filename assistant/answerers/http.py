"""HTTP plumbing shared by answerers that speak to a server with httpx (Ollama): one checked
POST, and failures as one clear line."""

from __future__ import annotations

import json

import httpx

from assistant.answerers.base import AnswererUnavailable


def http_failure(exc: Exception, what: str, timeout: float) -> AnswererUnavailable:
    """One clear line for a failed call to an LLM server."""
    if isinstance(exc, httpx.TimeoutException):
        return AnswererUnavailable(f"{what} did not answer within {timeout:g} s")
    if isinstance(exc, httpx.ConnectError):
        return AnswererUnavailable(f"cannot connect to {what} (is it running?)")
    if isinstance(exc, httpx.HTTPError):
        return AnswererUnavailable(f"{what} failed: {exc.__class__.__name__}: {exc}")
    return AnswererUnavailable(f"{what} failed: {exc}")


def status_failure(response: httpx.Response, what: str) -> AnswererUnavailable:
    """One clear line for an HTTP error status from an LLM server."""
    try:
        body = response.read().decode("utf-8", "replace")
    except httpx.HTTPError:
        body = ""
    try:
        detail = json.loads(body)
        if isinstance(detail, dict):
            err = detail.get("error", detail)
            body = err.get("message", str(err)) if isinstance(err, dict) else str(err)
    except ValueError:
        pass
    body = " ".join(body.split())[:200]
    hint = " (check IGR_LLM_API_KEY)" if response.status_code in (401, 403) else ""
    return AnswererUnavailable(
        f"{what} answered HTTP {response.status_code}{hint}" + (f": {body}" if body else "")
    )


def post_checked(
    client: httpx.Client, url: str, body: dict, what: str, timeout_s: float
) -> httpx.Response:
    """POST `body`; connection failures and HTTP errors become AnswererUnavailable."""
    try:
        response = client.post(url, json=body)
    except httpx.HTTPError as exc:
        raise http_failure(exc, what, timeout_s) from exc
    if response.status_code >= 400:
        raise status_failure(response, what)
    return response
