"""Cross-validation of the window ranker (`evals.rank_cv`), on rows we make here."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from evals.fit_policy import fit_weights
from evals.rank_cv import top1_cv

NAMES = ["telling", "noise"]


def _rows(questions: int = 60, windows: int = 8, seed: int = 0):
    """One answer window a question; `telling` is higher on it (with noise), `noise` is not."""
    rng = np.random.default_rng(seed)
    x, y, groups = [], [], []
    for q in range(questions):
        answer = rng.integers(windows)
        for w in range(windows):
            x.append([float(w == answer) + rng.normal(0, 0.3), rng.normal()])
            y.append(w == answer)
            groups.append(q)
    return np.array(x), np.array(y), np.array(groups)


def test_a_telling_feature_ranks_the_answer_first_and_noise_does_not() -> None:
    x, y, groups = _rows()
    both = top1_cv(x, y, groups, NAMES, seeds=2)
    noise = top1_cv(x, y, groups, NAMES, keep=["noise"], seeds=2)
    assert both.features == NAMES and noise.features == ["noise"]
    assert len(both.per_seed) == 2
    assert both.top1 > 0.9
    assert noise.top1 < 0.4  # one window in eight by chance


def test_weights_are_named_by_the_columns_given() -> None:
    x, y, groups = _rows()
    weights, _ = fit_weights(x, y, groups, names=NAMES)
    assert set(weights) == set(NAMES)
    assert weights["telling"] > abs(weights["noise"])


def test_an_unknown_feature_is_refused_before_any_retrieval() -> None:
    done = subprocess.run([sys.executable, "-m", "evals.rank_cv", "--drop", "no_such"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no window feature no_such" in done.stderr
    assert "Traceback" not in done.stderr
