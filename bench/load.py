"""Load benchmark: concurrent /chat clients on a real `igr serve` vs the bare query cost.

N clients over loopback against `POST /chat`, compared with the bare cost of one query
embedding plus one Chroma query (measured in-process).

    .venv/bin/python bench/load.py [--store DIR] [--clients N] [--duration S]
                                   [--no-prime] [--no-unique]

Without --store, ../shared/corpus is indexed into a temporary store first. Questions come from
../shared/evals/dev.jsonl (with their history, if any). Goal: p95 latency <= 3 x the bare cost.
Writes JSON to bench/results/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.settings import SHARED_CORPUS_DIR, Settings  # noqa: E402

DEV_SET = SHARED_CORPUS_DIR.parent / "evals" / "dev.jsonl"


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--store", type=Path, help="store dir to reuse; indexed from --corpus if absent"
    )
    parser.add_argument("--corpus", type=Path, default=SHARED_CORPUS_DIR, help="folder to index")
    parser.add_argument("--questions", type=Path, default=DEV_SET, help="a JSONL eval set")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before measuring")
    parser.add_argument(
        "--unique", action=argparse.BooleanOptionalAction, default=True,
        help="make every request's text unique (defeats the server's query-embedding cache)",
    )
    parser.add_argument(
        "--prime", action=argparse.BooleanOptionalAction, default=True,
        help="ask every question once first (cold latencies reported apart): steady state",
    )
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "load.json", help="JSON file"
    )
    return parser.parse_args()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    at = (len(ordered) - 1) * q / 100.0
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def load_questions(path: Path) -> list[dict]:
    bodies = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            body = {"question": item["question"]}
            if item.get("history"):
                body["history"] = item["history"]
            bodies.append(body)
    return bodies


def bare_cost_ms(settings: Settings, bodies: list[dict], rounds: int = 3) -> list[float]:
    """Per-question time of embed_query + ChunkStore.query (fetch_k), in this process."""
    from vectorstore.embeddings import get_embeddings
    from vectorstore.store import open_store

    embeddings, store = get_embeddings(settings), open_store(settings)
    for body in bodies[:5]:
        store.query(embeddings.embed_query(body["question"]), settings.fetch_k)
    times = []
    for _ in range(rounds):
        for body in bodies:
            started = time.perf_counter()
            store.query(embeddings.embed_query(body["question"]), settings.fetch_k)
            times.append((time.perf_counter() - started) * 1000.0)
    return times


def start_server(store: Path, port: int) -> tuple[subprocess.Popen, Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    env.update(IGR_STORE_DIR=str(store), IGR_API_KEYS="", IGR_ANSWERER="extractive")
    log = store.parent / f"serve-{port}.log"
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("igr")), "serve", "--port", str(port)],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    return proc, log


async def wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout_s: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"igr serve exited: {log.read_text()[-2000:]}")
            try:
                if (await client.get(f"{url}/health", timeout=5)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError("igr serve did not become healthy")


async def prime(url: str, bodies: list[dict]) -> list[float]:
    """Ask each question once, one at a time; the cold latencies in ms."""
    import httpx

    cold = []
    async with httpx.AsyncClient() as client:
        for body in bodies:
            sent = time.monotonic()
            await client.post(f"{url}/chat", json=body, timeout=120)
            cold.append((time.monotonic() - sent) * 1000.0)
    return cold


async def run_load(url: str, bodies: list[dict], args: argparse.Namespace) -> dict:
    import httpx

    latencies: list[float] = []
    server: dict[str, list[float]] = {"retrieve": [], "answer": [], "total": []}
    errors: dict[str, int] = {}
    counter = 0
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    start = time.monotonic()
    measure_from = start + args.warmup
    stop_at = measure_from + args.duration

    async def client_loop(index: int, client: httpx.AsyncClient) -> None:
        nonlocal counter
        i = index
        while time.monotonic() < stop_at:
            body = dict(bodies[i % len(bodies)])
            i += args.clients
            counter += 1
            if args.unique:
                body["question"] = f"{body['question']} (ref {counter})"
            sent = time.monotonic()
            try:
                response = await client.post(f"{url}/chat", json=body, timeout=120)
                status = str(response.status_code) if response.status_code != 200 else None
            except httpx.HTTPError as exc:
                status, response = type(exc).__name__, None
            done = time.monotonic()
            if sent >= measure_from and done <= stop_at:
                latencies.append((done - sent) * 1000.0)
                if status is None and response is not None:
                    for part, ms in response.json()["timings_ms"].items():
                        server[part].append(ms)
                if status:
                    errors[status] = errors.get(status, 0) + 1

    async with httpx.AsyncClient(limits=limits) as client:
        await asyncio.gather(*(client_loop(i, client) for i in range(args.clients)))
    return {"latencies": latencies, "errors": errors, "server": server}


def main() -> int:
    """Run the benchmark; print a summary; write the JSON."""
    args = _args()
    if not args.questions.is_file():
        print(f"bench/load.py: questions not found: {args.questions}", file=sys.stderr)
        return 2
    bodies = load_questions(args.questions)
    from api.server import free_port

    with tempfile.TemporaryDirectory(prefix="igr-load-") as tmp:
        store = args.store or Path(tmp) / "store"
        indexed_s = None
        if not store.exists():
            if not args.corpus.is_dir():
                print(f"bench/load.py: corpus not found: {args.corpus}", file=sys.stderr)
                return 2
            from vectorstore.indexer import index_paths

            started = time.perf_counter()
            index_paths([args.corpus], Settings(store_dir=store, chroma_url=None))
            indexed_s = round(time.perf_counter() - started, 1)
        settings = Settings(store_dir=store, chroma_url=None)
        bare_before = bare_cost_ms(settings, bodies)

        port = free_port()
        proc, log = start_server(Path(store), port)
        url = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(wait_healthy(url, proc, log))
            cold = asyncio.run(prime(url, bodies)) if args.prime else []
            load = asyncio.run(run_load(url, bodies, args))
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        # again with the server stopped: on a shared machine the quieter figure is the fairer
        bare_after = bare_cost_ms(settings, bodies)
        bare = min(bare_before, bare_after, key=statistics.median)

    lat = load["latencies"]
    bare_p50 = statistics.median(bare)
    p95 = percentile(lat, 95)
    result = {
        "clients": args.clients,
        "duration_s": args.duration,
        "unique_questions": args.unique,
        "primed": args.prime,
        "cold_latency_ms_p50": round(percentile(cold, 50), 1) if cold else None,
        "questions": len(bodies),
        "requests": len(lat),
        "errors": load["errors"],
        "requests_per_s": round(len(lat) / args.duration, 2),
        "latency_ms": {
            "p50": round(percentile(lat, 50), 1), "p95": round(p95, 1),
            "p99": round(percentile(lat, 99), 1), "max": round(max(lat, default=0.0), 1),
        },
        "server_timings_ms_p50": {
            part: round(percentile(values, 50), 1) for part, values in load["server"].items()
        },
        "bare_embed_plus_chroma_ms": {
            "p50": round(bare_p50, 2), "p95": round(percentile(bare, 95), 2), "n": len(bare),
            "p50_before_load": round(statistics.median(bare_before), 2),
            "p50_after_load": round(statistics.median(bare_after), 2),
        },
        "ratio_p95_to_bare_p50": round(p95 / bare_p50, 2),
        "goal_ratio": 3.0,
        "meets_goal": p95 / bare_p50 <= 3.0,
        "indexed_corpus_s": indexed_s,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
