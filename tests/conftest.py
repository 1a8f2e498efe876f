"""Shared fixtures: settings in temporary stores, and indexes built once per session."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from ingest.settings import PROJECT_ROOT, SAMPLES_DIR, SHARED_CORPUS_DIR, Settings  # noqa: E402

SHARED_DIR = SHARED_CORPUS_DIR.parent
EVAL_CORPUS_DIR = PROJECT_ROOT / "evals" / "corpus"
SHARED_EVALS_DIR = SHARED_DIR / "evals"
NO_SHARED = "../shared is not beside this checkout (a user's clone): shared-corpus tests skipped"


def make_settings(store_dir: Path, **overrides: object) -> Settings:
    """Settings isolated from the user's environment and store."""
    base: dict[str, object] = {
        "store_dir": store_dir,
        "chroma_url": None,
        "corpus_dirs": [SAMPLES_DIR],
        "answerer": "extractive",
        "api_keys": [],
    }
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """Our own small corpus (`tests.test_vectorstore_helpers.DOCS`), written to tmp_path."""
    from tests.test_vectorstore_helpers import write_corpus

    write_corpus(tmp_path / "corpus")
    return tmp_path / "corpus"


@pytest.fixture()
def settings(tmp_path: Path, corpus: Path) -> Settings:
    """Settings over a fresh store in tmp_path whose corpus is `corpus`."""
    return make_settings(tmp_path / "store", corpus_dirs=[corpus])


def copy_store(source: Path, target: Path) -> None:
    """Copy a store that this process has open, in another process (`cp`).

    Never with `shutil`: closing any descriptor of a SQLite file drops every POSIX lock this
    process holds on it, so the next process to open the store believes it is alone and
    deletes the WAL under this process's connections ("disk I/O error").
    """
    subprocess.run(["cp", "-R", str(source), str(target)], check=True)


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The shared IGR corpus; tests that use it skip where it is absent."""
    if not SHARED_CORPUS_DIR.is_dir():
        pytest.skip(NO_SHARED)
    return SHARED_CORPUS_DIR


@pytest.fixture(scope="session")
def samples_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over a store holding the bundled samples, indexed once per session."""
    from vectorstore.indexer import index_paths

    settings = make_settings(tmp_path_factory.mktemp("samples-store"))
    index_paths([SAMPLES_DIR], settings)
    return settings


@pytest.fixture(scope="session")
def shared_settings(tmp_path_factory: pytest.TempPathFactory, shared_corpus: Path) -> Settings:
    """Settings over the evaluation store, indexed once per session: the whole shared corpus
    and our own evaluation documents (evals/corpus), as the eval splits expect."""
    from vectorstore.indexer import index_paths

    roots = [shared_corpus, EVAL_CORPUS_DIR]
    settings = make_settings(tmp_path_factory.mktemp("shared-store"), corpus_dirs=roots)
    index_paths(roots, settings)
    return settings


@pytest.fixture(scope="session")
def shared_assistant(shared_settings: Settings):
    """One Assistant over the shared corpus for the whole session."""
    from assistant.assistant import Assistant

    return Assistant(shared_settings)


@pytest.fixture(scope="session")
def samples_assistant(samples_settings: Settings):
    """One Assistant over the bundled samples for the whole session."""
    from assistant.assistant import Assistant

    return Assistant(samples_settings)


@pytest.fixture(scope="module")
def standin():
    """A stand-in OpenAI/Ollama LLM server (tests/llm_standin.py) for one test module."""
    from tests import llm_standin

    server = llm_standin.start()
    yield server
    llm_standin.stop(server)
