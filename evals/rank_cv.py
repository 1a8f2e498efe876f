"""Cross-validate the window ranker on the tune split: `python -m evals.rank_cv`.

"Top-1" is the share of held-out tune questions whose best-scored window holds at least
half their key facts (the label `evals.fit_policy` fits to), among those with such a
window. The ranker is refitted (`fit_weights`) on the other folds, folds made by
question, over several seeds; a feature left out (`--drop`) is measured on the same
folds, so the difference is paired. A new ranker input is written as a feature of
`assistant.window_features`, then measured here before any policy is refitted: a gain
within the seeds' spread is noise. The test split is never read.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from assistant.window_features import FEATURES
from evals.fit_policy import fit_weights, training_rows, tune_inputs
from ingest.settings import Settings


class RankScore(BaseModel):
    """Top-1 of one set of ranker features over seeds."""

    features: list[str]
    top1: float  # mean over seeds
    sd: float  # spread over seeds
    per_seed: list[float]


def top1_cv(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, names: Sequence[str],
    keep: Sequence[str] | None = None, folds: int = 5, seeds: int = 3,
) -> RankScore:
    """Grouped `folds`-fold top-1 of the ranker fitted on the columns `keep` (default:
    all) of `x`, whose columns are `names`."""
    keep = list(keep or names)
    xs = x[:, [list(names).index(n) for n in keep]]
    questions = np.unique(groups)
    scores = []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(questions)
        hits = counted = 0
        for held in np.array_split(order, folds):
            test = np.isin(groups, held)
            weights, _ = fit_weights(xs[~test], y[~test], groups[~test], seed, keep)
            scored = xs[test] @ np.array([weights[n] for n in keep])
            held_groups, held_y = groups[test], y[test]
            for q in held:
                rows = np.flatnonzero(held_groups == q)
                if held_y[rows].any():
                    counted += 1
                    hits += bool(held_y[rows][np.argmax(scored[rows])])
        scores.append(hits / counted if counted else 0.0)
    return RankScore(features=keep, top1=round(float(np.mean(scores)), 4),
                     sd=round(float(np.std(scores)), 4),
                     per_seed=[round(s, 4) for s in scores])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="pickle of the retrieval results to reuse")
    parser.add_argument("--drop", action="append", default=[], metavar="FEATURE",
                        help="also measure the ranker without this feature (repeatable)")
    parser.add_argument("--folds", type=int, default=5, help="folds by question (at least 2)")
    parser.add_argument("--seeds", type=int, default=3, help="random splits (at least 1)")
    args = parser.parse_args()
    unknown = sorted(set(args.drop) - set(FEATURES))
    if unknown:
        parser.error(f"--drop: no window feature {', '.join(unknown)}")
    if args.folds < 2 or args.seeds < 1:
        parser.error("--folds must be at least 2 and --seeds at least 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings()
    _, cases, encode = tune_inputs(settings, args.cache)
    x, y, groups = training_rows(cases, encode, settings.answer)
    print(f"{len(np.unique(groups))} questions, {len(y)} windows, {int(y.sum())} answer windows")
    base = top1_cv(x, y, groups, FEATURES, folds=args.folds, seeds=args.seeds)
    print(f"all features: top-1 {base.top1:.4f} (sd {base.sd:.4f} over {args.seeds} seeds)")
    for name in args.drop:
        kept = [f for f in FEATURES if f != name]
        score = top1_cv(x, y, groups, FEATURES, kept, args.folds, args.seeds)
        diff = np.subtract(score.per_seed, base.per_seed)
        print(f"without {name}: top-1 {score.top1:.4f} (sd {score.sd:.4f}); paired "
              f"difference {diff.mean():+.4f} (sd {diff.std():.4f})")


if __name__ == "__main__":
    main()
