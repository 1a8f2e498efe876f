"""The evaluation dataset format (see ../shared/evals/README.md) and a validating loader."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from assistant.models import ChatMessage

QuestionType = Literal["factoid", "list", "multi-hop", "unanswerable", "injection", "conversation"]
QUESTION_TYPES: tuple[str, ...] = (
    "factoid",
    "list",
    "multi-hop",
    "unanswerable",
    "injection",
    "conversation",
)
ANSWERABLE_TYPES = frozenset({"factoid", "list", "multi-hop", "conversation"})


class EvalItem(BaseModel):
    """One question of an evaluation set."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    type: QuestionType
    question: str = Field(min_length=1)
    history: list[ChatMessage] = Field(default_factory=list)
    answer: str = ""
    sources: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    forbidden: list[str] = Field(default_factory=list)
    review: dict[str, Any] | None = Field(
        None, description="notes from `igr feedback export` (the answer given, the comment); "
        "kept for the record, never scored"
    )

    @model_validator(mode="after")
    def _consistent(self) -> EvalItem:
        if self.type in ANSWERABLE_TYPES and not self.sources:
            raise ValueError(f"a {self.type} question needs at least one source")
        if self.type == "injection" and not self.forbidden:
            raise ValueError("an injection question needs at least one forbidden string")
        if self.type == "unanswerable" and self.sources:
            raise ValueError("an unanswerable question must not list sources")
        return self

    @property
    def answerable(self) -> bool:
        """Whether the corpus answers it (the right response is not a refusal)."""
        return self.type in ANSWERABLE_TYPES


def incomplete_fields(raw: dict) -> list[str]:
    """The fields a person still has to fill in on a case exported from feedback (a line
    with `review`): its type, and what that type needs (an answerable question: answer,
    sources, evidence, keywords; an injection: forbidden)."""
    if "review" not in raw:
        return []
    kind = raw.get("type")
    if kind not in QUESTION_TYPES:
        return ["type"]
    needed = {"injection": ["forbidden"]}.get(kind, [])
    if kind in ANSWERABLE_TYPES:
        needed = ["answer", "sources", "evidence", "keywords"]
    return [name for name in needed if not raw.get(name)]


class DatasetError(ValueError):
    """The dataset file is missing or has bad lines; `problems` holds one line each."""

    def __init__(self, path: Path, problems: list[str], whole_file: bool = False) -> None:
        self.path = path
        self.problems = problems
        self.whole_file = whole_file
        super().__init__(problems[0] if whole_file else f"{path}: {len(problems)} bad line(s)")


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def load_dataset(path: Path) -> list[EvalItem]:
    """Read and validate every line; raise DatasetError listing each bad line."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, [f"no such dataset file: {path}"], whole_file=True)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(path, [f"cannot read {path}: {exc}"], whole_file=True) from exc
    items: list[EvalItem] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(raw, dict):
            problems.append(f"line {number}: expected a JSON object")
            continue
        if missing := incomplete_fields(raw):
            problems.append(
                f"line {number} ({raw.get('id', 'no id')}): incomplete case from feedback: "
                f"fill in {', '.join(missing)} (see evals/README.md, cases from feedback)"
            )
            continue
        try:
            item = EvalItem.model_validate(raw)
        except ValidationError as exc:
            problems.append(f"line {number}: {_describe(exc)}")
            continue
        if item.id in seen:
            first = seen[item.id]
            problems.append(f"line {number}: duplicate id {item.id!r} (first on line {first})")
            continue
        seen[item.id] = number
        items.append(item)
    if not items and not problems:
        raise DatasetError(path, [f"{path} has no questions"], whole_file=True)
    if problems:
        raise DatasetError(path, problems)
    return items


def dataset_hash(path: Path) -> str:
    """sha256 of the dataset file's bytes (a fingerprint for reports)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def select(
    items: list[EvalItem], per_type: int | None = None, limit: int | None = None
) -> list[EvalItem]:
    """The first `per_type` questions of each type (file order kept), then the first `limit`."""
    if per_type:
        seen: dict[str, int] = {}
        kept = []
        for item in items:
            seen[item.type] = seen.get(item.type, 0) + 1
            if seen[item.type] <= per_type:
                kept.append(item)
        items = kept
    return items[:limit] if limit else items


Retyping = Literal["as-written", "lower", "no-mark"]
RETYPINGS: tuple[str, ...] = get_args(Retyping)


def retyped(items: list[EvalItem], style: Retyping | str = "as-written") -> list[EvalItem]:
    """The questions as users also type them, gold unchanged: all in lower case ("lower"),
    or without question marks ("no-mark"), to measure what informal typing costs."""
    if style == "as-written":
        return items
    if style == "lower":
        return [i.model_copy(update={"question": i.question.lower()}) for i in items]
    if style == "no-mark":
        return [i.model_copy(update={"question": i.question.replace("?", "").strip() or "?"})
                for i in items]
    raise ValueError(f"unknown retyping {style!r}: one of {', '.join(RETYPINGS)}")


def items_hash(items: list[EvalItem]) -> str:
    """sha256 of the selected questions' canonical JSON (what a run actually asked)."""
    digest = hashlib.sha256()
    for item in items:
        unset = {"review"} if item.review is None else None  # as before `review` existed
        digest.update(item.model_dump_json(exclude=unset).encode("utf-8") + b"\n")
    return digest.hexdigest()
