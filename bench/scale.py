"""Scale benchmark: the shared corpus, then 1k, 10k and 100k chunks, through the real CLI.

A tiny sentence-transformers model (random weights, 2 layers, 64 dimensions, MiniLM's
tokenizer) is written to a temporary folder, so ingest is fast; its vectors mean nothing,
only the costs around the encoder are measured. Each size is its own store: the shared
corpus (../shared/corpus, about 500 chunks) plus synthetic filler documents
(bench/synth.py) up to the size. Per size:

- `igr ingest` wall time and chunks, index size on disk (Chroma + lexical file);
- `igr serve` (embedded store): peak RSS (VmHWM) after the load below;
- `/chat` p50/p95 with 1 and with 4 clients (dev questions made unique, after priming);
- lexical and dense query time (fetch_k candidates, in this process, same store);
- adding one document: `igr ingest FILE` in another process (wall time, and how long until
  the server ranks it first), then one upload through `POST /documents`; the server's
  lexical counters (/metrics) show whether it rebuilt its index or synced one document.

    .venv/bin/python bench/scale.py [--sizes shared,1000,10000,100000] [--duration 20]

Goals (in the JSON): at 100k, /chat p95 (1 client) <= 3 x its p95 at the shared corpus;
server peak RSS <= 2.5 GiB; adding one document causes no full lexical build.
Writes bench/results/scale.json (after every size, so a long run can be followed).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, percentile, stop, write_result  # noqa: E402
from bench.load import load_questions, prime, run_load, wait_healthy, wait_warm  # noqa: E402
from bench.synth import word_frequencies, write_documents  # noqa: E402
from ingest.settings import SHARED_CORPUS_DIR, Settings  # noqa: E402

DEV_SET = SHARED_CORPUS_DIR.parent / "evals" / "dev.jsonl"
IGR = Path(sys.executable).with_name("igr")
CHARS_PER_DOC = 18_000
GIB = 1024**3


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="shared,1000,10000,100000",
                        help="'shared' and/or chunk counts, comma-separated")
    parser.add_argument("--clients", default="1,4", help="client counts for /chat")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per load run")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workdir", type=Path, help="keep stores and corpora here")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "scale.json")
    return parser.parse_args()


def tiny_model(folder: Path) -> Path:
    """A random-weight 2-layer BERT with MiniLM's tokenizer, saved as a sentence-transformers
    folder (mean pooling, normalised)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoTokenizer, BertConfig, BertModel

    try:
        from sentence_transformers.sentence_transformer import modules as models
    except ImportError:  # older sentence-transformers
        from sentence_transformers import models

    source = Settings().resolved_embedding_model()
    bert = folder / "bert"
    tokenizer = AutoTokenizer.from_pretrained(str(source), local_files_only=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=128,
                        max_position_embeddings=512)
    BertModel(config).save_pretrained(str(bert))
    tokenizer.save_pretrained(str(bert))
    word = models.Transformer(str(bert), max_seq_length=256)
    dimension = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pooling = models.Pooling(dimension(), pooling_mode="mean")
    model_dir = folder / "tiny-model"
    SentenceTransformer(modules=[word, pooling, models.Normalize()], device="cpu").save(
        str(model_dir))
    return model_dir


def env_for(store: Path, model: Path, corpus: list[Path]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    env.update(IGR_STORE_DIR=str(store), IGR_EMBEDDING_MODEL=str(model), IGR_API_KEYS="",
               IGR_ANSWERER="extractive", IGR_CORPUS_DIRS=",".join(str(c) for c in corpus))
    return env


def run_igr(args: list[str], env: dict[str, str]) -> tuple[float, dict]:
    started = time.perf_counter()
    done = subprocess.run([str(IGR), *args], env=env, capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"igr {' '.join(args)} failed: {done.stderr[-2000:]}")
    return took, json.loads(done.stdout.strip().splitlines()[-1])


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def peak_rss_gib(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) * 1024 / GIB


def lexical_counters(url: str) -> dict[str, float]:
    import httpx

    found = re.findall(r'igr_lexical_index_events\{kind="(\w+)"\} ([0-9.e+]+)',
                       httpx.get(f"{url}/metrics", timeout=30).text)
    return {kind: float(value) for kind, value in found}


def query_times(store: Path, model: Path, bodies: list[dict]) -> dict[str, float]:
    """Lexical and dense fetch_k query times over the store, in this process."""
    from vectorstore.embeddings import get_embeddings
    from vectorstore.lexical import LexicalIndex
    from vectorstore.store import ChunkStore

    settings = Settings(store_dir=store, embedding_model=model, chroma_url=None)
    chroma = ChunkStore(settings)
    lexical = LexicalIndex(chroma)
    embeddings = get_embeddings(settings)
    questions = [b["question"] for b in bodies]
    vectors = [embeddings.embed_query(q) for q in questions]
    lexical.search(questions[0], settings.fetch_k)
    chroma.query(vectors[0], settings.fetch_k)
    lex, dense = [], []
    for q, v in zip(questions, vectors, strict=True):
        started = time.perf_counter()
        lexical.search(q, settings.fetch_k)
        lex.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        chroma.query(v, settings.fetch_k)
        dense.append((time.perf_counter() - started) * 1000)
    return {
        "lexical_ms_p50": round(statistics.median(lex), 2),
        "lexical_ms_p95": round(percentile(lex, 95), 2),
        "dense_ms_p50": round(statistics.median(dense), 2),
        "dense_ms_p95": round(percentile(dense, 95), 2),
    }


def one_document(folder: Path, tag: str) -> tuple[Path, str]:
    """A new small document with a made-up name no other document holds."""
    name = f"Zephyrine {tag} Covenant"
    path = folder / f"added-{tag}.txt"
    path.write_text(
        f"Title: The {name}\nPublisher: Bench\nDate: 2025-06-01\nType: briefing\n---\n"
        f"The {name} is an agreement invented for this benchmark. It sets out how the "
        f"{name} board meets in Lerwick every spring and reports to both governments.\n",
        encoding="utf-8",
    )
    return path, name


async def seen_within(url: str, question: str, doc_id: str, timeout_s: float = 60) -> float:
    """Seconds until /chat ranks `doc_id` first for `question`."""
    import httpx

    started = time.perf_counter()
    async with httpx.AsyncClient() as client:
        while time.perf_counter() - started < timeout_s:
            body = (await client.post(f"{url}/chat", json={"question": question},
                                      timeout=60)).json()
            if body["retrieved"] and body["retrieved"][0]["doc_id"] == doc_id:
                return round(time.perf_counter() - started, 2)
            await asyncio.sleep(0.2)
    return float("nan")


def measure_size(label: str, corpus: list[Path], work: Path, model: Path, bodies: list[dict],
                 args: argparse.Namespace) -> dict:
    from api.server import free_port

    store = work / f"store-{label}"
    shutil.rmtree(store, ignore_errors=True)
    env = env_for(store, model, corpus)
    ingest_s, report = run_igr(["ingest", "--json"], env)
    figures: dict = {
        "chunks": report["chunks_embedded"], "documents": report["added"],
        "ingest_s": round(ingest_s, 1),
        "ingest_chunks_per_s": round(report["chunks_embedded"] / ingest_s, 1),
        "index_mb": round(folder_mb(store), 1),
        "lexical_file_mb": round(sum(folder_mb(p) if p.is_dir() else p.stat().st_size / 2**20
                                     for p in store.glob("lexical-*")), 1),
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / f"serve-{label}.log"
    proc = subprocess.Popen([str(IGR), "serve", "--port", str(port)], env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        asyncio.run(wait_healthy(url, proc, log))
        figures["warm_up_s"] = asyncio.run(wait_warm(url))
        asyncio.run(prime(url, bodies))
        for clients in [int(c) for c in args.clients.split(",")]:
            load_args = argparse.Namespace(clients=clients, duration=args.duration,
                                           warmup=args.warmup, unique=True)
            load = asyncio.run(run_load(url, bodies, load_args))
            lat = load["latencies"]
            figures[f"chat_{clients}_clients"] = {
                "p50_ms": round(percentile(lat, 50), 1), "p95_ms": round(percentile(lat, 95), 1),
                "requests_per_s": round(len(lat) / args.duration, 2), "errors": load["errors"],
                "server_p50_ms": {k: round(percentile(v, 50), 1)
                                  for k, v in load["server"].items()},
            }
        figures.update(query_times(store, model, bodies))

        before = lexical_counters(url)
        added = work / f"added-{label}"
        added.mkdir(exist_ok=True)
        path, name = one_document(added, f"{label}a")
        took, report = run_igr(["ingest", "--json", str(path)], env)
        figures["add_one_document_cli"] = {
            "wall_s": round(took, 2), "ingest_report_s": report["seconds"],
            "seen_by_server_s": asyncio.run(
                seen_within(url, f"Where does the {name} board meet?", path.stem)),
        }
        import httpx

        path2, name2 = one_document(added, f"{label}b")
        started = time.perf_counter()
        response = httpx.post(f"{url}/documents",
                              files={"file": (path2.name, path2.read_bytes())}, timeout=600)
        figures["add_one_document_upload"] = {
            "status": response.status_code, "wall_s": round(time.perf_counter() - started, 2),
        }
        after = lexical_counters(url)
        figures["server_lexical_counters"] = {"before": before, "after": after}
        figures["add_one_document_full_builds"] = after.get("full_builds", 0) - before.get(
            "full_builds", 0)
        figures["server_peak_rss_gib"] = round(peak_rss_gib(proc.pid), 3)
    finally:
        stop(proc)
    if not args.workdir:
        shutil.rmtree(store, ignore_errors=True)
    return figures


def main() -> int:
    args = _args()
    if not DEV_SET.is_file():
        print("bench/scale.py: ../shared/evals/dev.jsonl not found", file=sys.stderr)
        return 2
    bodies = load_questions(DEV_SET)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(prefix="igr-scale-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        model = tiny_model(work)
        words, p = word_frequencies(SHARED_CORPUS_DIR)
        shared = [SHARED_CORPUS_DIR] if SHARED_CORPUS_DIR.is_dir() else []
        result: dict = {"model": "random-weight BERT, 2 layers, 64 dims", "sizes": {},
                        "cpus": os.cpu_count(), "duration_s": args.duration}
        base_chunks = 0
        for label in sizes:
            corpus = list(shared)
            if label != "shared":
                target = int(label)
                filler_chunks = max(0, target - base_chunks)
                n_docs = max(1, round(filler_chunks / 23.5))  # ~23.5 chunks per filler doc
                folder = work / f"filler-{label}"
                if not folder.is_dir():
                    write_documents(folder, n_docs, CHARS_PER_DOC, words, p, seed=target,
                                    prefix=f"f{label}")
                corpus.append(folder)
            print(f"[scale] {label}: ingest and serve ...", flush=True)
            figures = measure_size(label, corpus, work, model, bodies, args)
            if label == "shared":
                base_chunks = figures["chunks"]
            result["sizes"][label] = figures
            print(f"[scale] {label}: {json.dumps(figures)}", flush=True)
            write(result, sizes, args.out)
    return 0


def write(result: dict, sizes: list[str], out: Path) -> None:
    """Add the goal ratios (when the sizes are there) and write the JSON."""
    done = result["sizes"]
    if "shared" in done and "100000" in done:
        base, big = done["shared"], done["100000"]
        ratio = big["chat_1_clients"]["p95_ms"] / base["chat_1_clients"]["p95_ms"]
        result["goals"] = {
            "chat_p95_100k_over_shared_1_client": round(ratio, 2),
            "chat_p95_ratio_max": 3.0,
            "server_peak_rss_gib_100k": big["server_peak_rss_gib"],
            "server_peak_rss_gib_max": 2.5,
            "full_lexical_builds_when_adding_one_document_100k": big[
                "add_one_document_full_builds"],
        }
    write_result(result, out, echo=False)


if __name__ == "__main__":
    raise SystemExit(main())
