"""The tune-split replay's own scoring (`evals.fit_policy`), on windows we build here."""

from __future__ import annotations

import pytest

from assistant.models import Passage
from assistant.windows import windows
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
    assert trial.min_probability == 0.1
    assert trial.weights == {"sim": 1.0, "rank": 2.0}  # a named weight, the others kept
    assert trial.intercept == -2.0 and trial.unmet_kinds == base.unmet_kinds
    assert base.min_probability == 0.2 and base.weights["rank"] == 0.5  # base untouched


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("{min_probability: 0.1}", "is not JSON"),
        ("[0.1]", "not a JSON object"),
        ('{"min_probabilty": 0.1}', "no policy field min_probabilty"),
        ('{"weights": {"simm": 1}}', "no window feature simm"),
        ('{"min_probability": "low"}', "min_probability: Input should be a valid number"),
    ],
)
def test_a_bad_trial_is_refused_with_its_reason(change: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        trial_policy(AnswerPolicy(), change)
