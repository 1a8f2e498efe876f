"""Cross-validate the window ranker on the tune split: `python -m evals.rank_cv`.

"Top-1" is the share of held-out tune questions whose best-scored window holds at least
half their key facts (the label `evals.fit_policy` fits to), among the questions that have
such a window. The ranker is refitted (`fit_weights`) on the other folds, folds made by
question, over several seeds; a feature left out (`--drop`) is measured on the same folds
with the same pairs, so the difference is paired question by question. A new ranker input
is written as a feature of `assistant.window_features`, then measured here before any
policy is refitted: a difference within two standard errors (over questions; the spread
over seeds alone understates the noise) is noise. The test split is never read.
"""

from __future__ import annotations

import argparse
import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from assistant.window_features import FEATURES
from evals.fit_policy import fit_weights, training_rows, tune_inputs
from ingest.settings import Settings


class RankScore(BaseModel):
    """Top-1 of the ranker on one set of features."""

    features: list[str]
    questions: int  # held-out questions counted: those with an answer window
    top1: float  # mean over seeds
    se: float  # standard error over questions
    per_seed: list[float]
    per_question: dict[int, float]  # share of seeds whose best window held the answer


class Dropped(BaseModel):
    """What leaving one feature out does, paired with all features on the same folds."""

    feature: str
    score: RankScore
    difference: float  # mean over questions of (without - with)
    se: float  # standard error of that mean over questions
    won: int  # questions ranked right more often without the feature
    lost: int  # ... less often


def _se(values: np.ndarray) -> float:
    return float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else 0.0


def top1_cv(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, names: Sequence[str],
    keep: Sequence[str] | None = None, folds: int = 5, seeds: int = 3,
) -> RankScore:
    """Top-1 of the ranker fitted on the columns `keep` (default: all) of `x`, whose
    columns are `names`: for each of `seeds` random splits of the questions into `folds`
    folds, each fold held out in turn. Questions without an answer window are left out
    of the count. ValueError for an empty or unknown `keep`, or too few questions."""
    keep = list(names if keep is None else keep)
    if not keep or len(set(keep)) < len(keep) or set(keep) - set(names):
        raise ValueError(f"features to keep must be distinct columns of x: {keep}")
    y = np.asarray(y, dtype=bool)
    questions = np.unique(groups)
    if not 2 <= folds <= len(questions) or seeds < 1:
        raise ValueError(f"need 2 to {len(questions)} folds and at least one seed")
    counted = sorted(int(q) for q in np.unique(groups[y]))
    if not counted:
        raise ValueError("no question has an answer window")
    xs = x[:, [list(names).index(n) for n in keep]]
    hits = {q: 0 for q in counted}
    per_seed = []
    for seed in range(seeds):
        order = np.random.default_rng(seed).permutation(questions)
        seed_hits = 0
        for held in np.array_split(order, folds):
            test = np.isin(groups, held)
            weights, _ = fit_weights(xs[~test], y[~test], groups[~test], seed, keep)
            scored = xs[test] @ np.array([weights[n] for n in keep])
            held_groups, held_y = groups[test], y[test]
            for q in held:
                rows = np.flatnonzero(held_groups == q)
                if held_y[rows].any() and held_y[rows][np.argmax(scored[rows])]:
                    hits[int(q)] += 1
                    seed_hits += 1
        per_seed.append(round(seed_hits / len(counted), 4))
    shares = np.array([hits[q] / seeds for q in counted])
    return RankScore(features=keep, questions=len(counted),
                     top1=round(float(shares.mean()), 4), se=round(_se(shares), 4),
                     per_seed=per_seed,
                     per_question={q: hits[q] / seeds for q in counted})


def compare(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, names: Sequence[str],
    drop: Sequence[str], folds: int = 5, seeds: int = 3,
) -> tuple[RankScore, list[Dropped]]:
    """Top-1 with every feature, and paired with it, without each of `drop` in turn."""
    base = top1_cv(x, y, groups, names, folds=folds, seeds=seeds)
    out = []
    for name in dict.fromkeys(drop):
        score = top1_cv(x, y, groups, names, [n for n in names if n != name], folds, seeds)
        diff = np.array([score.per_question[q] - base.per_question[q]
                         for q in base.per_question])
        out.append(Dropped(feature=name, score=score, difference=round(float(diff.mean()), 4),
                           se=round(_se(diff), 4), won=int((diff > 0).sum()),
                           lost=int((diff < 0).sum())))
    return base, out


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
        parser.error(f"--drop: no window feature {', '.join(unknown)} "
                     f"(the features: {', '.join(FEATURES)})")
    if args.folds < 2 or args.seeds < 1:
        parser.error("--folds must be at least 2 and --seeds at least 1")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings()
    try:
        _, cases, encode = tune_inputs(settings, args.cache)
        x, y, groups = training_rows(cases, encode, settings.answer)
        base, dropped = compare(x, y, groups, FEATURES, args.drop, args.folds, args.seeds)
    except (ValueError, pickle.UnpicklingError, EOFError, OSError) as exc:
        raise SystemExit(f"rank_cv: {exc}") from None
    print(f"{base.questions} questions with an answer window, {len(y)} windows")
    print(f"all features: top-1 {base.top1:.4f} (se {base.se:.4f} over questions; "
          f"by seed {base.per_seed})")
    for d in dropped:
        print(f"without {d.feature}: top-1 {d.score.top1:.4f}; paired difference "
              f"{d.difference:+.4f} (se {d.se:.4f}; {d.won} questions better, {d.lost} worse)")


if __name__ == "__main__":
    main()
