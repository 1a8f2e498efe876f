"""Load benchmark: `/chat` on a real `igr serve` against the bare query cost, interleaved.

1. Interleaved, one client: for each question, A = the bare cost (one query embedding +
   one Chroma query of fetch_k, in this process, same torch threads as the server), then
   B = `POST /chat` over loopback; A B A B ... for `--rounds` passes over the questions,
   so machine load drifts equally over both. Goal: /chat p95 <= 3 x bare p95.
2. Then `--clients` concurrent clients for `--duration` seconds (throughput, p50/p95).

    .venv/bin/python bench/load.py [--store DIR] [--clients N] [--duration S] [--rounds R]
        [--workers N --chroma-url URL] [--no-prime] [--no-unique]

Without --store, ../shared/corpus is indexed into a temporary store first (or into the
Chroma server given by --chroma-url). Questions come from ../shared/evals/dev.jsonl (with
their history, if any). Writes JSON to bench/results/load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, percentile, stop, write_result  # noqa: E402
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
    parser.add_argument("--rounds", type=int, default=2, help="interleaved passes (1 client)")
    parser.add_argument("--workers", type=int, default=1, help="igr serve --workers")
    parser.add_argument("--chroma-url", help="serve from this Chroma server (needed by workers)")
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


class Bare:
    """One query embedding + one Chroma query of fetch_k, in this process."""

    def __init__(self, settings: Settings) -> None:
        from assistant.runtime import use_query_threads
        from vectorstore.embeddings import get_embeddings
        from vectorstore.store import open_store

        use_query_threads(settings)  # the server's torch threads
        self.settings = settings
        self.embeddings, self.store = get_embeddings(settings), open_store(settings)
        for _ in range(3):
            self("warm up the bare path")

    def __call__(self, question: str) -> float:
        started = time.perf_counter()
        self.store.query(self.embeddings.embed_query(question), self.settings.fetch_k)
        return (time.perf_counter() - started) * 1000.0


def start_server(
    store: Path, port: int, workers: int = 1, chroma_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen, Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    env.update(IGR_STORE_DIR=str(store), IGR_API_KEYS="", IGR_ANSWERER="extractive")
    if chroma_url:
        env["IGR_CHROMA_URL"] = chroma_url
    env.update(extra_env or {})
    log = store.parent / f"serve-{port}.log"
    command = [str(Path(sys.executable).with_name("igr")), "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    proc = subprocess.Popen(
        command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
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


async def wait_warm(url: str, timeout_s: float = 900) -> float:
    """Wait until the server has embedded its stored sentences (`/health` "warming" false):
    measuring meanwhile would time the warm-up, not the steady state. Returns the wait."""
    import httpx

    started = time.monotonic()
    async with httpx.AsyncClient() as client:
        while time.monotonic() - started < timeout_s:
            if not (await client.get(f"{url}/health", timeout=5)).json().get("warming"):
                break
            await asyncio.sleep(1.0)
    return round(time.monotonic() - started, 1)


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


async def interleaved(url: str, bodies: list[dict], bare: Bare, rounds: int) -> dict:
    """A then B for every question, `rounds` times: bare cost and /chat latency (ms)."""
    import httpx

    a: list[float] = []
    b: list[float] = []
    parts: dict[str, list[float]] = {}
    n = 0
    async with httpx.AsyncClient() as client:
        for _ in range(rounds):
            for body in bodies:
                n += 1
                body = {**body, "question": f"{body['question']} (ref i{n})"}
                a.append(bare(body["question"]))
                sent = time.perf_counter()
                response = await client.post(f"{url}/chat", json=body, timeout=120)
                b.append((time.perf_counter() - sent) * 1000.0)
                if response.status_code == 200:
                    for part, ms in response.json()["timings_ms"].items():
                        parts.setdefault(part, []).append(ms)
    return {"bare": a, "chat": b, "server": parts}


async def run_load(url: str, bodies: list[dict], args: argparse.Namespace) -> dict:
    import httpx

    latencies: list[float] = []
    server: dict[str, list[float]] = {}
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
                        server.setdefault(part, []).append(ms)
                if status:
                    errors[status] = errors.get(status, 0) + 1

    async with httpx.AsyncClient(limits=limits) as client:
        await asyncio.gather(*(client_loop(i, client) for i in range(args.clients)))
    return {"latencies": latencies, "errors": errors, "server": server}


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2),
        "n": len(values),
    }


def main() -> int:
    """Run the benchmark; print a summary; write the JSON."""
    args = _args()
    if not args.questions.is_file():
        print(f"bench/load.py: questions not found: {args.questions}", file=sys.stderr)
        return 2
    if args.workers > 1 and not args.chroma_url:
        print("bench/load.py: --workers needs --chroma-url", file=sys.stderr)
        return 2
    bodies = load_questions(args.questions)
    from api.server import free_port

    with tempfile.TemporaryDirectory(prefix="igr-load-") as tmp:
        store = args.store or Path(tmp) / "store"
        settings = Settings(store_dir=store, chroma_url=args.chroma_url)
        indexed_s = None
        from vectorstore.store import open_store

        if (not args.chroma_url and not store.exists()) or (
            args.chroma_url and open_store(settings).count() == 0
        ):
            if not args.corpus.is_dir():
                print(f"bench/load.py: corpus not found: {args.corpus}", file=sys.stderr)
                return 2
            from vectorstore.indexer import index_paths

            started = time.perf_counter()
            index_paths([args.corpus], settings)
            indexed_s = round(time.perf_counter() - started, 1)
        Path(store).mkdir(parents=True, exist_ok=True)
        bare = Bare(settings)

        port = free_port()
        proc, log = start_server(Path(store), port, args.workers, args.chroma_url)
        url = f"http://127.0.0.1:{port}"
        try:
            asyncio.run(wait_healthy(url, proc, log))
            warm_up_s = asyncio.run(wait_warm(url))
            cold = asyncio.run(prime(url, bodies)) if args.prime else []
            pairs = asyncio.run(interleaved(url, bodies, bare, args.rounds))
            load = asyncio.run(run_load(url, bodies, args)) if args.duration > 0 else None
        finally:
            stop(proc)

    a, b = pairs["bare"], pairs["chat"]
    result = {
        "workers": args.workers,
        "chroma": "server" if args.chroma_url else "embedded",
        "questions": len(bodies),
        "warm_up_s": warm_up_s,
        "cold_latency_ms_p50": round(percentile(cold, 50), 1) if cold else None,
        "interleaved_1_client": {
            "bare_embed_plus_chroma_ms": summary(a),
            "chat_ms": summary(b),
            "server_timings_ms_p50": {
                part: round(percentile(v, 50), 2) for part, v in pairs["server"].items()
            },
            "ratio_chat_p95_to_bare_p95": round(percentile(b, 95) / percentile(a, 95), 2),
            "ratio_chat_p95_to_bare_p50": round(percentile(b, 95) / percentile(a, 50), 2),
            "goal_ratio": 3.0,
        },
        "indexed_corpus_s": indexed_s,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    if load is not None:
        lat = load["latencies"]
        result["concurrent"] = {
            "clients": args.clients,
            "duration_s": args.duration,
            "unique_questions": args.unique,
            "requests": len(lat),
            "errors": load["errors"],
            "requests_per_s": round(len(lat) / args.duration, 2),
            "latency_ms": {
                "p50": round(percentile(lat, 50), 1), "p95": round(percentile(lat, 95), 1),
                "max": round(max(lat, default=0.0), 1),
            },
            "server_timings_ms_p50": {
                part: round(percentile(values, 50), 1) for part, values in load["server"].items()
            },
        }
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
