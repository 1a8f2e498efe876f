"""Fit the extractive answer policy on the tune split: `python -m evals.fit_policy`.

1. Every tune question (evals/datasets/tune.jsonl and ../shared/evals/dev.jsonl) is
   retrieved for with the product's own `Assistant.retrieve` over the configured store (which
   must hold ../shared/corpus and evals/corpus).
2. Every window of the passages gets its feature row (`assistant.window_features`) and a
   label: it holds at least half of the question's gold key facts (those the question does
   not itself contain).
3. A ranking logistic regression on within-question window pairs, calibrated by Platt
   scaling (scikit-learn), gives the weights (`fit_weights`).
4. The thresholds and switches in `GRID` are chosen by coordinate descent that replays the
   gates and the selection on every tune question, maximising key-fact recall plus refusal
   accuracy, with false refusals above 8%, a mean answer above 55 words and citation
   precision against the gold below 0.90 penalised.

The result is written to `ingest/answer_policy.json`, the defaults of `Settings.answer`.
The test split is never read here.

`--try '{"min_probability": 0.1}'` (repeatable) fits nothing and writes no policy: it
replays the current policy, then the policy with those fields changed, and prints the tune
figures of each, so a variant is measured on tune (with `--cache`, in about a minute)
before any setting changes.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from assistant.conversation import retrieval_query
from assistant.gates import evidence_gate
from assistant.models import Passage
from assistant.question import profile_question, question_parts
from assistant.safety import strip_injection
from assistant.selection import AnswerSelector
from assistant.window_features import FEATURES, SLOT_KINDS, add_slots, features
from assistant.windows import Window, windows
from evals.dataset import EvalItem, load_dataset
from evals.metrics import overlaps_evidence
from evals.text import contains, doc_stem, strip_markers
from ingest.settings import POLICY_FILE, PROJECT_ROOT, AnswerPolicy, Settings
from vectorstore.tokenize import tokenize

TUNE = PROJECT_ROOT / "evals" / "datasets" / "tune.jsonl"
DEV = PROJECT_ROOT.parent / "shared" / "evals" / "dev.jsonl"
LABEL_SHARE = 0.5
UNMET_CHOICES = (
    ("year", "period", "month", "day", "ord", "phrase", "nation", "name"),
    ("year", "period", "month", "day", "ord", "phrase", "nation"),
    ("year", "period", "month", "day", "ord", "phrase"),
    ("year", "period", "month", "day", "ord", "name"),
    ("year", "period", "month", "day", "ord"),
    ("year", "month", "day", "ord"),
)


@dataclass
class Case:
    """One tune question with what retrieval gave and what the gates need."""

    item: EvalItem
    question: str  # cleaned, standalone
    passages: list[Passage]
    unknown: list[str]
    typed: str = ""  # cleaned, its shorthand spelled out (what the evidence gate reads)


class _CacheReader(pickle.Unpickler):
    """Reads a cache written by `python -m evals.fit_policy` (whose cases pickle as
    `__main__.Case`) from any entry point (`evals.rank_cv`). Like any pickle, a cache can
    run code when read: read only one you wrote."""

    def find_class(self, module: str, name: str):
        if name == "Case" and module in ("__main__", "evals.fit_policy"):
            return Case
        return super().find_class(module, name)


def retrieve_all(items: list[EvalItem], settings: Settings, cache: Path | None) -> list[Case]:
    """Retrieval for every question, through the product's own path (cached on disk)."""
    if cache and cache.is_file():
        with cache.open("rb") as f:
            return _CacheReader(f).load()
    from assistant.assistant import Assistant

    assistant = Assistant(settings)
    cases = []
    for item in items:
        clean, _ = strip_injection(item.question)
        if not clean.strip():
            cases.append(Case(item, "", [], []))
            continue
        found = assistant.retrieve(clean, item.history)
        terms = tokenize(found.query)  # as the product's gate: a follow-up with its subject
        cases.append(Case(item, found.query, found.passages,
                          assistant.lexical.unknown_terms(terms), found.typed))
    if cache:
        cache.write_bytes(pickle.dumps(cases))
    return cases


def key_share(text: str, item: EvalItem, question: str) -> float:
    """Share of the gold key facts in `text` (those the question itself lacks)."""
    wanted = [k for k in item.keywords if not contains(question, k)] or item.keywords
    return sum(contains(text, k) for k in wanted) / len(wanted) if wanted else 0.0


def training_rows(cases: list[Case], encode, policy: AnswerPolicy):
    """Feature rows, labels and question numbers of every window of every answerable tune
    question."""
    xs, ys, groups = [], [], []
    for number, case in enumerate(cases):
        if not case.item.answerable or not case.passages:
            continue
        profile = profile_question(case.question)
        found = [w for p in case.passages
                 for w in windows(p, policy.max_list_words, policy.max_list_items,
                                  policy.clause_words)]
        if not found:
            continue
        scored = features(case.question, profile, found, encode([case.question])[0], encode)
        if profile.kind in SLOT_KINDS:
            add_slots(profile, scored, list(range(len(found))))
        xs.append(scored.matrix)
        ys.append([key_share(w.text, case.item, case.question) >= LABEL_SHARE for w in found])
        groups += [number] * len(found)
    return np.vstack(xs), np.concatenate(ys), np.array(groups)


PAIRS_PER_QUESTION = 60


def fit_weights(
    x: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int = 0,
    names: Sequence[str] = FEATURES,
) -> tuple[dict[str, float], float]:
    """A ranking model, calibrated: logistic regression on feature differences of (answer,
    non-answer) window pairs of the same question (it learns to rank within a question,
    which is what selection needs), then a one-feature logistic fit of the labels on its
    scores (Platt scaling), so thresholds read as probabilities. Both scikit-learn, L2, C=1.
    `names` are the columns of `x` (a subset of the features, in cross-validation).
    ValueError if no question has both an answer and a non-answer window."""
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y, dtype=bool)  # labels as 0/1 integers would index rows, not mask them
    rng = np.random.default_rng(seed)
    diffs, signs = [], []
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        pos, neg = rows[y[rows]], rows[~y[rows]]
        if not len(pos) or not len(neg):
            continue
        for _ in range(min(PAIRS_PER_QUESTION, len(pos) * len(neg))):
            a, b = rng.choice(pos), rng.choice(neg)
            diffs += [x[a] - x[b], x[b] - x[a]]
            signs += [1, 0]
    if not diffs:
        raise ValueError("no question has both an answer and a non-answer window to fit on")
    ranker = LogisticRegression(C=1.0, max_iter=5000, fit_intercept=False)
    ranker.fit(np.array(diffs), np.array(signs))
    direction = ranker.coef_[0]
    platt = LogisticRegression(C=1.0, max_iter=5000).fit((x @ direction)[:, None], y)
    scale, intercept = float(platt.coef_[0][0]), float(platt.intercept_[0])
    weights = {name: round(float(c) * scale, 4)
               for name, c in zip(names, direction, strict=True)}
    return weights, round(intercept, 4)


class _MemoSelector(AnswerSelector):
    """The product's selector with window scores memoised (weights fixed during the grid)."""

    def __init__(self, policy: AnswerPolicy, encode) -> None:
        super().__init__(policy, encode)
        self._memo: dict[tuple[str, tuple[str, ...]], object] = {}

    def score(self, question, profile, passages):
        key = (question, tuple(p.chunk_id for p in passages))
        if key not in self._memo:
            self._memo[key] = super().score(question, profile, passages)
        return self._memo[key]


def grounded_share(chosen: list[Window], item: EvalItem) -> float:
    """Share of the passages an answer would cite that are grounded in the gold (as
    `evals.metrics.citation_gold_support`: in a gold source, or overlapping gold evidence)."""
    gold = {doc_stem(s) for s in item.sources}
    cited: dict[str, bool] = {}
    for w in chosen:
        ok = doc_stem(w.passage.doc_id) in gold or overlaps_evidence(w.text, item.evidence)
        cited[w.passage.chunk_id] = cited.get(w.passage.chunk_id, False) or ok
    return sum(cited.values()) / len(cited)


def replay(cases: list[Case], selector: AnswerSelector, policy: AnswerPolicy, max_words: int):
    """Gates and selection on every case: (key facts, refusal accuracy, false refusals,
    mean words, citation precision) of the tune split."""
    facts, refusals, false_refusals, words, cites = [], [], [], [], []
    for case in cases:
        if case.item.type == "injection":
            continue
        refused = not case.question
        text = ""
        if not refused:
            own = getattr(case, "typed", "") or strip_injection(case.item.question)[0]
            gate = evidence_gate(profile_question(own), tokenize(case.question),
                                 case.unknown, case.passages, policy,
                                 [profile_question(p) for p in question_parts(own)])
            refused = gate is not None
        if not refused:
            context = retrieval_query(case.question, case.item.history)
            chosen = selector.select(case.question, case.passages, max_words,
                                     context if case.item.history else "")
            text = " ".join(w.text for w in chosen.windows)
            refused = not chosen.windows
        if case.item.type == "unanswerable":
            refusals.append(refused)
            continue
        false_refusals.append(refused)
        facts.append(0.0 if refused else key_share(text, case.item, ""))
        if not refused:
            words.append(len(strip_markers(text).split()))
            cites.append(grounded_share(chosen.windows, case.item))
    return (float(np.mean(facts)), float(np.mean(refusals)), float(np.mean(false_refusals)),
            float(np.mean(words)) if words else 0.0, float(np.mean(cites)) if cites else 0.0)


def objective(facts: float, refusal: float, false_refusal: float, words: float,
              cites: float) -> float:
    return (facts + refusal - 3.0 * max(0.0, false_refusal - 0.08)
            - 0.02 * max(0.0, words - 55) - 1.0 * max(0.0, 0.90 - cites))


GRID = {
    "min_probability": (0.05, 0.1, 0.15, 0.2, 0.3),
    "min_similarity": (0.0, 0.3, 0.35, 0.4, 0.45, 0.5),
    "off_topic_share": (0.25, 0.4, 0.6, 1.01),
    "near_delta": (0.0, 0.03, 0.05, 0.06),
    "part_min_probability": (0.05, 0.1, 0.2, 0.3),
    "cover_ratio": (0.3, 0.5, 0.7, 1.1),
    "list_ratio": (0.4, 0.6, 0.8),
    "extra_ratio": (0.2, 0.3, 0.4, 0.6, 0.75, 0.9, 1.1),
    "max_words_many": (70, 85, 100),
    "require_slot": (False, True),
    "require_focus": (False, True),
    "tied_kinds": ((), ("number",), ("frequency",), ("number", "frequency"),
                   ("number", "place", "frequency")),
    "unmet_kinds": UNMET_CHOICES,
    "window_kinds": ((), ("ord",), ("period", "ord"), ("scope", "period", "ord"),
                     ("year", "period", "ord"),
                     ("year", "period", "month", "day", "ord")),
    "conflict_kinds": ((), ("period",), ("period", "day"), ("period", "month", "day"),
                       ("year", "period", "month", "day"), ("period", "month", "day", "nation")),
    "passage_kinds": ((), ("phrase",), ("nation",), ("phrase", "nation"), ("phrase", "scope"),
                      ("phrase", "scope", "nation")),
    "sibling_kinds": ((), ("year", "period", "month", "day", "ord"),
                      ("year", "period", "month", "day", "ord", "nation"),
                      ("year", "period", "month", "day", "ord", "nation", "name", "phrase")),
    "count_slack": (0, 1, 2, 99),
    "gather_same_document": (False, True),
}
SWEEPS = 2


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def search(cases, encode, weights, intercept, max_words: int, log=print):
    """Coordinate descent over `GRID` (each setting in turn, the others held), `SWEEPS`
    times: the policy with the best objective on the tune cases, and its figures."""
    policy = AnswerPolicy(weights=weights, intercept=intercept)
    selector = _MemoSelector(policy, encode)
    best = replay(cases, selector, policy, max_words)
    for _ in range(SWEEPS):
        for name, values in GRID.items():
            for value in values:
                trial = policy.model_copy(update={name: _plain(value)})
                selector.policy = trial
                result = replay(cases, selector, trial, max_words)
                if objective(*result) > objective(*best) + 1e-9:
                    policy, best = trial, result
                    log(f"{name}={value!r}: facts {result[0]:.3f} refusal {result[1]:.3f} "
                        f"false refusals {result[2]:.3f} words {result[3]:.1f} "
                        f"citations {result[4]:.3f}")
    return policy, best


# Fields that change the windows or their scores: a trial changing one is scored afresh.
_SCORING = ("weights", "intercept", "clause_words", "max_list_words", "max_list_items")
# The kind names each list field of the policy may hold (a misspelt kind would silently
# switch a check off): the question's specifics, as the grid names them; answer kinds.
_SPECIFICS = ("unmet_kinds", "window_kinds", "conflict_kinds", "sibling_kinds",
              "passage_kinds")
_SPECIFIC_KINDS = frozenset(k for f in _SPECIFICS for choice in GRID[f] for k in choice)
_KINDS = {f: _SPECIFIC_KINDS for f in _SPECIFICS} | {"tied_kinds": frozenset(SLOT_KINDS)}


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def trial_policy(base: AnswerPolicy, change: str) -> AnswerPolicy:
    """`base` with the fields of the JSON object `change` replaced (named `weights` replaced
    one by one), validated strictly; ValueError with a one-line reason for bad JSON, an
    unknown field, feature or kind, or a value of the wrong type."""
    try:
        fields = json.loads(change, parse_constant=_no_constant)
    except ValueError as exc:  # JSONDecodeError, or NaN/Infinity
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise ValueError(f"--try {change!r} is not JSON: {reason}") from None
    if not isinstance(fields, dict):
        raise ValueError(f"--try {change!r} is not a JSON object of policy fields")
    unknown = sorted(set(fields) - set(AnswerPolicy.model_fields))
    if unknown:
        raise ValueError(f"--try: no policy field {', '.join(unknown)}")
    for name, known in _KINDS.items():
        value = fields.get(name)
        odd = sorted({k for k in value if isinstance(k, str)} - known) if isinstance(
            value, list) else []
        if odd:
            raise ValueError(f"--try: {name}: no kind {', '.join(odd)}")
    if isinstance(fields.get("weights"), dict):
        unknown = sorted(set(fields["weights"]) - set(FEATURES))
        if unknown:
            raise ValueError(f"--try: no window feature {', '.join(unknown)}")
        fields["weights"] = {**base.weights, **fields["weights"]}
    try:
        return AnswerPolicy.model_validate({**base.model_dump(), **fields}, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise ValueError(f"--try: {where}: {first['msg']}") from None


def run_trials(cases: list[Case], encode, base: AnswerPolicy, changes: list[str],
               max_words: int, log=print) -> None:
    """Print the tune figures of the current policy, then of each change (`trial_policy`).
    Window scores are reused between policies that agree on every `_SCORING` field."""
    policies = [("current policy", base)] + [(c, trial_policy(base, c)) for c in changes]
    selectors: dict[str, _MemoSelector] = {}
    for label, policy in policies:
        key = json.dumps([getattr(policy, f) for f in _SCORING], sort_keys=True)
        if key not in selectors:
            selectors[key] = _MemoSelector(policy, encode)
        selector = selectors[key]
        selector.policy = policy
        facts, refusal, false_refusal, words, cites = replay(cases, selector, policy, max_words)
        log(f"{label}: facts {facts:.3f} refusal {refusal:.3f} false refusals "
            f"{false_refusal:.3f} words {words:.1f} citations {cites:.3f}")


def tune_inputs(
    settings: Settings, cache: Path | None
) -> tuple[list[EvalItem], list[Case], Callable[[list[str]], np.ndarray]]:
    """The tune questions (with dev's where it is beside the repo), their retrieval
    (`retrieve_all`) and the product's cached query encoder."""
    from assistant.encoder import CachedEncoder
    from vectorstore.embeddings import get_embeddings

    items = load_dataset(TUNE) + (load_dataset(DEV) if DEV.is_file() else [])
    cases = retrieve_all(items, settings, cache)
    return items, cases, CachedEncoder(get_embeddings(settings)).encode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="pickle of the retrieval results to reuse")
    parser.add_argument("--out", type=Path, help=f"where the fitted policy goes ({POLICY_FILE})")
    parser.add_argument(
        "--try", dest="trials", action="append", metavar="JSON", default=[],
        help="replay the current policy with these fields changed and print its tune "
        "figures; fit nothing and write no policy (repeatable)",
    )
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = Settings()
    if args.trials and args.out:
        parser.error("--try fits and writes no policy: leave out --out")
    try:
        for change in args.trials:  # bad input is reported before any retrieval
            trial_policy(settings.answer, change)
    except ValueError as exc:
        parser.error(str(exc))
    items, cases, encode = tune_inputs(settings, args.cache)
    if args.trials:
        run_trials(cases, encode, settings.answer, args.trials, settings.max_answer_words)
        return
    x, y, groups = training_rows(cases, encode, settings.answer)
    weights, intercept = fit_weights(x, y, groups)
    policy, (facts, refusal, false_refusal, words, cites) = search(
        cases, encode, weights, intercept, settings.max_answer_words
    )
    fitted = policy.model_dump()
    fitted["fitted_on"] = {
        "questions": len(items), "windows": int(len(y)), "positive_windows": int(y.sum()),
        "tune_key_facts": round(facts, 3), "tune_refusal": round(refusal, 3),
        "tune_false_refusal": round(false_refusal, 3), "tune_mean_words": round(words, 1),
        "tune_citation_precision": round(cites, 3),
    }
    (args.out or POLICY_FILE).write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(fitted, indent=2))


if __name__ == "__main__":
    main()
