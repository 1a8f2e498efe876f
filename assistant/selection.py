"""The extractive answer policy: which windows of the passages answer a question.

Every window gets a probability of holding the answer from a logistic model over named
features (`assistant.window_features`), with weights fitted on the tune split
(`python -m evals.fit_policy`) and kept in `Settings.answer`. Then:

1. a multi-part question ("Who chaired X in 2019, and who in 2024?") answers each part from
   its own best window, scored against that part alone (a later part pointing back, "...,
   and where did it meet?", with the first part's dates); a part no window answers well
   enough is reported as unanswered, not guessed;
2. otherwise the best window is quoted (for a single fact, the shortest of those scoring
   within `near_delta` of the best), unless none reaches `min_probability`, or no sentence
   of the passages is `min_similarity` close to the question (the documents are about
   something else): then nothing is found;
3. specifics of the question the answer still misses (a second year, nation or name, as in
   "compare ... in 2016 and ... in 2023") are met by adding the best window that meets them;
4. a question asking for several things (a list, "which bodies ...") gathers further windows
   scoring close to the best (`list_ratio`); a single fact takes a runner-up only when it
   scores nearly as well (`extra_ratio`), within the single-fact word budget; with
   `gather_same_document`, only from the best window's document;
5. a question saying how many things it asks for ("which eight councils") is answered only
   when the windows chosen name about that many (`count_slack`): a sentence saying there are
   eight, without naming them, does not answer it;
6. a further window continuing an earlier one of its passage is quoted with it as one run,
   in the earlier one's place.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from assistant.conversation import refers_back, with_dates_of
from assistant.evidence import constraints, is_met, names_other
from assistant.gates import unmet_parts
from assistant.models import Passage
from assistant.nlp import coordinated
from assistant.question import QuestionProfile, asks_many, profile_question, question_parts
from assistant.window_features import (
    FEATURES,
    SLOT,
    SLOT_KINDS,
    SLOT_TIED,
    Scored,
    add_slots,
    features,
    match_terms,
)
from assistant.windows import Window, units_of, windows
from ingest.settings import AnswerPolicy

SIM_BEST = FEATURES.index("sim_best")
TYPED_WINDOWS = 16
"""Windows (best first by the other features) whose units are tagged for the slot feature."""


@dataclass
class Selection:
    """The chosen windows (in answer order), the question parts left unanswered, and the best
    probability seen (0 when there was nothing to score)."""

    windows: list[Window] = field(default_factory=list)
    unanswered_parts: list[str] = field(default_factory=list)
    best_probability: float = 0.0


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _overlaps(a: Window, b: Window) -> bool:
    return a.passage.chunk_id == b.passage.chunk_id and a.start < b.end and b.start < a.end


def _unquoted(window: Window, chosen: list[Window]) -> Window | None:
    """`window` less the units an overlapping chosen window already quotes: chunks overlap,
    so one sentence can sit in two passages (alone in one window, with the next in
    another). None when nothing new is left, or what is left is not one run."""
    if any(_overlaps(window, c) for c in chosen):
        return None
    quoted = {u.text.strip() for c in chosen for u in c.units}
    new = [u.text.strip() not in quoted for u in window.units]
    if all(new):
        return window
    if not any(new):
        return None
    first, last = new.index(True), len(new) - 1 - new[::-1].index(True)
    if not all(new[first : last + 1]):
        return None
    return Window(window.passage, window.units[first : last + 1], window.first + first,
                  window.kind if last > first else "single")


class AnswerSelector:
    """Scores windows and applies the policy; stateless apart from its settings."""

    def __init__(self, policy: AnswerPolicy, encode) -> None:
        self.policy = policy
        self.encode = encode
        self.coef = np.array([policy.weights.get(name, 0.0) for name in FEATURES])

    # --- scoring ---------------------------------------------------------------------

    def score(
        self, question: str, profile: QuestionProfile, passages: list[Passage]
    ) -> tuple[Scored, np.ndarray]:
        """Every window of the passages and its probability of holding the answer."""
        found = [
            w for p in passages
            for w in windows(p, self.policy.max_list_words, self.policy.max_list_items,
                             self.policy.clause_words)
        ]
        if not found:
            return Scored([], np.zeros((0, len(FEATURES)), dtype=np.float32)), np.zeros(0)
        query = self.encode([question])[0]
        scored = features(question, profile, found, query, self.encode)
        logits = scored.matrix @ self.coef + self.policy.intercept
        if self.coef[SLOT] > 0:
            top = list(np.argsort(-logits)[:TYPED_WINDOWS])
            add_slots(profile, scored, top)
            logits = scored.matrix @ self.coef + self.policy.intercept
        return scored, _sigmoid(logits)

    def _best(
        self, scored: Scored, prob: np.ndarray, budget: int, profile: QuestionProfile,
        siblings: frozenset[str] = frozenset(), near: float = 0.0,
    ) -> int | None:
        """The shortest window scoring within `near` of the best (and not below
        `min_probability` unless the best is) of those that fit
        `budget` and meet the question's specifics where they must be met (see
        `_meets_specifics`); for a question asking for a person, date, number or place, only
        windows holding one (`require_slot`), of the kind asked for if any is likely enough,
        else of a kind that fills it less well (a body for "who"); for the kinds in
        `tied_kinds`, only a span hanging from a word of the question. `siblings` are the
        specifics setting the other parts of a multi-part question apart: a window meeting
        one of them next to it, and none of this part's own, answers another part."""
        in_passage: dict[tuple[str, str], bool] = {}
        fitting = [
            i for i, w in enumerate(scored.windows)
            if w.words <= budget and self._meets_specifics(w, profile, in_passage)
        ]
        own = [k for k in constraints(profile) if k.split(":", 1)[0] in self.policy.sibling_kinds]
        if siblings and own:  # parts told apart by their specifics
            fitting = [i for i in fitting if not _answers_sibling(scored.windows[i], siblings, own)]
        if self.policy.require_focus and profile.focus:
            fitting = [i for i in fitting if self._names_focus(scored.windows[i], profile)]
        if self.policy.require_slot and profile.kind in SLOT_KINDS:
            slots = scored.matrix[:, SLOT]
            floor = self.policy.min_probability
            strong = [i for i in fitting if slots[i] >= 1.0 and prob[i] >= floor]
            if profile.kind in self.policy.tied_kinds:  # the span must answer the question
                fitting = strong = [i for i in strong if scored.matrix[i, SLOT_TIED] > 0]
            fitting = strong or [i for i in fitting if slots[i] > 0]
        if not fitting:
            return None
        top = max(prob[i] for i in fitting)
        floor = min(top, max(top - near, self.policy.min_probability))
        close = [i for i in fitting if prob[i] >= floor]
        return min(close, key=lambda i: (scored.windows[i].words, -prob[i]))

    @staticmethod
    def _names_focus(window: Window, profile: QuestionProfile) -> bool:
        """The window (or the unit before it) names what a number question counts or
        measures: "meetings" for "how many meetings", "budget" for "what budget"."""
        near = match_terms(f"{_unit_before(window)} {window.text}")
        return bool(match_terms(profile.focus) & near) and all(
            match_terms(t) <= near for t in profile.focus_terms
        )

    def _meets_specifics(
        self, window: Window, profile: QuestionProfile,
        in_passage: dict[tuple[str, str], bool] | None = None,
    ) -> bool:
        """A year, month, date or ordinal must be met next to the answer (the window, the
        unit before it, its document's title and date); a body's name or a nation anywhere
        in its passage. Which kinds are checked where is `window_kinds`/`passage_kinds`;
        a window naming another time (year, span of years, month, day) than those asked
        about, or standing next to another nation, none of which is met next to it, is out
        for the kinds in `conflict_kinds` (times not when the question asks for a date:
        "when had it last met?"). `in_passage` keeps the passage-wide checks across the
        windows of one passage."""
        keys = constraints(profile)
        if not keys:
            return True
        p = window.passage
        near = f"{_unit_before(window)} {_context(window)}"
        cache = {} if in_passage is None else in_passage
        times = [k for k in keys if k.split(":", 1)[0] in self.policy.conflict_kinds]
        if profile.kind == "date":  # "when had it last met?" is answered by another time
            times = [k for k in times if k.startswith("nation:")]
        if times and not any(is_met(k, near) for k in times) and any(
            names_other(k, near if k.startswith("nation:") else window.text) for k in times
        ):
            return False
        for key in keys:
            kind = key.split(":", 1)[0]
            if kind in self.policy.window_kinds and not is_met(key, near):
                return False
            if kind in self.policy.passage_kinds:
                if (p.chunk_id, key) not in cache:  # the window's text is in the passage's
                    cache[p.chunk_id, key] = is_met(key, f"{p.text} {_context(window)}")
                if not cache[p.chunk_id, key]:
                    return False
        return True

    # --- the policy ------------------------------------------------------------------

    def select(
        self, question: str, passages: list[Passage], max_words: int, context: str = ""
    ) -> Selection:
        """The windows that answer `question` (see the module docstring). `context` is what
        a follow-up was searched with (it and the previous question): a short follow-up
        says little alone, so the passages are close enough when close to either."""
        profile = profile_question(question)
        parts = question_parts(question)
        many = asks_many(question)
        budget = self.policy.max_words_many if many else max_words
        if len(parts) > 1:
            return self._select_parts(parts, passages, budget, context)
        scored, prob = self.score(question, profile, passages)
        close = self._close(scored, context)
        near = 0.0 if many else self.policy.near_delta  # a list's items are not shortened
        best = self._best(scored, prob, max_words, profile, near=near) if close else None
        if best is None or prob[best] < self.policy.min_probability:
            return Selection(best_probability=float(prob.max()) if len(prob) else 0.0)
        chosen = [scored.windows[best]]
        order = [int(i) for i in np.argsort(-prob)]
        self._cover_specifics(profile, scored, prob, order, chosen, budget)
        ratio = self.policy.list_ratio if many else self.policy.extra_ratio
        doc = chosen[0].passage.doc_id
        further = [i for i in order if not self.policy.gather_same_document
                   or scored.windows[i].passage.doc_id == doc]
        self._gather(scored, prob, further, chosen, budget, ratio * prob[order[0]])
        if not self._counted(profile, chosen):  # the best window that names them, if any
            named = next((i for i in order if prob[i] >= self.policy.min_probability
                          and scored.windows[i].words <= budget
                          and self._counted(profile, [scored.windows[i]])
                          and self._meets_specifics(scored.windows[i], profile)), None)
            if named is None:
                return Selection(best_probability=float(prob[best]))
            chosen = [scored.windows[named]]
        return Selection(windows=_joined(chosen),
                         best_probability=float(prob[best]))

    def _select_parts(
        self, parts: list[str], passages: list[Passage], budget: int, context: str = ""
    ) -> Selection:
        chosen: list[Window] = []
        unanswered: list[str] = []
        best_seen = 0.0
        profiles = [profile_question(p) for p in parts]
        keys = [{k for k in constraints(p) if k.split(":", 1)[0] in self.policy.sibling_kinds}
                for p in profiles]
        unmet = unmet_parts(profiles, passages, self.policy)
        for n, (part, profile) in enumerate(zip(parts, profiles, strict=True)):
            if unmet[n]:  # see gates.evidence_gate
                unanswered.append(part)
                continue
            siblings = frozenset(set().union(*keys[:n], *keys[n + 1:]) - keys[n])
            # a later part pointing back is about the first part's time: "..., and who
            # chaired it?"
            asked = with_dates_of(part, parts[0]) if n and refers_back(part) else part
            scored, prob = self.score(asked, profile, passages)
            if not self._close(scored, context):
                unanswered.append(part)
                continue
            best_seen = max(best_seen, float(prob.max()))
            used = sum(w.words for w in chosen)
            share = (budget - used) // (len(parts) - n)  # leave the later parts theirs
            best = self._best(scored, prob, share, profile, siblings)
            window = scored.windows[best] if best is not None else None
            if (window is None or prob[best] < self.policy.part_min_probability
                    or not self._counted(profile, [window])):
                unanswered.append(part)
            elif (window := _unquoted(window, chosen)) is not None:
                chosen.append(window)
        return Selection(windows=_joined(chosen),
                         unanswered_parts=unanswered, best_probability=best_seen)

    def _counted(self, profile: QuestionProfile, chosen: list[Window]) -> bool:
        """The windows name at least as many things as the question asks for, less
        `count_slack`: each window its list items or its longest run of coordinated
        conjuncts, and at least one thing."""
        if not profile.count:
            return True
        named = sum(max(1, sum(u.item for u in w.units), coordinated(w.text)) for w in chosen)
        return named >= profile.count - self.policy.count_slack

    def _close(self, scored: Scored, context: str = "") -> bool:
        """Some unit of the passages is at least `min_similarity` close to the question, or
        to its `context` (below it, the documents are about something else)."""
        if not len(scored.windows):
            return False
        floor = self.policy.min_similarity
        if float(scored.matrix[:, SIM_BEST].max()) >= floor:
            return True
        if not context:
            return False
        units = list(dict.fromkeys(u.text for w in scored.windows for u in w.units))
        vectors = np.asarray(self.encode([context, *units]))
        return float((vectors[1:] @ vectors[0]).max()) >= floor

    def _fits(self, window: Window, chosen: list[Window], budget: int) -> Window | None:
        """`window` less what the chosen windows quote (`_unquoted`), if it fits the budget
        beside them."""
        window = _unquoted(window, chosen)
        if window is None or sum(w.words for w in chosen) + window.words > budget:
            return None
        return window

    def _cover_specifics(
        self, profile: QuestionProfile, scored: Scored, prob: np.ndarray, order: list[int],
        chosen: list[Window], budget: int,
    ) -> None:
        """Add the best window meeting a specific of the question the answer still lacks."""
        keys = constraints(profile)
        floor = self.policy.cover_ratio * prob[order[0]]
        for i in order:
            if prob[i] < floor:
                return
            missing = [k for k in keys if not any(is_met(k, _context(w)) for w in chosen)]
            if not missing:
                return
            window = self._fits(scored.windows[i], chosen, budget)
            if window is not None and any(is_met(k, window.text) for k in missing):
                chosen.append(window)

    def _gather(
        self, scored: Scored, prob: np.ndarray, order: list[int], chosen: list[Window],
        budget: int, floor: float,
    ) -> None:
        """Further windows (of `order`) scoring at least `floor`, while the budget lasts: a
        question asking for several things gathers them; a single fact may take a runner-up
        that is nearly as likely (the answer split over two places)."""
        for i in order:
            if prob[i] < floor:
                return
            window = self._fits(scored.windows[i], chosen, budget)
            if window is not None:
                chosen.append(window)


def _answers_sibling(window: Window, siblings: frozenset[str], own: list[str]) -> bool:
    """The window (with the unit before it and its document's metadata) meets a specific
    of another part of the question and none of its own part's."""
    near = f"{_unit_before(window)} {_context(window)}"
    return any(is_met(k, near) for k in siblings) and not any(is_met(k, near) for k in own)


DANGLING_WORDS = 5
"""A lead-in this short says nothing but that items follow ("Ministers present were:")."""


def _joined(chosen: list[Window]) -> list[Window]:
    """The chosen windows as quoted: a window continuing an earlier chosen window of its
    passage (a runner-up right after the best) joins it as one run, in its place, until
    none continues another (kind "run", or "list" with a list in it); a window before it
    stays a quote of its own, after it (the first quote of a source is its citation's, and
    should be the best). Then a short lead-in left at the end of a window that is not a
    list is dropped (`_without_dangling`): a lead-in joined with its items stays."""
    out = list(chosen)
    joined = True
    while joined:
        joined = False
        for n, m in itertools.combinations(range(len(out)), 2):
            a, b = out[n], out[m]
            if (a.passage.chunk_id == b.passage.chunk_id and a.end <= b.start
                    and not a.passage.text[a.end : b.start].strip()):
                kind = "list" if "list" in (a.kind, b.kind) else "run"
                out[n] = Window(a.passage, a.units + b.units, a.first, kind)
                del out[m]
                joined = True
                break
    return [_without_dangling(w) for w in out]


def _without_dangling(window: Window) -> Window:
    """A window of a sentence and a short lead-in ("... took the chair. Ministers present
    were:") without the lead-in, whose items it does not quote. A longer lead-in says
    something of its own ("... published a revised agreement on 2 August 2023:")."""
    last = window.units[-1]
    if window.kind == "list" or len(window.units) < 2 or not (
        last.lead_in and last.words <= DANGLING_WORDS
    ):
        return window
    units = window.units[:-1]
    return Window(window.passage, units, window.first, window.kind if len(units) > 1
                  else "single")


def _unit_before(window: Window) -> str:
    units = units_of(window.passage.text)
    before = units[window.first - 1] if window.first > 0 else None
    return before.text if before else ""


def _context(window: Window) -> str:
    """What a chosen window vouches for: its text and its document's metadata (title,
    publisher, date, id)."""
    p = window.passage
    fields = (window.text, p.title, p.publisher or "", p.date or "", p.doc_id)
    return " ".join(x for x in fields if x)
