"""Adding one document to an existing store: `igr ingest FILE` and an upload, timed.

The cost of one new document should follow its own size, not the store's. Give it a store
built earlier (e.g. by `bench/scale.py --workdir W`: `W/store-100000`, `W/tiny-model`); it
is copied first (`--copy-to`), so the original is never written. Per repetition:

- `igr ingest --json FILE` of a new small document, in another process (wall time and the
  report's own `seconds`);
- an upload as `POST /documents` does it, in this process: `prepare_upload` then
  `commit_upload` of another new document (each timed);
- with `--serve`, then: `igr serve` over the copy (no sentence warm-up) and one real
  `POST /documents` per repetition (wall time).

The first repetition over a store written before per-document records existed also builds
them (once); later ones show the steady cost.

    .venv/bin/python bench/add_one.py --store W/store-100000 --model W/tiny-model \
        --copy-to /tmp/add-one [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import REPO, write_result  # noqa: E402
from ingest.settings import Settings  # noqa: E402

IGR = Path(sys.executable).with_name("igr")


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="an existing store folder")
    parser.add_argument("--model", type=Path, required=True, help="the model it was built with")
    parser.add_argument("--copy-to", type=Path, required=True, help="work on a copy made here")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--serve", action="store_true", help="also POST /documents to igr serve")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "add_one.json")
    return parser.parse_args()


def copy_store(source: Path, target: Path) -> Path:
    """Copy the store (with `cp`), keeping its lexical index file under the copy's name
    (the file is named after the store's location) so no full lexical build is timed."""
    if target.exists():
        raise SystemExit(f"{target} exists: give a new --copy-to")
    subprocess.run(["cp", "-R", str(source), str(target)], check=True)
    found = sorted(target.glob("lexical-*.sqlite3"))
    if len(found) == 1:
        settings = Settings(store_dir=target, chroma_url=None)
        location = str(target.resolve())
        digest = hashlib.sha256(f"{location}|{settings.collection}".encode()).hexdigest()
        name = f"lexical-{digest[:12]}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            old = found[0].with_name(found[0].name + suffix)
            if old.exists():
                old.rename(target / (name + suffix))
    return target


def new_document(folder: Path, tag: str) -> Path:
    """A new small document no other document resembles."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"added-{tag}.txt"
    name = f"Zephyrine {tag} Covenant"
    path.write_text(
        f"Title: The {name}\nPublisher: Bench\nDate: 2025-06-01\nType: briefing\n---\n"
        f"The {name} is an agreement invented for this benchmark. It sets out how the "
        f"{name} board meets in Lerwick every spring and reports to both governments.\n",
        encoding="utf-8",
    )
    return path


def cli_ingest(path: Path, env: dict[str, str]) -> dict:
    started = time.perf_counter()
    done = subprocess.run([str(IGR), "ingest", "--json", str(path)], env=env,
                          capture_output=True, text=True, check=False)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"igr ingest failed: {done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return {"wall_s": round(took, 2), "report_s": report["seconds"], "added": report["added"]}


def upload(path: Path, settings: Settings) -> dict:
    from vectorstore.indexer import commit_upload, prepare_upload

    final = settings.uploads_dir() / path.name
    final.parent.mkdir(parents=True, exist_ok=True)
    staged = final.with_name(f".incoming-{path.name}")
    staged.write_bytes(path.read_bytes())
    started = time.perf_counter()
    prepared = prepare_upload(staged, final, settings)
    prepared_s = time.perf_counter() - started
    staged.replace(final)
    started = time.perf_counter()
    report = commit_upload(prepared, settings)
    commit_s = time.perf_counter() - started
    return {"prepare_s": round(prepared_s, 3), "commit_s": round(commit_s, 3),
            "added": report.added}


def post_uploads(env: dict[str, str], docs: Path, repeat: int, work: Path) -> list[dict]:
    """`igr serve` over the store, then `repeat` uploads through `POST /documents`."""
    import asyncio

    import httpx

    from api.server import free_port
    from bench.common import stop
    from bench.load import wait_healthy

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = work / "serve.log"
    proc = subprocess.Popen([str(IGR), "serve", "--port", str(port)],
                            env={**env, "IGR_WARM_UP_SENTENCES": "0"},
                            stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    found: list[dict] = []
    try:
        asyncio.run(wait_healthy(url, proc, log))
        for i in range(repeat):
            path = new_document(docs, f"post{i}")
            started = time.perf_counter()
            response = httpx.post(f"{url}/documents",
                                  files={"file": (path.name, path.read_bytes())}, timeout=600)
            found.append({"status": response.status_code,
                          "wall_s": round(time.perf_counter() - started, 3)})
            print(f"[add_one] POST /documents {i}: {found[-1]}", flush=True)
    finally:
        stop(proc)
    return found


def main() -> int:
    args = _args()
    store = copy_store(args.store, args.copy_to.resolve())
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    env.update(IGR_STORE_DIR=str(store), IGR_EMBEDDING_MODEL=str(args.model.resolve()),
               IGR_API_KEYS="", IGR_ANSWERER="extractive")
    settings = Settings(store_dir=store, embedding_model=args.model.resolve(), chroma_url=None,
                        api_keys=[], answerer="extractive")
    result: dict = {"store": str(args.store), "cli": [], "upload": []}
    docs = store.parent / f"{store.name}-added"
    for i in range(args.repeat):
        result["cli"].append(cli_ingest(new_document(docs, f"cli{i}"), env))
        print(f"[add_one] cli {i}: {result['cli'][-1]}", flush=True)
    for i in range(args.repeat):
        result["upload"].append(upload(new_document(docs, f"up{i}"), settings))
        print(f"[add_one] upload {i}: {result['upload'][-1]}", flush=True)
    if args.serve:
        result["post"] = post_uploads(env, docs, args.repeat, store.parent)
    from vectorstore.store import open_store

    result["chunks_after"] = open_store(settings).count()  # (opened after the CLI's writes)
    write_result(result, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
