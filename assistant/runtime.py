"""Process set-up for answering questions (serve, ask, eval), as opposed to ingesting."""

from __future__ import annotations

from ingest.settings import Settings


def use_query_threads(settings: Settings) -> None:
    """Give torch `settings.torch_threads` intra-op threads (0 = torch's default): one
    question's embeddings are too small to gain from more, and concurrent requests then
    use the other cores (see bench/threads.py)."""
    if settings.torch_threads > 0:
        import torch

        torch.set_num_threads(settings.torch_threads)

