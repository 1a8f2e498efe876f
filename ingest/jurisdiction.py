"""Which jurisdictions a text concerns: UK-wide, England, Scotland, Wales, Northern Ireland,
or outside the UK ("geographic clarity").

Mentions are counted with a gazetteer (``jurisdiction_gazetteer.json``: nations, their
people and places, devolved institutions and offices, English combined-authority areas,
UK-wide machinery and phrases), plus explicit scope phrases ("England only", "applies only
to Wales"). Decision rules turn counts into tags; their thresholds live in `Settings` and
were fitted on hand-labelled chunks (``evals/jurisdiction/``). A document's header block
may override everything (``Jurisdiction: Scotland``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, Field

GAZETTEER_PATH = Path(__file__).with_name("jurisdiction_gazetteer.json")

JurisdictionCode = Literal[
    "uk", "england", "scotland", "wales", "northern-ireland", "international"
]
"""A jurisdiction's code, as a type (API schemas list them)."""
CODES: tuple[str, ...] = get_args(JurisdictionCode)
NATIONS: tuple[str, ...] = ("england", "scotland", "wales", "northern-ireland")
LABELS: dict[str, str] = {
    "uk": "UK-wide",
    "england": "England",
    "scotland": "Scotland",
    "wales": "Wales",
    "northern-ireland": "Northern Ireland",
    "international": "Outside the UK",
}
_ALIASES: dict[str, str] = {
    "uk": "uk", "uk-wide": "uk", "uk wide": "uk", "united kingdom": "uk",
    "england": "england", "english": "england",
    "scotland": "scotland", "scottish": "scotland",
    "wales": "wales", "welsh": "wales",
    "northern ireland": "northern-ireland", "northern-ireland": "northern-ireland",
    "northern_ireland": "northern-ireland", "ni": "northern-ireland",
    "international": "international", "outside the uk": "international",
    "non-uk": "international",
}
_NATION_NAMES = {"England": "england", "Scotland": "scotland", "Wales": "wales",
                 "Northern Ireland": "northern-ireland"}
_NATION_RE = "|".join(sorted(_NATION_NAMES, key=len, reverse=True))
_ONLY = re.compile(
    rf"\b(?:({_NATION_RE})(?:[- ]only\b|\s+alone\b)"
    rf"|only\s+(?:(?:applies|apply|applying)\s+)?(?:in|to|for)\s+({_NATION_RE})\b)"
)


def canonical_code(value: str) -> str:
    """One jurisdiction name or code ("Scotland", "uk-wide", "NI") as its code."""
    key = " ".join(value.strip().lower().replace("_", " ").split())
    code = _ALIASES.get(key) or _ALIASES.get(key.replace(" ", "-"))
    if code is None:
        known = ", ".join(LABELS[c] for c in CODES)
        raise ValueError(f"unknown jurisdiction {value.strip()!r}: use one of {known}")
    return code


def parse_codes(value: str | list[str] | None) -> list[str]:
    """Jurisdictions from "Scotland, Wales", "England and Wales" or a list; canonical order."""
    if value is None:
        return []
    items = value if isinstance(value, list) else re.split(r",|;|\band\b|&", value)
    found = {canonical_code(v) for v in items if str(v).strip()}
    return [c for c in CODES if c in found]


def join_codes(codes: set[str] | list[str]) -> str:
    """Codes as the comma-joined string stored in Chroma (canonical order; "" for none)."""
    return ",".join(c for c in CODES if c in set(codes))


def stored_codes(value: str | None) -> list[str]:
    """The codes of a chunk's stored, comma-joined `jurisdictions`."""
    return [c for c in (value or "").split(",") if c]


def _split_stored(value: object) -> object:
    """Stored strings ("scotland,uk") become lists; lists pass through."""
    return stored_codes(value) if value is None or isinstance(value, str) else value


JurisdictionList = Annotated[list[str], BeforeValidator(_split_stored)]
"""A list of jurisdiction codes that also accepts the comma-joined stored form."""


def labels(codes: list[str]) -> list[str]:
    """Human labels for codes, in canonical order."""
    return [LABELS[c] for c in CODES if c in set(codes)]


# --- the gazetteer ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Term:
    codes: tuple[str, ...]
    kind: str
    body: str | None
    role: str | None = None


@dataclass(frozen=True)
class Gazetteer:
    """The compiled gazetteer: one regex, and what each matched term stands for."""

    pattern: re.Pattern[str]
    exact: dict[str, _Term]
    folded: dict[str, _Term]
    digest: str

    def term(self, matched: str) -> _Term | None:
        return self.exact.get(matched) or self.folded.get(matched.lower())

    def matches(self, text: str) -> list[tuple[int, int, _Term]]:
        """Non-overlapping term matches in text order; where terms overlap the longest
        wins ("the UK Parliament" is "UK Parliament", not "the UK")."""
        found = [(m.start(), m.start() + len(m.group(1)), m.group(1))
                 for m in self.pattern.finditer(text)]
        taken: list[tuple[int, int, _Term]] = []
        used = bytearray(len(text))
        for start, end, matched in sorted(found, key=lambda f: (f[0] - f[1], f[0])):
            term = self.term(matched)
            if term is None or any(used[start:end]):
                continue
            used[start:end] = b"\x01" * (end - start)
            taken.append((start, end, term))
        return sorted(taken, key=lambda t: t[0])


@lru_cache(maxsize=4)
def load_gazetteer(path: Path = GAZETTEER_PATH) -> Gazetteer:
    """Read and compile a gazetteer file (cached per path)."""
    raw = Path(path).read_bytes()
    data = json.loads(raw)
    exact: dict[str, _Term] = {}
    folded: dict[str, _Term] = {}
    alternatives: list[tuple[str, bool]] = []
    for entry in data["entries"]:
        codes = tuple(c for c in CODES if c in entry["codes"])
        unknown = set(entry["codes"]) - set(CODES)
        if unknown:
            raise ValueError(f"{path}: unknown jurisdiction code(s) {sorted(unknown)}")
        term = _Term(codes, entry["kind"], entry.get("body"), entry.get("role"))
        ignore_case = bool(entry.get("ignore_case"))
        for text in entry["terms"]:
            (folded if ignore_case else exact).setdefault(
                text.lower() if ignore_case else text, term
            )
            alternatives.append((text, ignore_case))
    alternatives.sort(key=lambda a: len(a[0]), reverse=True)  # the longest term wins
    body = "|".join(
        f"(?i:{re.escape(text)})" if ignore_case else re.escape(text)
        for text, ignore_case in alternatives
    )
    pattern = re.compile(rf"(?=(?<!\w)({body})(?!\w))")
    return Gazetteer(pattern, exact, folded, hashlib.sha256(raw).hexdigest()[:12])


# --- counting and deciding --------------------------------------------------------------


@dataclass
class Mentions:
    """What the gazetteer found in one text."""

    nations: Counter[str] = field(default_factory=Counter)  # also "international"
    uk_wide: int = 0
    uk_government: int = 0
    only: set[str] = field(default_factory=set)
    bodies: Counter[str] = field(default_factory=Counter)

    def add(self, other: Mentions) -> None:
        self.nations.update(other.nations)
        self.uk_wide += other.uk_wide
        self.uk_government += other.uk_government
        self.only |= other.only
        self.bodies.update(other.bodies)


def count_mentions(text: str, gazetteer: Gazetteer | None = None) -> Mentions:
    """Count gazetteer mentions and explicit "X only" scope phrases in `text`."""
    gaz = gazetteer or load_gazetteer()
    found = Mentions()
    for _, _, term in gaz.matches(text):
        if term.body:
            found.bodies[term.body] += 1
        for code in term.codes:
            if code != "uk":
                found.nations[code] += 1
            elif term.kind == "uk-government":
                found.uk_government += 1
            else:
                found.uk_wide += 1
    for m in _ONLY.finditer(text):
        found.only.add(_NATION_NAMES[m.group(1) or m.group(2)])
    return found


@dataclass(frozen=True)
class BodyMention:
    """A government or legislature named in a text, and where."""

    start: int
    end: int
    body: str
    role: str


def find_bodies(text: str) -> list[BodyMention]:
    """The governments and legislatures (gazetteer entries with a role) named in `text`."""
    gaz = load_gazetteer()
    return [
        BodyMention(start, end, term.body, term.role)
        for start, end, term in gaz.matches(text)
        if term.role and term.body
    ]


def bodies_by_role() -> dict[str, list[str]]:
    """The gazetteer's governments and legislatures: role -> canonical names, sorted."""
    gaz = load_gazetteer()
    found: dict[str, set[str]] = {}
    for term in [*gaz.exact.values(), *gaz.folded.values()]:
        if term.role and term.body:
            found.setdefault(term.role, set()).add(term.body)
    return {role: sorted(names) for role, names in found.items()}


class JurisdictionRules(BaseModel):
    """The decision rules' thresholds (from `Settings`; see there how they were chosen)."""

    min_mentions: int = Field(1, ge=1)
    min_share: float = Field(0.0, ge=0.0, le=1.0)
    uk_min_wide: int = Field(1, ge=1)
    uk_government_weight: float = Field(0.0, ge=0.0)
    uk_government_alone: bool = False
    uk_min_nations: int = Field(3, ge=2)
    inherit: Literal["never", "untagged", "always"] = "untagged"

    @classmethod
    def from_settings(cls, settings: Any) -> JurisdictionRules:
        """The rules in `Settings`, whose fields are these prefixed with `jurisdiction_`."""
        return cls(**{name: getattr(settings, f"jurisdiction_{name}") for name in cls.model_fields})


def decide(found: Mentions, rules: JurisdictionRules) -> set[str]:
    """The jurisdictions a text with these mentions is about.

    A nation (or "outside the UK") needs `min_mentions` mentions and at least `min_share`
    of the most-mentioned one's count (so a passing mention beside a main subject does not
    count); an explicit "X only" always counts. UK-wide needs `uk_min_wide` UK-wide phrases
    or bodies (UK-Government mentions weighted by `uk_government_weight`; with
    `uk_government_alone` only when no nation or other country is tagged: the UK
    Government beside one nation is a bilateral matter), or `uk_min_nations` of the four
    nations named, and no "only" phrase.
    """
    tags = set(found.only)
    top = max(found.nations.values(), default=0)
    for code, n in found.nations.items():
        if n >= rules.min_mentions and n >= rules.min_share * top:
            tags.add(code)
    named = sum(1 for c in NATIONS if found.nations.get(c, 0) > 0)
    government = rules.uk_government_weight * found.uk_government
    if rules.uk_government_alone and tags:
        government = 0.0
    wide = found.uk_wide + government
    if not found.only and (wide >= rules.uk_min_wide or named >= rules.uk_min_nations):
        tags.add("uk")
    return tags


def acting_body(found: Mentions) -> str | None:
    """The government or body a text is clearly about: named at least twice and more
    often than any other; None when no body stands out."""
    ranked = found.bodies.most_common(2)
    if not ranked or ranked[0][1] < 2:
        return None
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


class DocumentTags(BaseModel):
    """The tags of one document: per chunk, and the document-level union."""

    chunks: list[list[str]]
    acting: list[str | None]
    document: list[str]


def tag_document(
    chunk_texts: list[str],
    rules: JurisdictionRules,
    *,
    title: str | None = None,
    publisher: str | None = None,
    override: list[str] | None = None,
) -> DocumentTags:
    """Tag each chunk, then the document (the union of its chunks' tags).

    With `override` (the header's ``Jurisdiction:``) every chunk gets exactly that. The
    document's context is the tags of its title and publisher, else those of its whole
    text. With `rules.inherit` "untagged", a chunk whose own text names no jurisdiction
    takes that context; with "always", every chunk also takes its title's and publisher's.
    """
    gaz = load_gazetteer()
    counts = [count_mentions(t, gaz) for t in chunk_texts]
    heading = count_mentions(f"{title or ''}\n{publisher or ''}", gaz)
    return tag_counted(counts, heading, rules, override)


def tag_counted(
    counts: list[Mentions], heading: Mentions, rules: JurisdictionRules,
    override: list[str] | None = None,
) -> DocumentTags:
    """`tag_document` from mentions already counted (per chunk, and in title + publisher)."""
    acting = [acting_body(c) for c in counts]
    if override:
        tags = [list(override) for _ in counts]
        return DocumentTags(chunks=tags, acting=acting, document=list(override))
    own = [decide(c, rules) for c in counts]
    if rules.inherit != "never":
        titled = decide(heading, rules)
        context = titled
        if not context and not all(own):
            whole = Mentions()
            for c in counts:
                whole.add(c)
            context = decide(whole, rules)
        own = [(t | titled) if rules.inherit == "always" else t for t in own]
        own = [t or set(context) for t in own]
    chunk_tags = [[c for c in CODES if c in t] for t in own]
    union = {c for t in own for c in t}
    return DocumentTags(chunks=chunk_tags, acting=acting, document=[c for c in CODES if c in union])


def rules_fingerprint(rules: JurisdictionRules) -> str:
    """Identifies the rules and gazetteer (part of the index key: a change re-tags)."""
    return f"{load_gazetteer().digest}:{rules.model_dump_json()}"


def named_jurisdictions(text: str) -> list[str]:
    """The jurisdictions a short text (a question) names at all, in canonical order;
    "uk" only for an explicit UK-wide phrase."""
    found = count_mentions(text)
    codes = {c for c, n in found.nations.items() if n} | found.only
    if found.uk_wide:
        codes.add("uk")
    return [c for c in CODES if c in codes]
