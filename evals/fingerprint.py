"""Fingerprints that pin what a report measured: corpus index, embedding model, dataset, code."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterable
from pathlib import Path

from evals.text import doc_stem
from ingest.settings import PROJECT_ROOT, Settings


def corpus_fingerprint(settings: Settings) -> tuple[str, set[str], int]:
    """(sha256 of the sorted doc_id/chunk_id pairs in the store, its doc_ids, chunks)."""
    from vectorstore.store import open_store

    metas = open_store(settings).metadatas()
    pairs = sorted(f"{meta.get('doc_id', '')}\t{cid}" for cid, meta in metas.items())
    digest = hashlib.sha256("\n".join(pairs).encode("utf-8")).hexdigest()
    docs = {str(meta.get("doc_id") or "") for meta in metas.values()}
    return digest, docs, len(pairs)


def unindexed_sources(sources: Iterable[str], doc_ids: Iterable[str]) -> list[str]:
    """The gold sources (doc ids or file stems, compared by stem as the metrics compare
    them) that name no indexed document, one spelling per document, sorted: an evaluation
    over a store that lacks them measures retrieval of documents it cannot find."""
    indexed = {doc_stem(d) for d in doc_ids}
    missing: dict[str, str] = {}
    for source in sources:
        stem = doc_stem(source)
        if stem not in indexed:
            missing.setdefault(stem, source)
    return sorted(missing.values())


def model_fingerprint(model_dir: Path) -> str | None:
    """sha256 over the embedding model folder's files (relative path and bytes)."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(model_dir).as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def git_commit(repo: Path = PROJECT_ROOT) -> str | None:
    """HEAD's commit, with `+dirty` when tracked files differ from it; None outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, timeout=10
        )
        if head.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return commit + ("+dirty" if status.stdout.strip() else "")
