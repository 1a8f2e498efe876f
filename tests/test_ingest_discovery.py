"""Discovery: roots, doc_ids, ordering and the reasons files are skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.discovery import discover
from ingest.settings import Settings


def _tree(root: Path) -> None:
    (root / "web" / "deep").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "b.txt").write_text("Bee text.")
    (root / "a.md").write_text("# A\n\nText.")
    (root / "web" / "page.html").write_text("<p>Hello there.</p>")
    (root / "web" / "deep" / "report.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (root / "web" / "deep" / "notes.docx").write_bytes(b"PK")
    (root / ".hidden" / "secret.txt").write_text("hidden")
    (root / ".dotfile.txt").write_text("hidden")
    (root / "MANIFEST.tsv").write_text("file\ttitle\n")
    (root / "README.md").write_text("# About this corpus\n")
    (root / "web" / "data.csv").write_text("a,b\n")
    (root / "image.png").write_bytes(b"\x89PNG")


def test_walk_doc_ids_sorted_and_hidden_ignored(tmp_path):
    _tree(tmp_path)
    sources, skipped = discover([tmp_path], Settings())
    assert [s.doc_id for s in sources] == [
        "a",
        "b",
        "web/deep/notes",
        "web/deep/report",
        "web/page",
    ]
    assert all(s.root == tmp_path for s in sources)
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert set(reasons) == {"data.csv", "image.png"}
    assert reasons["image.png"].startswith("unsupported file type .png")


def test_file_given_directly_has_its_parent_as_root(tmp_path):
    _tree(tmp_path)
    sources, skipped = discover([tmp_path / "web" / "page.html"], Settings())
    assert not skipped
    assert sources[0].doc_id == "page" and sources[0].root == tmp_path / "web"


def test_missing_path_broken_link_and_size_limit(tmp_path):
    _tree(tmp_path)
    os.symlink(tmp_path / "gone.txt", tmp_path / "dangling.txt")
    (tmp_path / "big.txt").write_text("x" * 3000)
    settings = Settings(max_file_mb=0.001)
    sources, skipped = discover([tmp_path, tmp_path / "nowhere"], settings)
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["nowhere"] == "no such file or directory"
    assert reasons["dangling.txt"] == "broken symbolic link"
    assert reasons["big.txt"].startswith("file too large")
    assert "big" not in {s.doc_id for s in sources}
    assert all("\n" not in r for r in reasons.values())
    assert discover([tmp_path / "dangling.txt"], settings)[1][0].reason == "broken symbolic link"


def test_same_file_twice_is_listed_once(tmp_path):
    _tree(tmp_path)
    sources, _ = discover([tmp_path / "a.md", tmp_path / "a.md"], Settings())
    assert [s.doc_id for s in sources] == ["a"]


def test_shared_corpus_layout(shared_corpus):
    sources, skipped = discover([shared_corpus], Settings())
    ids = {s.doc_id for s in sources}
    assert "pdf/policywise-strength-to-cooperate-2026" in ids
    assert "seeds/policywise-strength-to-cooperate-2026" in ids
    assert "web/igr-within-the-uk" in ids
    assert not any("MANIFEST" in i for i in ids)
    assert skipped == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_unreadable_folder_is_reported(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("Text.")
    locked.chmod(0)
    try:
        _, skipped = discover([tmp_path], Settings())
        assert any(s.reason.startswith("cannot read folder") for s in skipped)
    finally:
        locked.chmod(0o755)
