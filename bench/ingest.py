"""Ingest benchmark: full-ingest throughput against raw `SentenceTransformer.encode`, and the
cost of an unchanged re-ingest.

    .venv/bin/python bench/ingest.py [--corpus DIR] [--batch-size N] [--out FILE]

Goals: ingest chunks/s >= 0.9 x encode chunks/s on the same texts; unchanged re-ingest embeds
0 chunks in < 2 s. Writes JSON to bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO  # noqa: E402
from ingest.settings import SHARED_CORPUS_DIR, Settings  # noqa: E402


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS_DIR, help="folder to ingest")
    parser.add_argument("--batch-size", type=int, default=None, help="embedding batch size")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "ingest.json", help="JSON file"
    )
    return parser.parse_args()


def chunk_texts(corpus: Path, settings: Settings) -> list[str]:
    """The chunk texts a full ingest embeds (readable files, duplicates left out)."""
    from ingest.chunking import chunk_document
    from ingest.dedup import find_duplicates
    from ingest.discovery import discover
    from ingest.errors import UnreadableFile
    from ingest.loaders import load_document

    docs = []
    for src in discover([corpus], settings)[0]:
        try:
            docs.append(load_document(src, settings))
        except UnreadableFile:
            continue
    dropped = {doc_id for doc_id, _ in find_duplicates(docs)}
    return [
        c.page_content
        for d in docs
        if d.meta.doc_id not in dropped
        for c in chunk_document(d, settings)
    ]


def main() -> int:
    """Run the benchmark; print a table; write the JSON."""
    args = _args()
    if not args.corpus.is_dir():
        print(f"bench/ingest.py: corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    import torch

    from vectorstore.embeddings import get_embeddings
    from vectorstore.indexer import index_paths
    from vectorstore.store import open_store

    with tempfile.TemporaryDirectory(prefix="igr-bench-") as tmp:
        overrides: dict[str, object] = {"store_dir": Path(tmp), "chroma_url": None}
        if args.batch_size:
            overrides["embedding_batch_size"] = args.batch_size
        settings = Settings(corpus_dirs=[args.corpus], **overrides)  # type: ignore[arg-type]
        started = time.perf_counter()
        embeddings = get_embeddings(settings)
        embeddings.encode(["warm up the model"])
        load_s = time.perf_counter() - started

        # encode / full ingest / encode, so load drift on a shared machine cancels out in
        # the ratio (ingest against the mean of the two encode runs).
        texts = chunk_texts(args.corpus, settings)

        def encode_alone() -> float:
            began = time.perf_counter()
            embeddings.model.encode(
                texts,
                batch_size=settings.embedding_batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            return time.perf_counter() - began

        encode_before = encode_alone()
        started = time.perf_counter()
        full = index_paths([args.corpus], settings)
        full_s = time.perf_counter() - started
        encode_after = encode_alone()
        encode_s = (encode_before + encode_after) / 2
        stored = open_store(settings).count()

        started = time.perf_counter()
        again = index_paths([args.corpus], settings)
        again_s = time.perf_counter() - started

    ingest_cps = full.chunks_embedded / full_s if full_s else 0.0
    encode_cps = len(texts) / encode_s if encode_s else 0.0
    result = {
        "corpus": str(args.corpus),
        "documents": full.added,
        "skipped": len(full.skipped),
        "duplicates": len(full.duplicates),
        "chunks": full.chunks_embedded,
        "model_load_s": round(load_s, 2),
        "ingest_s": round(full_s, 2),
        "ingest_chunks_per_s": round(ingest_cps, 2),
        "encode_only_s": round(encode_s, 2),
        "encode_only_runs_s": [round(encode_before, 2), round(encode_after, 2)],
        "encode_texts": len(texts),
        "stored_chunks": stored,
        "encode_chunks_per_s": round(encode_cps, 2),
        "ratio": round(ingest_cps / encode_cps, 3) if encode_cps else None,
        "reingest_s": round(again_s, 3),
        "reingest_chunks_embedded": again.chunks_embedded,
        "reingest_unchanged": again.unchanged,
        "batch_size": settings.embedding_batch_size,
        "torch_threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "goals": {"ratio_min": 0.9, "reingest_s_max": 2.0, "reingest_chunks_embedded": 0},
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    rows = [
        ("documents / chunks", f"{full.added} / {full.chunks_embedded}"),
        ("full ingest", f"{full_s:.1f} s, {ingest_cps:.1f} chunks/s"),
        ("encode alone (mean of 2)", f"{encode_s:.1f} s, {encode_cps:.1f} chunks/s"),
        ("ratio (goal >= 0.9)", f"{result['ratio']}"),
        ("unchanged re-ingest (goal < 2 s)", f"{again_s:.2f} s, {again.chunks_embedded} embedded"),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
