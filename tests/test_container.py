"""The container image, built and run with the machine's engine (podman or docker).

Skips, saying exactly why, where no engine can build and run images. Otherwise it builds
the Dockerfile and checks: CPU torch 2.13.0, a non-root user, an answer with no network at
all (the model is inside; nothing is downloaded at run time), the refusal to serve beyond
loopback without API keys, the served API answering over HTTP with a key, and compose.yaml
(the API beside a `chroma run` server) through podman-compose.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.server import free_port
from ingest.settings import PROJECT_ROOT
from tests.waiting import wait_for_http

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("IGR_CONTAINER_TESTS") != "1",
        reason="building and running the image takes ~9 minutes on 2 cores, past the suite's "
        "time budget: run `make test-container` (IGR_CONTAINER_TESTS=1)",
    ),
]

IMAGE = "localhost/igr-assistant:test"
BASE = os.environ.get("IGR_CONTAINER_BASE_IMAGE", "python:3.11-slim-bookworm")
LOCAL_BASE = "localhost/igr-base:bookworm"
QUESTION = "What is the Barnett formula?"
# Hosts with cgroups v1/hybrid and no CAP_SYS_RESOURCE: crun refuses, runc with ulimits works.
FALLBACK_GLOBAL = ["--runtime", "runc"]
FALLBACK_RUN = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]


def _run(cmd: list[str], timeout: float = 600, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit {done.returncode}"


class Engine:
    """The container engine and the flags this machine needs."""

    def __init__(self, path: str, global_flags: list[str], run_flags: list[str]) -> None:
        self.path = path
        self.podman = Path(path).name == "podman"
        self.global_flags = global_flags
        self.run_flags = run_flags

    def __call__(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return _run([self.path, *self.global_flags, *args], timeout=timeout)

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return self("run", *self.run_flags, *args, timeout=timeout)


def _base_image(path: str) -> str:
    """The base image, pulled if missing; where no registry answers, one built from Debian's
    mirror by tools/debian_base_image.sh (root and debootstrap needed)."""
    for image in (BASE, LOCAL_BASE):
        if _run([path, "image", "inspect", image]).returncode == 0:
            return image
    pulled = _run([path, "pull", BASE], timeout=600)
    if pulled.returncode == 0:
        return BASE
    if os.geteuid() == 0 and shutil.which("debootstrap"):
        built = _run(["bash", str(PROJECT_ROOT / "tools" / "debian_base_image.sh"), LOCAL_BASE],
                     timeout=1200, env={**os.environ, "ENGINE": path})
        if built.returncode == 0:
            return LOCAL_BASE
        pytest.skip(f"cannot pull {BASE} ({_last_line(pulled)}) nor build a base from "
                    f"Debian's mirror ({_last_line(built)})")
    pytest.skip(f"cannot pull {BASE}: {_last_line(pulled)} (set IGR_CONTAINER_BASE_IMAGE to a "
                "local Python 3.11 image, or install debootstrap to build one)")


@pytest.fixture(scope="module")
def engine() -> Engine:
    path = shutil.which("podman") or shutil.which("docker")
    if path is None:
        pytest.skip("no container engine: neither podman nor docker is on PATH")
    info = _run([path, "info"], timeout=120)
    if info.returncode != 0:
        pytest.skip(f"{Path(path).name} cannot reach a container engine: {_last_line(info)}")
    base = _base_image(path)
    plain = Engine(path, [], [])
    probe = plain.run("--rm", base, "python3", "-c", "print(1)", timeout=300)
    if probe.returncode == 0:
        chosen = plain
    elif plain.podman:
        chosen = Engine(path, FALLBACK_GLOBAL, FALLBACK_RUN)
        retry = chosen.run("--rm", base, "python3", "-c", "print(1)", timeout=300)
        if retry.returncode != 0:
            pytest.skip(f"podman cannot run a container here: {_last_line(probe)}; with runc "
                        f"and lower ulimits: {_last_line(retry)}")
    else:
        pytest.skip(f"docker cannot run a container here: {_last_line(probe)}")
    chosen.base = base  # type: ignore[attr-defined]
    return chosen


def _host_pip_args(engine: Engine) -> list[str]:
    """Pass the host's pip set-up into the build (podman build mounts): its CA bundle (for a
    TLS-inspecting proxy) and a local CPU torch wheel (when download.pytorch.org is not
    reachable from here)."""
    if not engine.podman:
        return []
    args: list[str] = []
    cert = os.environ.get("PIP_CERT")
    if cert and Path(cert).is_file():
        args += ["-v", f"{cert}:/etc/ssl/certs/host-ca.crt:ro",
                 "--build-arg", "PIP_CERT=/etc/ssl/certs/host-ca.crt"]
    for folder in os.environ.get("PIP_FIND_LINKS", "").split():
        if list(Path(folder).glob("torch-2.13.0+cpu-*.whl")):
            args += ["-v", f"{folder}:/wheels:ro", "--build-arg", "PIP_FIND_LINKS=/wheels",
                     "--build-arg", "TORCH_INDEX_URL=https://pypi.org/simple"]
            break
    return args


@pytest.fixture(scope="module")
def image(engine: Engine) -> str:
    fmt = ["--format", "docker"] if engine.podman else []  # docker format keeps HEALTHCHECK
    started = time.monotonic()
    built = engine("build", *fmt, *engine.run_flags, *_host_pip_args(engine),
                   "--build-arg", f"BASE_IMAGE={engine.base}",  # type: ignore[attr-defined]
                   "-t", IMAGE, str(PROJECT_ROOT), timeout=3600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    print(f"\nimage built in {time.monotonic() - started:.0f} s")
    return IMAGE


def test_cpu_torch_and_a_non_root_user(engine, image) -> None:
    done = engine.run("--rm", image, "sh", "-c", "id -u; python3 -c 'import torch; "
                      "print(torch.__version__, torch.cuda.is_available())'; pip list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "10001" and lines[1] == "2.13.0+cpu False"
    assert "nvidia" not in done.stdout.lower()


def test_answers_with_no_network_at_all(engine, image) -> None:
    done = engine.run("--rm", "--network", "none", image, "sh", "-c",
                      f"igr ingest --json > /dev/null && igr ask '{QUESTION}' --json", timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert not result["refused"] and "Barnett" in result["answer"]
    assert result["citations"][0]["doc_id"] == "barnett-formula-in-outline"


def test_refuses_to_serve_without_api_keys(engine, image) -> None:
    done = engine.run("--rm", "--network", "none", image, timeout=900)
    assert done.returncode == 2
    assert "refusing to bind 0.0.0.0 without API keys" in done.stderr


def test_serves_the_api_with_a_key(engine, image) -> None:
    port = free_port()
    started = engine.run("-d", "-p", f"127.0.0.1:{port}:8000", "-e", "IGR_API_KEYS=sesame",
                         image)
    assert started.returncode == 0, started.stderr
    container = started.stdout.strip()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(
            f"{url}/health",
            lambda: engine("inspect", "-f", "{{.State.Running}}", container).stdout.strip()
            == "true",
            lambda: engine("logs", container).stderr, timeout_s=600, interval_s=1,
        )
        assert httpx.post(f"{url}/chat", json={"question": QUESTION}).status_code == 401
        answer = httpx.post(f"{url}/chat", json={"question": QUESTION}, timeout=120,
                            headers={"Authorization": "Bearer sesame"}).json()
        assert answer["citations"] and not answer["refused"]
        assert "swagger" in httpx.get(f"{url}/docs").text.lower()
        if engine.podman:  # the image's own HEALTHCHECK passes
            assert engine("healthcheck", "run", container).returncode == 0
    finally:
        engine("rm", "-f", container, timeout=120)


def test_compose_runs_the_api_beside_a_chroma_server(engine, image, tmp_path) -> None:
    """compose.yaml through podman-compose: the API indexes into the Chroma service and
    answers; without IGR_API_KEYS compose refuses to start."""
    beside = Path(sys.executable).with_name("podman-compose")
    compose = str(beside) if beside.exists() else shutil.which("podman-compose")
    if not engine.podman or compose is None:
        pytest.skip("podman-compose (pip install podman-compose) with podman is needed")
    assert engine("tag", image, "localhost/igr-assistant:latest").returncode == 0
    port = free_port()
    flags = [f"--podman-args={a}" for a in engine.global_flags]
    flags += [f"--podman-run-args={a}={b}" for a, b in zip(engine.run_flags[::2],
                                                          engine.run_flags[1::2], strict=True)]
    base = [compose, *flags, "-f", str(PROJECT_ROOT / "compose.yaml"), "-p", "igr-compose-test"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    refused = _run([*base, "config"], env=env)
    assert refused.returncode != 0 and "IGR_API_KEYS" in refused.stderr
    env.update(IGR_API_KEYS="sesame", IGR_PUBLISH="127.0.0.1", IGR_PORT=str(port))
    up = _run([*base, "up", "-d", "--no-build"], env=env, timeout=600)
    assert up.returncode == 0, up.stderr[-3000:]
    url = f"http://127.0.0.1:{port}"
    try:
        logs = lambda: _run([*base, "logs"], env=env).stdout  # noqa: E731
        wait_for_http(f"{url}/health", lambda: True, logs, timeout_s=600, interval_s=2)
        answer = httpx.post(f"{url}/chat", json={"question": QUESTION}, timeout=120,
                            headers={"Authorization": "Bearer sesame"}).json()
        assert answer["citations"] and not answer["refused"]
        api_env = engine("inspect", "-f", "{{range .Config.Env}}{{println .}}{{end}}",
                         "igr-compose-test_api_1").stdout
        assert "IGR_CHROMA_URL=http://chroma:8001" in api_env  # indexed into the server
    finally:
        _run([*base, "down", "-v"], env=env, timeout=300)
