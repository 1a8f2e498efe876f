"""Waiting for a server a test started: poll a URL until it answers 200."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest


def wait_for_http(
    url: str, alive: Callable[[], bool], log: Callable[[], str], timeout_s: float = 240,
    interval_s: float = 0.5,
) -> None:
    """Return once GET `url` answers 200; fail with the server's `log` if it dies (`alive`
    turns false) or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if not alive():
            pytest.fail(f"the server behind {url} stopped: {log()[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"{url} did not answer within {timeout_s:g} s: {log()[-3000:]}")
        time.sleep(interval_s)
