"""Incremental indexing with the real loaders, the real model and a real embedded Chroma."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.models import ChunkMetadata
from tests.conftest import make_settings
from tests.test_vectorstore_helpers import DOCS, write_generated
from vectorstore.catalog import list_documents, remove_document
from vectorstore.indexer import index_paths
from vectorstore.store import open_store

VOLATILE = {"ingested_at"}


def by_doc(store) -> dict[str, dict[str, dict]]:
    """doc_id -> {chunk_id: metadata}."""
    out: dict[str, dict[str, dict]] = {}
    for cid, meta in store.metadatas().items():
        out.setdefault(meta["doc_id"], {})[cid] = meta
    return out


def test_first_run_indexes_every_document_with_metadata(settings, corpus: Path) -> None:
    report = index_paths(None, settings)
    store = open_store(settings)
    assert report.added == len(DOCS) and report.updated == 0 and not report.skipped
    assert report.chunks_embedded == store.count() > 0
    for chunk in store.all_chunks():
        meta = chunk.metadata
        assert isinstance(meta, ChunkMetadata) and chunk.chunk_id == meta.chunk_id
        extra = meta.model_extra or {}
        assert extra["doc_chunk_count"] >= 1 and extra["path"].startswith(str(corpus))
        assert len(extra["doc_hash"]) == 64 and extra["root"] == str(corpus.absolute())
    funding = store.doc_chunks("funding-note")
    assert funding[0].metadata.date == "2019-11"
    assert (funding[0].metadata.model_extra or {})["date_key"] == 20191100
    undated = store.doc_chunks("undated-guidance")[0].metadata.model_extra or {}
    assert "date_key" not in undated
    infos = {d.doc_id: d for d in list_documents(store)}
    assert set(infos) == set(DOCS)
    assert infos["funding-note"].publisher == "Treasury Analysis Unit"
    assert sum(d.chunks for d in infos.values()) == store.count()


def test_unchanged_rerun_embeds_and_loads_nothing(settings, monkeypatch) -> None:
    index_paths(None, settings)
    store = open_store(settings)
    before, generation = by_doc(store), store.generation()

    import ingest.loaders

    calls: list[str] = []
    real = ingest.loaders.load_document
    monkeypatch.setattr(
        ingest.loaders, "load_document", lambda s, st: calls.append(s.doc_id) or real(s, st)
    )
    report = index_paths(None, settings)
    assert report.chunks_embedded == 0 and report.unchanged == len(DOCS)
    assert report.added == report.updated == report.removed == 0
    assert calls == [], "unchanged files must not be loaded or chunked again"
    assert by_doc(store) == before and store.generation() == generation


def test_changed_file_replaces_exactly_its_chunks(settings, corpus: Path) -> None:
    index_paths(None, settings)
    store = open_store(settings)
    before = by_doc(store)
    path = corpus / "funding-note.txt"
    path.write_text(path.read_text().replace("fiscal framework", "revised fiscal settlement"))
    generation = store.generation()
    report = index_paths(None, settings)
    after = by_doc(store)
    assert report.updated == 1 and report.unchanged == len(DOCS) - 1
    assert report.chunks_embedded == len(after["funding-note"])
    assert not set(before["funding-note"]) & set(after["funding-note"]), "old chunks remain"
    assert "revised fiscal settlement" in " ".join(c.text for c in store.doc_chunks("funding-note"))
    for doc_id in DOCS:
        if doc_id != "funding-note":
            assert after[doc_id] == before[doc_id], f"{doc_id} was touched"
    assert store.generation() != generation


def test_prune_removes_documents_whose_files_are_gone(settings, corpus: Path) -> None:
    index_paths(None, settings)
    store = open_store(settings)
    (corpus / "ireland-cooperation.txt").unlink()
    report = index_paths([corpus], settings)
    assert report.removed == 0 and "ireland-cooperation" in by_doc(store)
    report = index_paths([corpus], settings, prune=True)
    assert report.removed == 1 and report.unchanged == len(DOCS) - 1
    assert "ireland-cooperation" not in by_doc(store)
    assert remove_document(store, "funding-note") > 0
    assert remove_document(store, "funding-note") == 0
    assert "funding-note" not in by_doc(store)


def test_prune_only_touches_the_given_roots(tmp_path: Path, settings, corpus: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(corpus / "legislative-consent.txt", other / "consent-copy.txt")
    shutil.move(corpus / "legislative-consent.txt", tmp_path / "moved.txt")
    index_paths([corpus, other], settings)
    (other / "consent-copy.txt").unlink()
    report = index_paths([corpus], settings, prune=True)
    assert report.removed == 0
    assert "consent-copy" in by_doc(open_store(settings))


def test_duplicates_are_reported_and_not_indexed(settings, corpus: Path) -> None:
    shutil.copy(corpus / "funding-note.txt", corpus / "zz-funding-copy.txt")
    for _ in range(2):  # the second run must not index the copy either
        report = index_paths(None, settings)
        assert report.duplicates == [
            {"path": str(corpus / "zz-funding-copy.txt"), "duplicate_of": "funding-note"}
        ]
        reasons = {s.path: s.reason for s in report.skipped}
        assert reasons[str(corpus / "zz-funding-copy.txt")] == "duplicate of funding-note"
        assert "zz-funding-copy" not in by_doc(open_store(settings))


def test_a_later_copy_never_evicts_the_indexed_original(settings, corpus: Path) -> None:
    index_paths(None, settings)
    # "aa-" sorts before the original, so by name alone the copy would be kept.
    shutil.copy(corpus / "funding-note.txt", corpus / "aa-funding-copy.txt")
    report = index_paths(None, settings)
    assert report.duplicates == [
        {"path": str(corpus / "aa-funding-copy.txt"), "duplicate_of": "funding-note"}
    ]
    docs = by_doc(open_store(settings))
    assert "funding-note" in docs and "aa-funding-copy" not in docs


def test_bad_files_are_skipped_while_good_ones_are_ingested(settings, corpus: Path) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (corpus / "empty.txt").write_text("")
    (corpus / "table.xyz").write_text("a,b\n")
    (corpus / "latin1.txt").write_bytes("Caf\xe9 minutes\n\nAn agreement.".encode("latin-1"))
    report = index_paths(None, settings)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert {"broken.pdf", "empty.txt", "table.xyz"} <= set(reasons)
    assert all(r and "\n" not in r for r in reasons.values())
    docs = by_doc(open_store(settings))
    assert set(DOCS) <= set(docs)
    assert "broken" not in docs and "empty" not in docs


def _igr(env: dict[str, str], *args: str, **kw) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("igr")
    return subprocess.Popen([str(exe), *args], env=env, text=True, **kw)


@pytest.mark.slow
def test_kill_during_embedding_then_rerun_equals_clean_run(tmp_path: Path) -> None:
    corpus = tmp_path / "gen"
    write_generated(corpus, n_docs=12, sentences=24)
    env = {
        **os.environ,
        "IGR_STORE_DIR": str(tmp_path / "killed"),
        "IGR_CHROMA_URL": "",
        "IGR_EMBEDDING_BATCH_SIZE": "2",  # commits every 8 chunks: many points to die at
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("IGR_CHROMA_URL")
    proc = _igr(env, "ingest", str(corpus), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    killed_at = None
    deadline = time.monotonic() + 300
    assert proc.stderr is not None
    for line in proc.stderr:
        parts = line.split()
        if len(parts) == 2 and parts[0] == "embedding":
            done, total = (int(x) for x in parts[1].split("/"))
            if 0 < done < total // 2:
                proc.send_signal(signal.SIGKILL)
                killed_at = (done, total)
                break
        assert time.monotonic() < deadline, "ingest produced no embedding progress"
    proc.wait(timeout=60)
    assert killed_at is not None, "ingest finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL

    rerun = _igr(env, "ingest", str(corpus), "--json", stdout=subprocess.PIPE)
    out, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, out
    import json

    report = json.loads(out)
    assert 0 < report["chunks_embedded"] < killed_at[1], "rerun should finish, not redo all"
    assert report["added"] + report["unchanged"] == 12

    killed = open_store(make_settings(tmp_path / "killed"))
    clean_settings = make_settings(tmp_path / "clean", embedding_batch_size=2)
    index_paths([corpus], clean_settings)
    clean = open_store(clean_settings)

    def comparable(store) -> dict[str, tuple[str, dict]]:
        got = store._collection.get(include=["documents", "metadatas"])
        return {
            cid: (text, {k: v for k, v in meta.items() if k not in VOLATILE})
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    assert comparable(killed) == comparable(clean)
    assert killed.count() == clean.count() == killed_at[1]


def test_changed_chunking_settings_reindex_everything(settings, tmp_path: Path) -> None:
    index_paths(None, settings)
    smaller = settings.model_copy(update={"chunk_size": 300, "chunk_overlap": 50})
    report = index_paths(None, smaller)
    assert report.updated == len(DOCS) and report.unchanged == 0
    assert index_paths(None, smaller).chunks_embedded == 0
    longest = max(len(c.text) for c in open_store(smaller).all_chunks())
    assert longest < 600


def _prose(folder: Path, name: str, seed: int) -> None:
    """A document of random words from a large made-up vocabulary (few shared phrases)."""
    import random

    rng = random.Random(seed)
    vocab = ["".join(rng.choice("bcdfglmnprstv") + rng.choice("aeiou") for _ in range(3))
             for _ in range(3000)]
    words = " ".join(rng.choice(vocab) for _ in range(600))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(f"Title: {name}\n---\n{words}.\n", encoding="utf-8")


def test_dedup_reads_back_only_documents_whose_sketch_matches(tmp_path, monkeypatch) -> None:
    from vectorstore.store import ChunkStore

    for i in range(6):
        _prose(tmp_path / "gen", f"gen-{i:03d}", seed=i)
    settings = make_settings(tmp_path / "store")
    index_paths([tmp_path / "gen"], settings)
    read: list[str] = []
    original = ChunkStore.raw_chunks

    def recording(self, where=None):
        for row in original(self, where):
            read.append(row[2]["doc_id"])
            yield row

    monkeypatch.setattr(ChunkStore, "raw_chunks", recording)
    (tmp_path / "more").mkdir()
    shutil.copy(tmp_path / "gen" / "gen-002.txt", tmp_path / "more" / "copy-of-two.txt")
    report = index_paths([tmp_path / "gen", tmp_path / "more"], settings)
    assert report.duplicates == [
        {"path": str(tmp_path / "more" / "copy-of-two.txt"), "duplicate_of": "gen-002"}
    ]
    assert set(read) == {"gen-002"}, f"only the matching document is read back: {set(read)}"
    read.clear()
    _prose(tmp_path / "other", "other", seed=99)
    report = index_paths([tmp_path / "other"], settings)
    assert report.added == 1 and not report.duplicates
    assert read == [], "a new unrelated document reads nothing back for dedup"
