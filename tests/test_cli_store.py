"""Where the store lives, and `igr` on a missing, empty or foreign store; --version and logs."""

from __future__ import annotations

import json
import subprocess
from importlib.metadata import version
from pathlib import Path

from api.server import free_port
from ingest.settings import PROJECT_ROOT, Settings
from tests.conftest import make_settings
from tests.test_api_serve import serve_env
from tests.test_cli_ingest import IGR, igr
from tests.waiting import wait_for_http

QUESTION = "What is the Barnett formula?"


def one_line_error(done: subprocess.CompletedProcess, command: str) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"igr {command}: "), done.stderr
    return lines[0]


def test_default_store_is_beside_the_samples_whatever_the_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("IGR_STORE_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert Settings(_env_file=None).store_dir == PROJECT_ROOT / ".igr"
    assert (PROJECT_ROOT / "samples").is_dir()


def test_ask_and_serve_on_a_missing_store_exit_2(tmp_path: Path) -> None:
    store = tmp_path / "nowhere"
    for args, command in (([ "ask", QUESTION], "ask"), (["serve", "--port", "1"], "serve")):
        done = igr(store, *args)
        assert done.returncode == 2, done
        message = one_line_error(done, command)
        assert "run `igr ingest` first" in message and str(store) in message
    assert not store.exists()  # looking did not create an empty store


def test_ask_on_an_empty_store_exits_2(tmp_path: Path) -> None:
    from vectorstore.store import ChunkStore

    store = tmp_path / "empty"
    assert ChunkStore(make_settings(store)).count() == 0  # the collection exists, empty
    done = igr(store, "ask", QUESTION)
    assert done.returncode == 2 and "run `igr ingest` first" in one_line_error(done, "ask")


def test_a_collection_igr_did_not_write_is_refused_in_one_line(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    import assistant
    from vectorstore.store import StoreError

    store = tmp_path / "theirs"
    client = chromadb.PersistentClient(path=str(store),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    theirs = client.create_collection("notes", metadata={"owner": "another program"})
    theirs.add(ids=["x"], embeddings=[[0.1, 0.2, 0.3]], documents=["hello"],
               metadatas=[{"tag": "theirs"}])
    done = igr(store, "ask", QUESTION, IGR_COLLECTION="notes")
    assert done.returncode == 2
    message = one_line_error(done, "ask")
    assert "'notes'" in message and "not written by igr-assistant" in message
    try:
        assistant.Assistant(make_settings(store, collection="notes")).ask(QUESTION)
    except StoreError as exc:
        assert "IGR_COLLECTION" in str(exc) and "\n" not in str(exc)
    else:
        raise AssertionError("the Python API answered from a foreign collection")


def test_version(tmp_path: Path) -> None:
    done = igr(tmp_path, "--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"igr-assistant {version('igr-assistant')}"


def test_bad_log_level_is_one_line_exit_2(tmp_path: Path) -> None:
    done = igr(tmp_path, "--log-level", "loud", "docs")
    assert done.returncode == 2 and "log level must be one of" in done.stderr


def test_serve_logs_json_lines(samples_settings, tmp_path: Path) -> None:
    """`igr --log-json serve`: uvicorn's start-up and access lines are JSON objects too."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = serve_env(tmp_path, IGR_STORE_DIR=str(samples_settings.store_dir))
    with log.open("w") as out:
        proc = subprocess.Popen([str(IGR), "--log-json", "--log-level", "info", "serve",
                                 "--port", str(port)], env=env, stdout=out, stderr=out)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", lambda: proc.poll() is None,
                      log.read_text)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert {"time", "level", "logger", "message"} <= set(records[0])
    loggers = {r["logger"] for r in records}
    assert "uvicorn.error" in loggers and "uvicorn.access" in loggers, records
    assert any("GET /health" in r["message"] for r in records)
    assert all("color_message" not in r for r in records)
