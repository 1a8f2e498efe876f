"""Measure (and fit) the jurisdiction tagger on hand-labelled chunks of the shared corpus.

The labels (``evals/jurisdiction/labels.jsonl``, see its README) name each chunk by its
document stem, its start offset under the default chunking and its first words. Half of
the labelled documents (``split: fit``) were used to choose the decision thresholds
(`fit`); precision and recall are reported on the other half (``split: held-out``).

    python -m evals.jurisdiction_tagging               # per-jurisdiction P/R, held-out half
    python -m evals.jurisdiction_tagging --fit         # grid search on the fit half
    python -m evals.jurisdiction_tagging --sample 90   # (how the chunks were drawn)
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ingest.chunking import chunk_document
from ingest.jurisdiction import (
    CODES,
    LABELS,
    JurisdictionRules,
    Mentions,
    count_mentions,
    parse_codes,
    tag_counted,
)
from ingest.loaders import load_document
from ingest.models import SourceFile
from ingest.settings import SHARED_CORPUS_DIR, Settings

LABELS_PATH = Path(__file__).resolve().parent / "jurisdiction" / "labels.jsonl"
_OPENS_WORDS = 6


class LabelledChunk(BaseModel):
    """One hand label: which chunk, and the jurisdictions it concerns."""

    doc: str = Field(description="document stem, e.g. imsc-communique-12-march-2024")
    start: int = Field(ge=0, description="character offset of the chunk (default chunking)")
    opens: str = Field(min_length=1, description="the chunk's first words, to re-find it")
    split: Literal["fit", "held-out"]
    labels: list[str] = Field(default_factory=list)
    note: str = ""


class Score(BaseModel):
    """Counts and rates for one jurisdiction."""

    code: str
    support: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def load_labels(path: Path = LABELS_PATH) -> list[LabelledChunk]:
    """Every label line, validated (jurisdiction names canonicalised)."""
    items: list[LabelledChunk] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = LabelledChunk.model_validate_json(line)
            item.labels = parse_codes(item.labels)
        except ValueError as exc:
            raise ValueError(f"{path}: line {number}: {exc}") from None
        items.append(item)
    return items


def _doc_path(stem: str, corpus: Path) -> Path:
    for folder in ("seeds", "web"):
        path = corpus / folder / f"{stem}.txt"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no document {stem!r} under {corpus}")


@lru_cache(maxsize=256)
def _chunks(stem: str, corpus: Path) -> tuple[tuple[int, str], ...]:
    """(start, text) of each chunk of one document, default settings, untagged."""
    path = _doc_path(stem, corpus)
    settings = Settings(corpus_dirs=[corpus])
    doc = load_document(SourceFile(path=path, root=path.parent, doc_id=stem), settings)
    return tuple((c.metadata["start"], c.page_content) for c in chunk_document(doc, settings))


@lru_cache(maxsize=256)
def _counted(stem: str, corpus: Path) -> tuple[list[Mentions], Mentions]:
    """Each chunk's mentions, and those of the title and publisher (counted once)."""
    path = _doc_path(stem, corpus)
    doc = load_document(SourceFile(path=path, root=path.parent, doc_id=stem), Settings())
    counts = [count_mentions(text) for _, text in _chunks(stem, corpus)]
    return counts, count_mentions(f"{doc.meta.title}\n{doc.meta.publisher or ''}")


def _opens(text: str) -> str:
    return " ".join(text.split()[:_OPENS_WORDS])


def resolve(item: LabelledChunk, corpus: Path = SHARED_CORPUS_DIR) -> int:
    """The index of the labelled chunk in its document (by offset, else by first words)."""
    chunks = _chunks(item.doc, corpus)
    for i, (start, text) in enumerate(chunks):
        if start == item.start and _opens(text) == item.opens:
            return i
    for i, (_, text) in enumerate(chunks):
        if _opens(text) == item.opens:
            return i
    raise LookupError(f"{item.doc}@{item.start}: no chunk opens with {item.opens!r}")


def predict(
    items: list[LabelledChunk], rules: JurisdictionRules, corpus: Path = SHARED_CORPUS_DIR
) -> list[list[str]]:
    """The tagger's jurisdictions for each labelled chunk (its document tagged whole)."""
    out: list[list[str]] = []
    for item in items:
        counts, heading = _counted(item.doc, corpus)
        out.append(tag_counted(counts, heading, rules).chunks[resolve(item, corpus)])
    return out


def score(items: list[LabelledChunk], predicted: list[list[str]]) -> list[Score]:
    """Per-jurisdiction true/false positives and false negatives."""
    scores = []
    for code in CODES:
        tp = sum(code in p and code in i.labels for i, p in zip(items, predicted, strict=True))
        fp = sum(code in p and code not in i.labels for i, p in zip(items, predicted, strict=True))
        fn = sum(code not in p and code in i.labels for i, p in zip(items, predicted, strict=True))
        support = sum(code in i.labels for i in items)
        scores.append(Score(code=code, support=support, tp=tp, fp=fp, fn=fn))
    return scores


def macro_f1(scores: list[Score]) -> float:
    """Mean F1 over the jurisdictions that occur (in labels or predictions)."""
    values = [s.f1 or 0.0 for s in scores if s.support or s.fp]
    return sum(values) / len(values) if values else 0.0


GRID = {
    "min_mentions": [1, 2, 3],
    "min_share": [0.0, 0.2, 0.34, 0.5],
    "uk_min_wide": [1, 2],
    "uk_government_weight": [0.0, 0.34, 0.5, 1.0],
    "uk_government_alone": [False, True],
    "uk_min_nations": [2, 3, 4, 5],
    "inherit": ["never", "untagged", "always"],
}


def fit(items: list[LabelledChunk], corpus: Path = SHARED_CORPUS_DIR) -> list[tuple[float, dict]]:
    """Every rule combination of GRID scored by macro-F1 on `items`, best first (ties keep
    grid order, which lists the simpler, more lenient values first)."""
    results = []
    keys = list(GRID)
    for values in itertools.product(*(GRID[k] for k in keys)):
        combo = dict(zip(keys, values, strict=True))
        rules = JurisdictionRules(**combo)
        results.append((macro_f1(score(items, predict(items, rules, corpus))), combo))
    return sorted(results, key=lambda r: -r[0])


def table(scores: list[Score]) -> str:
    """A plain-text table: jurisdiction, support, precision, recall, F1."""

    def fmt(x: float | None) -> str:
        return "  n/a" if x is None else f"{x:5.2f}"

    lines = [f"{'jurisdiction':<18}{'n':>4} {'prec':>5} {'rec':>5} {'F1':>5}  tp fp fn"]
    for s in scores:
        lines.append(
            f"{LABELS[s.code]:<18}{s.support:>4} {fmt(s.precision)} {fmt(s.recall)} "
            f"{fmt(s.f1)}  {s.tp:>2} {s.fp:>2} {s.fn:>2}"
        )
    lines.append(f"macro-F1 {macro_f1(scores):.3f} over {len(scores)} jurisdictions")
    return "\n".join(lines)


def sample(
    n: int, seed: int, per_doc: int = 1, exclude: set[str] | None = None,
    corpus: Path = SHARED_CORPUS_DIR,
) -> list[dict]:
    """`per_doc` random chunks from each of `n` random documents (seeds and web .txt
    files, leaving out `exclude`): how the labelled chunks were drawn."""
    rng = random.Random(seed)
    stems = sorted(p.stem for folder in ("seeds", "web") for p in (corpus / folder).glob("*.txt"))
    stems = [s for s in stems if s not in (exclude or set())]
    lines = []
    for stem in rng.sample(stems, min(n, len(stems))):
        chunks = list(_chunks(stem, corpus))
        for start, text in sorted(rng.sample(chunks, min(per_doc, len(chunks)))):
            lines.append({"doc": stem, "start": start, "opens": _opens(text), "labels": [],
                          "text": text})
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS_PATH)
    parser.add_argument("--fit", action="store_true", help="grid-search the rules on the fit half")
    parser.add_argument("--sample", type=int, help="print chunks of N random documents to "
                        "label (JSONL), leaving out documents already labelled")
    parser.add_argument("--per-doc", type=int, default=1)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    if args.sample:
        done = {i.doc for i in load_labels(args.labels)} if args.labels.is_file() else set()
        for line in sample(args.sample, args.seed, args.per_doc, done):
            print(json.dumps(line, ensure_ascii=False))
        return
    items = load_labels(args.labels)
    fit_half = [i for i in items if i.split == "fit"]
    held_out = [i for i in items if i.split == "held-out"]
    if args.fit:
        ranked = fit(fit_half)
        for value, combo in ranked[:10]:
            print(f"{value:.3f} {combo}")
        return
    rules = JurisdictionRules.from_settings(Settings())
    print(f"rules: {rules.model_dump()}")
    print(f"\nfit split ({len(fit_half)} chunks)")
    print(table(score(fit_half, predict(fit_half, rules))))
    print(f"\nheld-out split ({len(held_out)} chunks)")
    print(table(score(held_out, predict(held_out, rules))))


if __name__ == "__main__":
    main()
