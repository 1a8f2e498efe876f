"""ChunkStore over a real embedded Chroma, and ChunkFilter on both Chroma and Python sides."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.conftest import make_settings
from tests.test_vectorstore_helpers import DOCS, write_corpus
from vectorstore.embeddings import get_embeddings
from vectorstore.filters import ChunkFilter, date_key
from vectorstore.indexer import index_paths
from vectorstore.store import ChunkStore, StoreError, open_store


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("store-corpus")
    write_corpus(root / "corpus")
    settings = make_settings(root / "store", corpus_dirs=[root / "corpus"])
    index_paths(None, settings)
    return settings


def test_date_key_and_validation() -> None:
    assert date_key("2021") == 20210000 and date_key("2021", upper=True) == 20219999
    assert date_key("2021-03") == 20210300 and date_key("2021-03", upper=True) == 20210399
    assert date_key("2021-03-04", upper=True) == 20210304
    assert date_key(None) is None and date_key("March 2021") is None
    with pytest.raises(ValidationError):
        ChunkFilter(date_from="21/03/2021")
    assert ChunkFilter().to_where() is None and ChunkFilter(doc_types=[]).to_where() is None
    assert ChunkFilter(doc_ids=["a"]).to_where() == {"doc_id": {"$in": ["a"]}}


CASES = [
    (ChunkFilter(), set(DOCS)),
    (ChunkFilter(doc_types=["briefing", "minutes"]), {"funding-note", "council-minutes"}),
    (ChunkFilter(publishers=["Forum Secretariat"]), {"council-minutes"}),
    (
        ChunkFilter(doc_ids=["ireland-cooperation", "undated-guidance"]),
        {"ireland-cooperation", "undated-guidance"},
    ),
    (ChunkFilter(date_from="2019-11"), {"funding-note", "council-minutes", "legislative-consent"}),
    (ChunkFilter(date_to="2019"), {"funding-note", "ireland-cooperation"}),
    (ChunkFilter(date_from="2020", date_to="2021-12-31"), {"legislative-consent"}),
    (ChunkFilter(date_from="2015-06-30", date_to="2015-06-30"), {"ireland-cooperation"}),
    (ChunkFilter(doc_types=["briefing", "minutes"], date_from="2020"), {"council-minutes"}),
    (ChunkFilter(publishers=["Nobody"]), set()),
]


@pytest.mark.parametrize(("flt", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_filter_on_chroma_and_in_python_agree(indexed, flt: ChunkFilter, expected: set) -> None:
    store = open_store(indexed)
    every = store.all_chunks()
    by_python = {c.metadata.doc_id for c in every if flt.matches(c.metadata.model_dump())}
    by_get = {c.metadata.doc_id for c in store.all_chunks(flt.to_where())}
    query = get_embeddings(indexed).embed_query("how do governments cooperate")
    by_query = {h.chunk.metadata.doc_id for h in store.query(query, k=100, where=flt.to_where())}
    assert by_python == by_get == by_query == expected


def test_query_scores_are_cosine_similarities(indexed) -> None:
    store = open_store(indexed)
    emb = get_embeddings(indexed)
    hits = store.query(emb.embed_query("consent of the devolved legislature"), k=3)
    assert hits[0].chunk.metadata.doc_id == "legislative-consent"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    text = hits[0].chunk.text
    direct = float(emb.encode([text])[0] @ emb.encode(["consent of the devolved legislature"])[0])
    assert hits[0].score == pytest.approx(direct, abs=1e-3)
    assert store.query(emb.embed_query("x"), k=0) == []


def test_get_doc_chunks_count_and_langchain_view(indexed) -> None:
    store = open_store(indexed)
    chunks = store.all_chunks()
    ids = [c.chunk_id for c in chunks][::-1]
    assert [c.chunk_id for c in store.get([*ids, "no-such-id"])] == ids
    assert store.count() == len(chunks)
    minutes = store.doc_chunks("council-minutes")
    assert minutes and [c.metadata.start for c in minutes] == sorted(
        c.metadata.start for c in minutes
    )
    assert store.doc_chunks("no-such-doc") == []
    found = store.langchain.similarity_search("block grant indexation", k=1)
    assert found[0].metadata["doc_id"] == "funding-note"
    assert store.ping()


def test_generation_changes_on_writes_and_is_seen_by_another_instance(indexed) -> None:
    first = open_store(indexed)
    second = ChunkStore(indexed)  # a separate instance, not the cached one
    assert open_store(indexed) is first and second is not first
    token = first.generation()
    assert second.generation() == token
    first.bump_generation()
    assert second.generation() != token
    assert second.generation() == first.generation()


def test_bad_chroma_url_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="IGR_CHROMA_URL"):
        ChunkStore(make_settings(tmp_path, chroma_url="localhost:9"))
    with pytest.raises(StoreError, match="cannot reach Chroma"):
        ChunkStore(make_settings(tmp_path, chroma_url="http://127.0.0.1:9"))


_WRITER = """
import json, sys
from ingest.settings import Settings
from vectorstore.catalog import remove_document
from vectorstore.store import ChunkStore
job = json.load(sys.stdin)
store = ChunkStore(Settings(store_dir=job["store"], chroma_url=None))
if job.get("remove"):
    print(remove_document(store, job["remove"]))
else:
    store.upsert(job["ids"], job["vectors"], job["texts"], job["metas"])
    print(store.bump_generation())
"""


def _other_process(job: dict) -> str:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _WRITER], input=json.dumps(job), capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_embedded_store_sees_vectors_written_by_another_process(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "store")
    store = open_store(settings)  # opened while empty, as a server started before ingest
    emb = get_embeddings(settings)
    texts = ["Ministers agreed a concordat on marine data.", "The budget was set in May."]
    metas = [
        {"chunk_id": f"c{i}", "doc_id": f"d{i}", "title": "T", "start": 0, "end": len(t)}
        for i, t in enumerate(texts)
    ]
    job = {"store": str(tmp_path / "store"), "ids": ["c0", "c1"], "texts": texts}
    token = _other_process({**job, "vectors": emb.encode(texts).tolist(), "metas": metas})
    hits = store.query(emb.embed_query("marine data concordat"), k=2)
    assert [h.chunk.chunk_id for h in hits] == ["c0", "c1"]
    assert store.generation() == token
    assert _other_process({"store": job["store"], "remove": "d0"}) == "1"
    time.sleep(store.refresh_interval_s + 0.1)
    assert [h.chunk.chunk_id for h in store.query(emb.embed_query("marine"), k=2)] == ["c1"]


def test_an_existing_collection_takes_the_configured_search_breadth(tmp_path: Path) -> None:
    import chromadb

    settings = make_settings(tmp_path / "store", hnsw_ef_search=100)
    ChunkStore(settings)
    assert chromadb.PersistentClient(path=str(tmp_path / "store")).get_collection(
        settings.collection).configuration["hnsw"]["ef_search"] == 100
    ChunkStore(settings.model_copy(update={"hnsw_ef_search": 350}))  # opened again
    kept = chromadb.PersistentClient(path=str(tmp_path / "store")).get_collection(
        settings.collection).configuration["hnsw"]
    assert kept["ef_search"] == 350 and kept["space"] == "cosine"
    client = chromadb.PersistentClient(path=str(tmp_path / "other"))
    client.create_collection(settings.collection, configuration={"hnsw": {"ef_search": 100}})
    with pytest.raises(StoreError, match="not written by igr-assistant"):
        ChunkStore(settings.model_copy(update={"store_dir": tmp_path / "other",
                                               "hnsw_ef_search": 350}))
    foreign = client.get_collection(settings.collection).configuration["hnsw"]
    assert foreign["ef_search"] == 100  # another program's collection is left as it is
