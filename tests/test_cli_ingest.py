"""`igr ingest` and `igr docs` as a user runs them: real processes, exit codes, JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_vectorstore_helpers import DOCS

IGR = Path(sys.executable).with_name("igr")
REPORT_KEYS = {"added", "updated", "unchanged", "removed", "chunks_embedded", "skipped", "seconds"}


def igr(store: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the installed `igr` against a private store; never a traceback on stderr."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    full_env.update({"IGR_STORE_DIR": str(store), "HF_HUB_OFFLINE": "1", **env})
    done = subprocess.run(
        [str(IGR), *args], env=full_env, capture_output=True, text=True, timeout=600
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


@pytest.mark.slow
def test_ingest_summary_json_rerun_and_docs(tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "store"
    first = igr(store, "ingest", str(corpus))
    assert first.returncode == 0, first.stderr
    assert f"{len(DOCS)} added" in first.stdout and "chunks embedded" in first.stdout
    assert "embedding" in first.stderr  # progress goes to stderr

    again = igr(store, "ingest", str(corpus), "--json")
    assert again.returncode == 0 and again.stderr == ""
    report = json.loads(again.stdout)
    assert set(report) >= REPORT_KEYS
    assert report["chunks_embedded"] == 0 and report["unchanged"] == len(DOCS)

    listed = igr(store, "docs", "--json")
    assert listed.returncode == 0
    docs = {d["doc_id"]: d for d in json.loads(listed.stdout)}
    assert set(docs) == set(DOCS) and docs["funding-note"]["date"] == "2019-11"
    table = igr(store, "docs")
    assert table.returncode == 0 and "council-minutes" in table.stdout

    assert igr(store, "docs", "rm", "funding-note").returncode == 0
    missing = igr(store, "docs", "rm", "funding-note")
    assert missing.returncode == 1 and "funding-note" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    listed = json.loads(igr(store, "docs", "--json").stdout)
    assert "funding-note" not in {d["doc_id"] for d in listed}


def test_exit_1_when_given_files_are_all_unreadable(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "broken.pdf").write_bytes(b"%PDF-1.4 not a real pdf")
    (bad / "notes.xyz").write_text("x")
    done = igr(tmp_path / "store", "ingest", str(bad), str(tmp_path / "missing.txt"), "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    reasons = {Path(s["path"]).name: s["reason"] for s in report["skipped"]}
    assert set(reasons) == {"broken.pdf", "notes.xyz", "missing.txt"}
    assert report["added"] == 0 and all(r.strip() for r in reasons.values())


@pytest.mark.slow
def test_bad_files_are_skipped_and_good_ones_ingested_exit_0(tmp_path: Path, corpus: Path) -> None:
    (corpus / "broken.docx").write_bytes(b"PK\x03\x04 not a zip really")
    done = igr(tmp_path / "store", "ingest", str(corpus), "--json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["added"] == len(DOCS)
    assert [Path(s["path"]).name for s in report["skipped"]] == ["broken.docx"]


def test_exit_2_for_bad_usage(tmp_path: Path) -> None:
    store = tmp_path / "store"
    assert igr(store, "ingest", "--bogus").returncode == 2
    assert igr(store, "docs", "rm").returncode == 2
    bad_env = igr(store, "docs", IGR_TOP_K="many")
    assert bad_env.returncode == 2 and "top_k" in bad_env.stderr


def test_missing_model_and_unreachable_server_are_one_line_errors(
    tmp_path: Path, corpus: Path
) -> None:
    done = igr(tmp_path / "store", "ingest", str(corpus), IGR_EMBEDDING_MODEL="/no/such/model")
    assert done.returncode == 1
    assert "/no/such/model" in done.stderr and "IGR_EMBEDDING_MODEL" in done.stderr
    down = igr(tmp_path / "store", "docs", IGR_CHROMA_URL="http://127.0.0.1:9")
    assert down.returncode == 1 and "cannot reach Chroma" in down.stderr
    assert len(down.stderr.strip().splitlines()) == 1
