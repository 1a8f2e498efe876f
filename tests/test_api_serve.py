"""`igr serve` as a real process: loopback-only without keys, and two servers sharing one
Chroma server (scale-out: nothing lives only in one process)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.server import free_port
from tests.test_chroma_server import chroma_url  # noqa: F401  (the shared Chroma-server fixture)
from tests.waiting import wait_for_http

IGR = Path(sys.executable).with_name("igr")


def serve_env(store: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    env.update(
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
        IGR_STORE_DIR=str(store), IGR_CORPUS_DIRS=str(store / "corpus"), IGR_API_KEYS="",
    )
    env.update(extra)
    return env


def run_serve(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(IGR), "serve", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_serve_without_keys_refuses_a_public_address(tmp_path) -> None:
    result = run_serve(["--host", "0.0.0.0", "--port", "8765"], serve_env(tmp_path))
    assert result.returncode == 2
    assert "refusing to bind 0.0.0.0 without API keys" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_serve_refuses_a_port_in_use(tmp_path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_serve(["--port", str(port)], serve_env(tmp_path))
    assert result.returncode == 2 and f"cannot bind 127.0.0.1:{port}" in result.stderr


class ServeProcess:
    """An `igr serve --allow-empty` subprocess on a free loopback port."""

    def __init__(self, store: Path, args: tuple[str, ...] = (), **env: str) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = store / "serve.log"
        self.proc = subprocess.Popen(
            [str(IGR), "serve", "--port", str(self.port), "--allow-empty", *args],
            env=serve_env(store, **env), stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout_s: float = 240) -> None:
        wait_for_http(f"{self.url}/health", lambda: self.proc.poll() is None,
                      self.log.read_text, timeout_s=timeout_s)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)


FILLERS = {
    "kestrel.txt": "The Kestrel Harbour Accord is a fictional agreement about ferry timetables. "
    "The Joint Harbours Board meets every six weeks in Oban.",
    "heron.txt": "The Heron Bridge Protocol is a fictional note on footbridges between councils. "
    "It asks each council to inspect its bridges every spring.",
    "marram.txt": "The Marram Dunes Understanding is a fictional note about coastal paths. "
    "Rangers from both sides of the border share one map of the dunes.",
    "plover.txt": "The Plover Note is a fictional memorandum on shared birdwatching hides. "
    "Hides are booked through a single calendar kept by the wardens.",
}
RARE = (
    "The Quillonbrack Register is a fictional ledger of lighthouse lamps. The Quillonbrack "
    "Register is kept in Stornoway and lists every lamp change since 1990."
)


@pytest.fixture(scope="module")
def two_servers(chroma_url, tmp_path_factory) -> Iterator[tuple[ServeProcess, ServeProcess]]:  # noqa: F811
    """A (default settings) and B (lexical retrieval only) over one Chroma server."""
    base = tmp_path_factory.mktemp("scale-out")
    a = ServeProcess(base / "a", IGR_CHROMA_URL=chroma_url)
    b = ServeProcess(base / "b", IGR_CHROMA_URL=chroma_url, IGR_DENSE_WEIGHT="0")
    try:
        a.wait_ready()
        b.wait_ready()
        yield a, b
    finally:
        a.stop()
        b.stop()


@pytest.mark.slow
def test_upload_through_one_is_answerable_through_the_other(two_servers) -> None:
    a, b = two_servers
    assert "UNAUTHENTICATED" in a.log.read_text() and "loopback only" in a.log.read_text()
    for name, text in FILLERS.items():
        response = httpx.post(f"{a.url}/documents", files={"file": (name, text)}, timeout=120)
        assert response.status_code == 201, response.text
    rare = httpx.post(f"{a.url}/documents", files={"file": ("quill.txt", RARE)}, timeout=120)
    assert rare.status_code == 201, rare.text
    uploaded_at = time.monotonic()

    question = {"question": "Where is the Quillonbrack Register kept?"}
    deadline = uploaded_at + 10
    while True:
        listed = {d["doc_id"] for d in httpx.get(f"{b.url}/documents", timeout=30).json()}
        result = httpx.post(f"{b.url}/chat", json=question, timeout=120).json()
        top = result["retrieved"][0]["doc_id"] if result["retrieved"] else None
        if "uploads/quill" in listed and top == "uploads/quill":
            break
        assert time.monotonic() < deadline, (listed, result)
        time.sleep(0.5)
    seen_after = time.monotonic() - uploaded_at
    assert seen_after < 10
    assert {c["doc_id"] for c in result["citations"]} == {"uploads/quill"}
    assert httpx.get(f"{b.url}/health").json()["documents"] == len(FILLERS) + 1

    # and a removal through B is seen by A
    assert httpx.delete(f"{b.url}/documents/uploads/quill", timeout=60).status_code == 200
    deadline = time.monotonic() + 10
    while "uploads/quill" in {d["doc_id"] for d in httpx.get(f"{a.url}/documents").json()}:
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_workers_need_a_chroma_server(tmp_path) -> None:
    result = run_serve(["--workers", "2", "--port", str(free_port())], serve_env(tmp_path))
    assert result.returncode == 2
    assert "--workers above 1 needs a Chroma server" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_two_workers_share_one_chroma_server(chroma_url, tmp_path) -> None:  # noqa: F811
    server = ServeProcess(tmp_path / "workers", ("--workers", "2"), IGR_CHROMA_URL=chroma_url)
    try:
        server.wait_ready()
        children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children")
        pids = children.read_text().split()
        assert len(pids) >= 2, "two worker processes under igr serve"
        text = ("The Gannetstone Charter is a fictional accord about lighthouse keepers. "
                "The Gannetstone Charter was signed in Kirkwall in 2011.")
        up = httpx.post(f"{server.url}/documents", files={"file": ("gannet.txt", text)},
                        timeout=120)
        assert up.status_code == 201, up.text
        time.sleep(1.5)  # the other worker's generation check (every second)
        for _ in range(6):  # whichever worker answers, it finds the upload
            body = httpx.post(f"{server.url}/chat", timeout=120,
                              json={"question": "Where was the Gannetstone Charter signed?"})
            assert body.status_code == 200
            assert body.json()["retrieved"][0]["doc_id"] == "uploads/gannet"
    finally:
        server.stop()
