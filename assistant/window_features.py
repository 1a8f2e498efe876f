"""Named features of answer windows, the inputs of the answer policy's logistic model.

Two families, kept apart on purpose:

- *matching* the question: embedding similarity, overlap with the question's distinctive
  words (those that are not merely the document's topic), the question's specifics (years,
  ordinals, names) met by the window and its passage, and retrieval rank;
- *answering* it: whether the window holds what the question asks for and does not itself
  contain (a person or office for "who", a date for "when", a number for "how many", a
  place for "where", items for a list), and how much of it is new rather than a restatement.

Typed spans come from spaCy (`assistant.nlp`), run only on the few windows that match best
(`selection.TYPED_WINDOWS`), so a question costs a bounded amount of tagging whatever the
corpus size.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer

from assistant.evidence import constraints, is_met, unmet_in_passage
from assistant.nlp import UNIT_KINDS, TypedSpan, base_form, typed_spans
from assistant.question import QuestionProfile
from assistant.windows import Window
from vectorstore.tokenize import tokenize

FEATURES: tuple[str, ...] = (
    "sim",  # cosine of the question and the window
    "sim_best",  # best cosine of the question and one unit of the window
    "overlap",  # idf-weighted share of the question's distinctive words in the window
    "overlap_first",  # ... in the window's first unit
    "ask_overlap",  # ... counting only what the question asks about (not its names or dates)
    "title_overlap",  # share of the question's words in the passage's title and publisher
    "fit",  # share of the question's specifics met by the passage (text and metadata)
    "fit_window",  # share of the question's specifics met by the window's own text
    "slot",  # the window holds a span of the kind asked for that the question lacks (1; 0.5
    # for a kind that fills it less well)
    "novel",  # share of the window's words that are not the question's
    "rank",  # 1 / the passage's retrieval rank
    "words",  # window length in words / 60
    "pair",  # the window is two units
    "list",  # the window is a lead-in and its items
    "list_q",  # list window for a question asking for several things
    "items_q",  # list items in the window / 5, for such a question
    "label_first",  # the window starts with a "Label: value" line
    "slot_tied",  # a span of the kind asked for hangs from a word of the question in the
    # parse ("chaired by X" for "who chaired ...?"), not merely stands in the window
)

# The span kinds that fill each kind of question.
SLOT_KINDS: dict[str, frozenset[str]] = {
    "person": frozenset({"person", "role"}),
    "date": frozenset({"date"}),
    "number": frozenset({"number"}),
    "place": frozenset({"place"}),
    "frequency": frozenset({"frequency"}),
}
# Kinds that fill a question less well, scored half: "who" is sometimes answered by a body
# ("who do the keepers report to?" -> a council).
WEAK_SLOT_KINDS: dict[str, frozenset[str]] = {
    "person": frozenset({"org"}),
    "frequency": frozenset({"number", "date"}),  # "how often did it refuse?": a count
}
WEAK_SLOT = 0.5
_WORD = re.compile(r"[a-z0-9]+")
_STEMMERS = threading.local()  # a Snowball stemmer keeps state while it works


@lru_cache(maxsize=200_000)
def _stem(term: str) -> str:
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(base_form(term))


@lru_cache(maxsize=50_000)
def match_terms(text: str) -> frozenset[str]:
    """The terms by which a question and a window are compared: the lexical index's terms
    (`vectorstore.tokenize`), irregular forms at their base (`nlp.base_form`: "met" meets
    "meet") and Snowball-stemmed so that "chairs" meets "chaired". (The index itself folds
    plurals only: stemming it ranked worse, see the README.)"""
    return frozenset(_stem(t) for t in tokenize(text))


@dataclass
class Scored:
    """Windows with their feature rows (one row per window, columns as FEATURES)."""

    windows: list[Window]
    matrix: np.ndarray


def _unit_vectors(windows: list[Window], encode) -> dict[str, np.ndarray]:
    texts = list(dict.fromkeys(u.text for w in windows for u in w.units))
    return dict(zip(texts, encode(texts), strict=True))


def answer_spans(
    profile: QuestionProfile, text: str, weak: bool = False
) -> list[TypedSpan]:
    """Spans of `text` of the kind `profile` asks for that the question does not contain,
    nor only restate in other forms ("in the chair" for "who chairs ...?"; with `weak`,
    also of the kinds that fill it less well)."""
    kinds = SLOT_KINDS.get(profile.kind)
    if not kinds:
        return []
    if weak:
        kinds = kinds | WEAK_SLOT_KINDS.get(profile.kind, frozenset())
    asked = _squash(profile.text)
    asked_terms = match_terms(profile.text)
    return [
        s for s in typed_spans(text)
        if s.kind in kinds and _squash(s.text) not in asked
        and not match_terms(s.text) <= asked_terms
        and (weak or not profile.unit or s.kind != UNIT_KINDS[profile.unit]
             or s.unit == profile.unit)
    ]


def _squash(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def features(
    question: str,
    profile: QuestionProfile,
    windows: list[Window],
    query_vector: np.ndarray,
    encode,
) -> Scored:
    """The feature matrix of `windows` for `question`, slot features left at 0 (see
    `add_slots`)."""
    vectors = _unit_vectors(windows, encode)
    q_terms = match_terms(question)
    unit_terms = {t: match_terms(t) for t in vectors}
    n = len(unit_terms)
    idf = {
        t: math.log(1.0 + n / (1 + sum(t in terms for terms in unit_terms.values())))
        for t in q_terms
    }
    keys = constraints(profile)
    named = match_terms(" ".join(
        [*profile.years, *profile.names, *profile.phrases, *profile.nations, *profile.numbers]
    ))
    q_words = set(_WORD.findall(question.lower()))
    many = float(profile.wants_many or profile.kind == "list")
    passage_fit: dict[str, float] = {}
    unit_met: dict[str, int] = {}  # the keys (bit i: keys[i]) each unit meets
    rows = []
    for w in windows:
        p = w.passage
        topic = match_terms(f"{p.title} {p.publisher or ''}")
        focus = (q_terms - topic) or q_terms
        total = sum(idf[t] for t in focus) or 1.0
        ask = (focus - named) or focus
        ask_total = sum(idf[t] for t in ask) or 1.0
        terms = set().union(*(unit_terms[u.text] for u in w.units))
        vec = np.sum([vectors[u.text] for u in w.units], axis=0)
        vec = vec / (float(np.linalg.norm(vec)) or 1.0)
        if p.chunk_id not in passage_fit:
            missing = unmet_in_passage(profile, p)
            passage_fit[p.chunk_id] = 1.0 - len(missing) / len(keys) if keys else 1.0
        words = _WORD.findall(w.text.lower())
        rows.append([
            float(vec @ query_vector),
            max(float(vectors[u.text] @ query_vector) for u in w.units),
            sum(idf[t] for t in focus & terms) / total,
            sum(idf[t] for t in focus & unit_terms[w.units[0].text]) / total,
            sum(idf[t] for t in ask & terms) / ask_total,
            sum(idf[t] for t in q_terms & topic) / (sum(idf.values()) or 1.0),
            passage_fit[p.chunk_id],
            _window_fit(w, keys, unit_met),
            0.0,
            sum(x not in q_words for x in words) / max(1, len(words)),
            1.0 / p.n,
            min(w.words, 150) / 60.0,
            float(w.kind == "pair"),
            float(w.kind == "list"),
            many * float(w.kind == "list"),
            many * sum(u.item for u in w.units) / 5.0,
            float(w.units[0].label),
            0.0,
        ])
    return Scored(list(windows), np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURES)))


def _window_fit(window: Window, keys: list[str], unit_met: dict[str, int]) -> float:
    """Share of the question's specifics met by the window's units (each unit checked once
    per question, however many windows it is in)."""
    if not keys:
        return 0.0
    met = 0
    for u in window.units:
        if u.text not in unit_met:
            unit_met[u.text] = sum(1 << i for i, k in enumerate(keys) if is_met(k, u.text))
        met |= unit_met[u.text]
    return met.bit_count() / len(keys)


SLOT = FEATURES.index("slot")
SLOT_TIED = FEATURES.index("slot_tied")


def add_slots(profile: QuestionProfile, scored: Scored, which: list[int]) -> None:
    """Fill the slot features of the windows at positions `which` (tagging their units)."""
    if profile.kind not in SLOT_KINDS:
        return
    named = match_terms(" ".join([*profile.years, *profile.names, *profile.phrases,
                                  *profile.nations, *profile.numbers]))
    asked = match_terms(profile.text) - named
    for i in which:
        units = scored.windows[i].units
        spans = [s for u in units for s in answer_spans(profile, u.text)]
        if spans:
            scored.matrix[i, SLOT] = 1.0
            scored.matrix[i, SLOT_TIED] = float(
                any(match_terms(" ".join(s.anchors)) & asked for s in spans)
            )
        elif any(answer_spans(profile, u.text, weak=True) for u in units):
            scored.matrix[i, SLOT] = WEAK_SLOT
