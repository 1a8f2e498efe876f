"""The store over a real `chroma run` server (IGR_CHROMA_URL): index, query, share state."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.settings import SAMPLES_DIR
from tests.conftest import make_settings
from tests.test_vectorstore_helpers import write_corpus
from tests.waiting import wait_for_http
from vectorstore.catalog import list_documents
from vectorstore.embeddings import get_embeddings
from vectorstore.indexer import index_paths
from vectorstore.lexical import LexicalIndex
from vectorstore.store import ChunkStore, open_store

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server on a free port, stopped after the module."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        pytest.skip("the chroma CLI is not installed in this environment")
    data = tmp_path_factory.mktemp("chroma-server")
    port = _free_port()
    log = (data / "server.log").open("w")
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/api/v2/heartbeat", lambda: proc.poll() is None,
                      lambda: (data / "server.log").read_text(), timeout_s=90, interval_s=0.3)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server_settings(chroma_url: str, tmp_path_factory: pytest.TempPathFactory):
    corpus = tmp_path_factory.mktemp("server-corpus")
    write_corpus(corpus)
    unused_dir = tmp_path_factory.mktemp("unused-store")
    return make_settings(unused_dir, chroma_url=chroma_url, corpus_dirs=[SAMPLES_DIR, corpus])


def test_index_and_query_through_the_server(server_settings) -> None:
    report = index_paths(None, server_settings)
    assert report.added >= 5 and report.chunks_embedded > 0
    store = open_store(server_settings)
    assert store.ping() and store.count() == report.chunks_embedded
    local = {p.name for p in Path(server_settings.store_dir).iterdir()}
    assert all(name.startswith("lexical-") for name in local), "Chroma data stays on the server"
    hits = store.query(get_embeddings(server_settings).embed_query("Quillborough accord"), k=3)
    assert hits[0].chunk.metadata.doc_id == "council-minutes"
    samples = {p.stem for p in SAMPLES_DIR.iterdir() if not p.name.startswith((".", "README"))}
    indexed = {d.doc_id for d in list_documents(store)}
    assert samples and samples <= indexed and "funding-note" in indexed
    again = index_paths(None, server_settings)
    assert again.chunks_embedded == 0 and again.unchanged == report.added


def test_another_process_sees_writes_through_generation(server_settings) -> None:
    index_paths(None, server_settings)
    store = open_store(server_settings)
    lexical = LexicalIndex(store, refresh_interval_s=0.0)
    assert lexical.search("Quillborough", k=1)
    before = store.generation()
    script = textwrap.dedent(
        f"""
        from ingest.settings import Settings
        from vectorstore.catalog import remove_document
        from vectorstore.store import ChunkStore
        s = Settings(chroma_url={server_settings.chroma_url!r}, collection="igr")
        print(ChunkStore(s).generation())
        print(remove_document(ChunkStore(s), "council-minutes"))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    assert out[0] == before, "the other process reads the same generation"
    assert int(out[1]) > 0
    assert store.generation() != before
    assert lexical.search("Quillborough", k=1) == []
    assert ChunkStore(server_settings).count() == store.count()


def test_per_document_records_through_the_server(server_settings) -> None:
    from vectorstore.docstate import build_records, doc_records, stored_documents
    from vectorstore.store import DOCS_SUFFIX

    index_paths(None, server_settings)
    store = open_store(server_settings)
    truth = {d: next(iter(doc.index_keys)) for d, doc in stored_documents(store).items()}
    assert {d: r.index_key for d, r in doc_records(store).items()} == truth
    store._client.delete_collection(store.collection_name + DOCS_SUFFIX)  # as an older store
    store._open()
    store._records_built = False
    store.put_doc_records({"funding-note": {"complete": False, "path": "written meanwhile"}})
    assert build_records(store) == len(truth)
    records = doc_records(store)
    assert records["funding-note"].path == "written meanwhile", "a newer record is kept"
    assert {d: r.index_key for d, r in records.items() if d != "funding-note"} == {
        d: k for d, k in truth.items() if d != "funding-note"
    }
    assert index_paths(None, server_settings).updated == 0
    assert doc_records(store)["funding-note"].index_key == truth["funding-note"], "fixed"
    store._records_built = False
    assert ChunkStore(server_settings).doc_records_built(), "the flag is in the store"
