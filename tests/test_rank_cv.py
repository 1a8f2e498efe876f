"""Cross-validation of the window ranker (`evals.rank_cv`), on rows we make here."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from evals import rank_cv
from evals.fit_policy import fit_weights
from evals.rank_cv import compare, top1_cv

NAMES = ["telling", "noise"]


def _rows(questions: int = 60, windows: int = 8, seed: int = 0, unanswered: int = 0):
    """One answer window a question (none for the last `unanswered`); `telling` is higher
    on it (with noise), `noise` is not."""
    rng = np.random.default_rng(seed)
    x, y, groups = [], [], []
    for q in range(questions):
        answer = rng.integers(windows) if q < questions - unanswered else -1
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
    assert 0 < noise.se < 0.1


def test_questions_without_an_answer_window_are_not_counted() -> None:
    x, y, groups = _rows(unanswered=10)
    x[:, 0] = y  # a perfect feature
    score = top1_cv(x, y, groups, NAMES)
    assert score.questions == 50
    assert set(score.per_question) == set(range(50))
    assert score.top1 == 1.0 and score.per_seed == [1.0, 1.0, 1.0]


def test_each_seed_holds_every_question_out_once_and_never_trains_on_it(monkeypatch) -> None:
    x, y, groups = _rows(questions=20)
    calls = []

    def spy(x_, y_, groups_, seed, names):
        calls.append((seed, set(groups_.tolist())))
        return fit_weights(x_, y_, groups_, seed, names)

    monkeypatch.setattr(rank_cv, "fit_weights", spy)
    top1_cv(x, y, groups, NAMES, folds=4, seeds=2)
    held = {}
    for seed, trained in calls:
        held.setdefault(seed, []).append(set(range(20)) - trained)
    for seed in (0, 1):
        assert len(held[seed]) == 4
        assert sorted(q for part in held[seed] for q in part) == list(range(20))
    assert held[0] != held[1]  # the seeds split differently


def test_a_dropped_feature_is_compared_on_the_same_folds() -> None:
    x, y, groups = _rows()
    x = np.hstack([x, np.zeros((len(x), 1))])
    names = [*NAMES, "blank"]
    base, (blank, telling) = compare(x, y, groups, names, ["blank", "telling", "blank"])
    assert blank.score.per_seed == base.per_seed  # a column of zeros changes nothing
    assert blank.difference == 0.0 and blank.won == blank.lost == 0
    assert telling.difference < -0.5 and telling.lost > 30
    assert telling.se > 0


@pytest.mark.parametrize("keep, folds", [([], 5), (["telling", "telling"], 5),
                                         (["other"], 5), (None, 1), (None, 61)])
def test_impossible_settings_are_refused(keep, folds) -> None:
    x, y, groups = _rows()
    with pytest.raises(ValueError):
        top1_cv(x, y, groups, NAMES, keep=keep, folds=folds)


def test_weights_are_named_by_the_columns_given_and_labels_may_be_integers() -> None:
    x, y, groups = _rows()
    weights, _ = fit_weights(x, y, groups, names=NAMES)
    assert set(weights) == set(NAMES)
    assert weights["telling"] > abs(weights["noise"])
    assert fit_weights(x, y.astype(int), groups, names=NAMES) == (weights, _)


def test_nothing_to_fit_is_a_clear_error() -> None:
    x, y, groups = _rows(unanswered=60)
    with pytest.raises(ValueError, match="no question has both"):
        fit_weights(x, y, groups, names=NAMES)


def test_an_unknown_feature_is_refused_before_any_retrieval() -> None:
    done = subprocess.run([sys.executable, "-m", "evals.rank_cv", "--drop", "no_such"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "no window feature no_such" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_broken_cache_is_reported_without_a_traceback(tmp_path) -> None:
    cache = tmp_path / "cases.pkl"
    cache.write_bytes(b"not a pickle")
    done = subprocess.run([sys.executable, "-m", "evals.rank_cv", "--cache", str(cache)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert done.stderr.startswith("rank_cv:")
    assert "Traceback" not in done.stderr
