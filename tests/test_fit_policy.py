"""The tune-split replay's own scoring (`evals.fit_policy`), on windows we build here."""

from __future__ import annotations

import inspect
import re

import pytest

from assistant.models import Passage
from assistant.selection import AnswerSelector
from assistant.windows import windows
from evals import fit_policy
from evals.dataset import EvalItem
from evals.fit_policy import grounded_share, objective, trial_policy
from ingest.settings import AnswerPolicy


def _window(doc_id: str, chunk_id: str, text: str):
    passage = Passage(n=1, chunk_id=chunk_id, doc_id=doc_id, title="t", text=text)
    return next(w for w in windows(passage, 90, 8, 0) if w.kind == "single")


def test_cited_passages_count_once_and_are_grounded_by_source_or_evidence() -> None:
    item = EvalItem(id="x", type="factoid", question="Where do the wardens meet?",
                    sources=["own/wardens-guide"],
                    evidence=["The wardens meet in the boathouse every spring."])
    gold = _window("own/wardens-guide", "c1", "The guide covers the wardens' duties in full.")
    on_evidence = _window("own/newsletter", "c2", "The wardens meet in the boathouse every spring.")
    elsewhere = _window("own/newsletter", "c3", "Ferry timetables change in the autumn.")
    assert grounded_share([gold, on_evidence], item) == 1.0
    assert grounded_share([gold, elsewhere], item) == 0.5
    assert grounded_share([gold, gold], item) == 1.0  # one passage, one citation


def test_the_objective_penalises_citations_below_the_target() -> None:
    assert objective(0.6, 0.5, 0.05, 50, 0.95) == objective(0.6, 0.5, 0.05, 50, 0.90)
    assert objective(0.6, 0.5, 0.05, 50, 0.80) < objective(0.6, 0.5, 0.05, 50, 0.90)


def test_a_trial_changes_only_the_fields_it_names() -> None:
    base = AnswerPolicy(weights={"sim": 1.0, "rank": 0.5}, intercept=-2.0, min_probability=0.2)
    trial = trial_policy(base, '{"min_probability": 0.1, "weights": {"rank": 2}}')
    assert trial.model_dump() == {  # a named weight replaced, the others kept
        **base.model_dump(), "min_probability": 0.1, "weights": {"sim": 1.0, "rank": 2.0}
    }
    assert base.min_probability == 0.2 and base.weights["rank"] == 0.5  # base untouched


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("{min_probability: 0.1}", "is not JSON"),
        ("[0.1]", "not a JSON object"),
        ('{"min_probabilty": 0.1}', "no policy field min_probabilty"),
        ('{"weights": {"simm": 1}}', "no window feature simm"),
        ('{"min_probability": "low"}', "min_probability: Input should be a valid number"),
        ('{"min_probability": "0.1"}', "min_probability: Input should be a valid number"),
        ('{"min_probability": NaN}', "NaN is not a number"),
        ('{"clause_words": true}', "clause_words: Input should be a valid integer"),
        ('{"unmet_kinds": ["year", "yeer"]}', "unmet_kinds: no kind yeer"),
        ('{"tied_kinds": ["colour"]}', "tied_kinds: no kind colour"),
    ],
)
def test_a_bad_trial_is_refused_with_its_reason(change: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        trial_policy(AnswerPolicy(), change)


def test_trials_share_window_scores_only_when_scoring_alike(monkeypatch) -> None:
    seen = []
    monkeypatch.setattr(fit_policy, "replay", lambda cases, selector, policy, max_words: (
        seen.append((id(selector), selector.policy, policy)) or (0.5, 0.5, 0.0, 40.0, 1.0)))
    lines: list[str] = []
    base = AnswerPolicy(weights={"sim": 1.0}, intercept=-1.0)
    fit_policy.run_trials([], lambda texts: [], base,
                          ['{"min_probability": 0.3}', '{"intercept": 0}'], 60, lines.append)
    (first, p0, b0), (second, p1, b1), (third, p2, b2) = seen
    assert first == second and third != first  # a threshold reuses scores; an intercept not
    assert (p0, p1, p2) == (b0, b1, b2) and p1.min_probability == 0.3
    assert lines[0].startswith("current policy: facts 0.500")
    assert lines[2].startswith('{"intercept": 0}: ')


def test_every_policy_field_window_scoring_reads_is_a_scoring_field() -> None:
    read = set(re.findall(r"self\.policy\.(\w+)", inspect.getsource(AnswerSelector.score)))
    read |= {"weights"}  # read into the selector's coefficients when it is built
    assert read <= set(fit_policy._SCORING)


def test_a_cache_written_by_the_command_is_read_from_another_entry_point(
    monkeypatch, tmp_path
) -> None:
    """`python -m evals.fit_policy` pickles its cases as `__main__.Case`; `evals.rank_cv`
    (or a test) reads the same cache."""
    import pickle
    from dataclasses import make_dataclass

    import __main__

    written = make_dataclass("Case", ["item", "question", "passages", "unknown", "typed"])
    written.__module__ = "__main__"
    monkeypatch.setattr(__main__, "Case", written, raising=False)
    cache = tmp_path / "cases.pkl"
    cache.write_bytes(pickle.dumps([written(None, "q", [], ["x"], "")]))
    monkeypatch.delattr(__main__, "Case")
    (case,) = fit_policy.retrieve_all([], None, cache)
    assert isinstance(case, fit_policy.Case)
    assert (case.question, case.unknown) == ("q", ["x"])
