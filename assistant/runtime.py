"""Process set-up for answering questions (serve, ask, eval), as opposed to ingesting."""

from __future__ import annotations

import threading

from ingest.settings import Settings


def use_query_threads(settings: Settings) -> None:
    """Give torch `settings.torch_threads` intra-op threads (0 = torch's default): one
    question's embeddings are too small to gain from more, and concurrent requests then
    use the other cores (see bench/threads.py)."""
    if settings.torch_threads > 0:
        import torch

        torch.set_num_threads(settings.torch_threads)


def preload_model() -> threading.Thread:
    """Start loading the configured embedding model in a background thread: the slowest
    part of a one-question start-up (`igr ask`), overlapped with opening the store and
    the lexical index. Errors are left for the main thread to meet and report."""

    def load() -> None:
        try:
            from ingest.settings import get_settings
            from vectorstore.embeddings import get_embeddings

            settings = get_settings()
            use_query_threads(settings)
            get_embeddings(settings)
        except Exception:  # noqa: BLE001 - reported when the main thread loads it
            return

    thread = threading.Thread(target=load, name="igr-model-preload", daemon=True)
    thread.start()
    return thread
