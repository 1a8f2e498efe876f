"""Aggregation of per-question `Ratio`s and seeded bootstrap confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from evals.metrics import Ratio

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240101


def aggregate(parts: Sequence[Ratio]) -> float | None:
    """sum(num) / sum(den) over the questions the metric applies to (None if none)."""
    den = sum(p.den for p in parts)
    if not parts or den == 0:
        return None
    return sum(p.num for p in parts) / den


def bootstrap_ci(
    parts: Sequence[Ratio],
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of `aggregate`, resampling questions with replacement."""
    if not parts:
        return None
    num = np.array([p.num for p in parts], dtype=float)
    den = np.array([p.den for p in parts], dtype=float)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(parts), size=(resamples, len(parts)))
    nums, dens = num[idx].sum(axis=1), den[idx].sum(axis=1)
    keep = dens > 0
    if not keep.any():
        return None
    stats = nums[keep] / dens[keep]
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(stats, [alpha, 1.0 - alpha])
    return float(lo), float(hi)
