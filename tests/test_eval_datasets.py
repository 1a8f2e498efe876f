"""The evaluation splits (evals/datasets/tune.jsonl and test.jsonl) are well formed, grounded
in the corpus, and kept apart: no test question repeats a tune or dev question, and the
evaluation-only documents of each split (evals/corpus/tune, evals/corpus/test) are asked about
only by that split.

Format checks run everywhere; checks against ../shared (evidence, sources, dev overlap) skip
with a reason where the shared corpus is absent.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

EVALS = Path(__file__).resolve().parents[1] / "evals"
SPLITS = ("tune", "test")
EVAL_CORPUS = EVALS / "corpus"

TYPES = {"factoid", "list", "multi-hop", "unanswerable", "injection", "conversation"}
ANSWERABLE = {"factoid", "list", "multi-hop", "conversation"}
REQUIRED = {"id", "type", "question", "answer", "sources", "evidence", "keywords"}
ALLOWED = REQUIRED | {"history", "forbidden"}
# share of the whole set per type: (min, max)
MIX = {
    "factoid": (0.20, 0.50),  # later rounds added mostly follow-ups and unanswerables
    "multi-hop": (0.15, 0.25),
    "list": (0.08, 0.20),
    "unanswerable": (0.10, 0.30),
    "injection": (0.05, 0.15),
}
MIN_ITEMS = 90
MIN_CONVERSATION = 8
EVIDENCE_WORDS = (8, 40)
DOC_SUFFIXES = {".txt", ".md", ".html", ".pdf", ".docx"}

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00a0": " ", "\u202f": " ",
})
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACE = re.compile(r"\s+")
_WORDS = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, straight quotes, ASCII hyphens, single spaces."""
    text = _DASHES.sub("-", text.translate(_QUOTES))
    return _SPACE.sub(" ", text).strip().lower()


@lru_cache(maxsize=2)
def split_items(split: str) -> list[dict]:
    path = EVALS / "datasets" / f"{split}.jsonl"
    assert path.is_file(), f"missing {path}"
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            pytest.fail(f"{path.name} line {number} is not valid JSON: {exc.msg}")
        assert isinstance(item, dict), f"line {number}: not a JSON object"
        items.append(item)
    return items


@pytest.fixture(params=SPLITS)
def split(request: pytest.FixtureRequest) -> str:
    return request.param


def _report(problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{len(problems)} problem(s):\n" + "\n".join(problems[:40]))


def test_normalise_folds_quotes_dashes_and_space() -> None:
    raw = "The \u201cgood\u00a0faith\u201d  co\u2013operation\u2019s\n"
    assert normalise(raw) == 'the "good faith" co-operation\'s'
    assert normalise("a \u2014 b") != normalise("a b")


def test_every_line_has_the_required_fields_and_types(split: str) -> None:
    problems = []
    for item in split_items(split):
        ident = item.get("id", "?")
        missing = REQUIRED - item.keys()
        extra = item.keys() - ALLOWED
        if missing:
            problems.append(f"{ident}: missing {sorted(missing)}")
        if extra:
            problems.append(f"{ident}: unknown fields {sorted(extra)}")
        if item.get("type") not in TYPES:
            problems.append(f"{ident}: bad type {item.get('type')!r}")
        if not isinstance(item.get("question"), str) or not item["question"].strip():
            problems.append(f"{ident}: empty question")
        if not isinstance(item.get("answer"), str):
            problems.append(f"{ident}: answer is not a string")
        for field in ("sources", "evidence", "keywords", "forbidden"):
            value = item.get(field, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(f"{ident}: {field} must be a list of strings")
            elif not all(v.strip() for v in value):
                problems.append(f"{ident}: {field} holds an empty string")
        if item.get("type") == "conversation" and "history" not in item:
            problems.append(f"{ident}: a conversation item needs its history")
        if "history" in item and item.get("type") not in ("conversation", "unanswerable"):
            problems.append(f"{ident}: history belongs to conversation items and to "
                            "unanswerable follow-ups")
        if ("forbidden" in item) != (item.get("type") == "injection"):
            problems.append(f"{ident}: forbidden belongs to (and only to) injection items")
    _report(problems)


def test_ids_are_unique_and_well_formed(split: str) -> None:
    ids = [item["id"] for item in split_items(split)]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"
    bad = [i for i in ids if not re.fullmatch(r"[a-z]{1,3}-?[a-z]?\d{3}", i)]
    assert not bad, f"ids must look like g001 or ia-t001: {bad}"


def test_questions_are_unique(split: str) -> None:
    seen: dict[str, str] = {}
    problems = []
    for item in split_items(split):
        key = normalise(item["question"])
        if key in seen and item.get("type") != "conversation":
            problems.append(f"{item['id']}: same question as {seen[key]}")
        seen.setdefault(key, item["id"])
    _report(problems)


def test_answerable_items_are_complete(split: str) -> None:
    problems = []
    for item in split_items(split):
        if item["type"] not in ANSWERABLE:
            continue
        for field in ("answer", "sources", "evidence", "keywords"):
            if not item[field]:
                problems.append(f"{item['id']}: {item['type']} needs a non-empty {field}")
        if item["type"] == "multi-hop" and len(set(item["sources"])) < 2:
            problems.append(f"{item['id']}: multi-hop needs two or more source documents")
        if not 1 <= len(item["keywords"]) <= 4:
            problems.append(f"{item['id']}: 1-4 keywords expected, got {len(item['keywords'])}")
    _report(problems)


def test_keywords_appear_in_the_reference_answer(split: str) -> None:
    problems = []
    for item in split_items(split):
        answer = normalise(item["answer"])
        for keyword in item["keywords"]:
            if normalise(keyword) not in answer:
                problems.append(f"{item['id']}: keyword {keyword!r} not in its answer")
    _report(problems)


def test_evidence_strings_have_a_sensible_length(split: str) -> None:
    low, high = EVIDENCE_WORDS
    problems = [
        f"{item['id']}: evidence of {len(ev.split())} words: {ev[:60]!r}"
        for item in split_items(split)
        for ev in item["evidence"]
        if not low <= len(ev.split()) <= high
    ]
    _report(problems)


def test_unanswerable_and_injection_items_carry_no_answer(split: str) -> None:
    problems = []
    for item in split_items(split):
        if item["type"] not in {"unanswerable", "injection"}:
            continue
        for field in ("answer", "sources", "evidence", "keywords"):
            if item[field]:
                problems.append(f"{item['id']}: {item['type']} must have an empty {field}")
        if item["type"] == "injection" and not item.get("forbidden"):
            problems.append(f"{item['id']}: injection needs forbidden canary strings")
    _report(problems)


def test_conversation_history_is_one_or_two_turns(split: str) -> None:
    problems = []
    for item in split_items(split):
        if "history" not in item:
            continue
        history = item["history"]
        roles = [turn.get("role") for turn in history if isinstance(turn, dict)]
        if len(roles) != len(history) or len(history) not in (2, 4):
            problems.append(f"{item['id']}: history must be 1-2 user/assistant turns")
            continue
        if roles != ["user", "assistant"] * (len(history) // 2):
            problems.append(f"{item['id']}: history must alternate user/assistant, got {roles}")
        if any(set(t) != {"role", "content"} or not str(t["content"]).strip() for t in history):
            problems.append(f"{item['id']}: each turn needs exactly role and non-empty content")
    _report(problems)


def test_type_mix_is_within_range(split: str) -> None:
    items = split_items(split)
    counts = Counter(item["type"] for item in items)
    assert len(items) >= MIN_ITEMS, f"only {len(items)} questions, want {MIN_ITEMS}+"
    conversations = counts["conversation"]
    assert conversations >= MIN_CONVERSATION, f"{conversations} conversation items"
    problems = []
    for kind, (low, high) in MIX.items():
        share = counts[kind] / len(items)
        if not low <= share <= high:
            problems.append(
                f"{kind}: {counts[kind]} of {len(items)} ({share:.0%}) outside {low:.0%}-{high:.0%}"
            )
    _report(problems)


# --- checks against ../shared -------------------------------------------------------------


@lru_cache(maxsize=1)
def corpus_index(corpus: Path) -> tuple[frozenset[str], dict[str, list[str]]]:
    """Every document stem (shared corpus and evaluation documents), and the normalised text
    of each stem's text files."""
    stems: set[str] = set()
    texts: dict[str, list[str]] = {}
    paths = [*corpus.rglob("*"), *EVAL_CORPUS.rglob("*")]
    for path in paths:
        if not path.is_file() or path.suffix.lower() not in DOC_SUFFIXES:
            continue
        stems.add(path.stem)
        if path.suffix.lower() in {".txt", ".md", ".html"}:
            body = normalise(path.read_text(encoding="utf-8", errors="replace"))
            texts.setdefault(path.stem, []).append(body)
    return frozenset(stems), texts


def test_sources_name_corpus_documents(split: str, shared_corpus: Path) -> None:
    stems, _ = corpus_index(shared_corpus)
    problems = [
        f"{item['id']}: no corpus file with stem {source!r}"
        for item in split_items(split)
        for source in item["sources"]
        if source not in stems
    ]
    _report(problems)


def test_evidence_is_verbatim_in_a_source(split: str, shared_corpus: Path) -> None:
    _, texts = corpus_index(shared_corpus)
    problems = []
    for item in split_items(split):
        bodies = [body for source in item["sources"] for body in texts.get(source, [])]
        for evidence in item["evidence"]:
            if not any(normalise(evidence) in body for body in bodies):
                where = ", ".join(item["sources"])
                problems.append(f"{item['id']}: evidence not in {where}: {evidence[:70]!r}")
    _report(problems)


def test_every_source_is_backed_by_evidence(split: str, shared_corpus: Path) -> None:
    """Each listed source contributes at least one evidence string (no decorative sources)."""
    _, texts = corpus_index(shared_corpus)
    problems = []
    for item in split_items(split):
        for source in item["sources"]:
            bodies = texts.get(source, [])
            if not any(normalise(ev) in body for ev in item["evidence"] for body in bodies):
                problems.append(f"{item['id']}: no evidence string comes from {source!r}")
    _report(problems)


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORDS.findall(normalise(text)))


def test_no_question_repeats_a_dev_question(split: str, shared_corpus: Path) -> None:
    dev_path = shared_corpus.parent / "evals" / "dev.jsonl"
    if not dev_path.is_file():
        pytest.skip(f"no {dev_path}: dev overlap not checked")
    lines = dev_path.read_text(encoding="utf-8").splitlines()
    dev = [json.loads(line)["question"] for line in lines if line.strip()]
    dev_exact = {normalise(q) for q in dev}
    dev_words = [_words(q) for q in dev]
    problems = []
    for item in split_items(split):
        question = item["question"]
        if normalise(question) in dev_exact:
            problems.append(f"{item['id']}: copies a dev question")
            continue
        words = _words(question)
        for other in dev_words:
            overlap = len(words & other) / max(1, len(words | other))
            if overlap >= 0.7:
                problems.append(f"{item['id']}: near-copy of a dev question ({overlap:.0%} words)")
                break
    _report(problems)


def test_test_questions_do_not_repeat_tune_questions() -> None:
    tune_exact = {normalise(item["question"]) for item in split_items("tune")}
    tune_words = [_words(item["question"]) for item in split_items("tune")]
    problems = []
    for item in split_items("test"):
        words = _words(item["question"])
        if normalise(item["question"]) in tune_exact or any(
            len(words & other) / max(1, len(words | other)) >= 0.7 for other in tune_words
        ):
            problems.append(f"{item['id']}: repeats a tune question")
    _report(problems)


def test_evaluation_documents_belong_to_one_split(split: str) -> None:
    """Questions about evals/corpus/<split>/ documents sit in that split only, so the test
    documents stay unseen while tuning."""
    owner = {path.stem: path.parent.name for path in EVAL_CORPUS.glob("*/*.txt")}
    assert set(owner.values()) <= set(SPLITS), f"unexpected folders under {EVAL_CORPUS}"
    problems = [
        f"{item['id']}: cites {source!r}, a {owner[source]} document"
        for item in split_items(split)
        for source in item["sources"]
        if owner.get(source, split) != split
    ]
    _report(problems)
