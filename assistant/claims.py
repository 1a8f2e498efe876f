"""Text side of citation checking: draft sentences with their markers, and claim features.

Used by `assistant.verifier`; no model here, only string work.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.prompts import REFUSAL
from assistant.safety import looks_like_injection
from ingest.sentences import sentence_spans

# --- citation markers -------------------------------------------------------------------

_NUMS = r"\d{1,3}(?:\s*(?:,|;|&|and|-|–)\s*\d{1,3})*"
MARKER = re.compile(
    rf"\[\s*(?:(?:sources?|refs?|doc(?:ument)?s?)\s*)?({_NUMS})\s*\]"
    rf"|【\s*(?:sources?\s*)?({_NUMS})\s*(?:†[^】]*)?】"
    rf"|\(\s*(?:sources?|refs?)\s*({_NUMS})\s*\)",
    re.IGNORECASE,
)


def marker_numbers(group: str) -> list[int]:
    """The source numbers inside one marker: "1, 2" -> [1, 2]; "1-3" -> [1, 2, 3]."""
    nums: list[int] = []
    for a, b in re.findall(r"(\d+)(?:\s*[-–]\s*(\d+))?", group):
        lo, hi = int(a), int(b) if b else int(a)
        nums.extend(range(lo, hi + 1) if lo <= hi <= lo + 10 else [lo])
    return nums


@dataclass
class DraftSentence:
    """A sentence of a draft: its span (markers included) and its text without markers."""

    start: int
    end: int
    claim: str
    markers: list[tuple[int, int, list[int]]] = field(default_factory=list)

    @property
    def numbers(self) -> list[int]:
        return [n for _, _, ns in self.markers for n in ns]


def _tidy(text: str) -> str:
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


_NEXT_START = re.compile(r"\s+[\"“‘(•*\-]?[A-Z0-9]")


def strip_markers(text: str) -> str:
    """`text` without citation markers, whitespace tidied."""
    return _tidy(MARKER.sub(" ", text))


def segment(draft: str) -> list[DraftSentence]:
    """Sentences of the draft, each with the marker groups that belong to it.

    Markers are blanked out before splitting (so ``Text.[1] Next`` splits); a marker
    belongs to the sentence it is in or, if it sits between two sentences, the one before.
    """
    markers = [
        (m.start(), m.end(), marker_numbers(next(g for g in m.groups() if g)))
        for m in MARKER.finditer(draft)
    ]
    chars = list(draft)
    for s, e, _ in markers:
        chars[s:e] = " " * (e - s)
    masked = "".join(chars)
    spans: list[tuple[int, int]] = []
    for s, e in sentence_spans(masked):
        # A marker followed by a new capitalised clause also ends a sentence ("… tiers: [1] Top").
        for ms, me, _ in markers:
            if s < ms and me < e and _NEXT_START.match(draft, me) and masked[s:ms].strip():
                spans.append((s, len(masked[:ms].rstrip())))
                s = _NEXT_START.match(draft, me).end() - 1
        spans.append((s, e))
    sentences = [DraftSentence(s, e, _tidy(masked[s:e])) for s, e in spans]
    if not sentences:
        return []
    for mk in markers:
        owner = sentences[0]
        for sent in sentences:
            if sent.start <= mk[0]:
                owner = sent
        owner.markers.append(mk)
    for sent in sentences:
        if sent.markers:
            sent.end = max(sent.end, *(m[1] for m in sent.markers))
    return sentences


def rewrite_markers(draft: str, st: DraftSentence, new_ns: list[int]) -> str:
    """The sentence's own text with its markers replaced by `new_ns` (in place of the first)."""
    marker = "".join(f"[{n}]" for n in new_ns)
    parts: list[str] = []
    pos, placed = st.start, False
    for s, e, _ in sorted(st.markers):
        parts.append(draft[pos:s])
        if not placed and marker:
            parts.append(marker)
            placed = True
        pos = e
    parts.append(draft[pos : st.end])
    piece = "".join(parts)
    if marker and not placed:
        m = re.search(r"([.!?…:][\"'”’)\]]*)\s*$", piece)
        piece = (piece[: m.start()].rstrip() + f" {marker}" + m.group(1)) if m else (
            piece.rstrip() + f" {marker}"
        )
    if len(new_ns) < len(st.numbers):
        piece = re.sub(r"[ \t]+([.,;:!?])", r"\1", piece)
    return re.sub(r"[ \t]{2,}", " ", piece).strip()


# --- claim features ---------------------------------------------------------------------

_STOP_WORDS = """a an the and or but if then than that this these those there their they them it
its of in on at to for from by with as into onto upon about over under between within without
is are was were be been being has have had do does did done will would shall should can could
may might must not no nor so such also only very more most much many some any each every all
both either neither other another same which who whom whose what when where why how he she his
her we our us you your i me my mine yes here following according said says say stated states
state noted notes note described describes reported reports report set out while whilst during
after before since until because although though however therefore thus via per one ones
itself themselves himself herself document documents source sources passage passages excerpt
excerpts provided text texts"""
STOP = frozenset(_STOP_WORDS.split())
_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
    "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100",
}
_CANON = {"annual": "year", "annu": "year", "yearly": "year", "monthly": "month",
          "weekly": "week", "daily": "day", "quarterly": "quarter"}
_KEY_WORDS = frozenset(
    """year month week day quarter decade majority unanimous unanimity all none never always
    only sole alone first last every abolish replac creat establish merg scrap increas reduc
    cut rise fall ban veto block reject approv suspend"""
    .split()
)
"""Words whose absence from the source marks an invented detail (counted like names)."""
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|without|cannot|lacks?)\b|n't\b",
                       re.IGNORECASE)


_SUFFIXES = ("ations", "ation", "ments", "ment", "ances", "ance", "ences", "ence", "ings", "ing",
             "ies", "able", "ible", "ally", "ly", "ed", "es", "s", "ory", "ary", "al", "e")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """A crude English stem, enough to match plural, verb and adjective forms."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if len(w) - len(suffix) >= 4 and w.endswith(suffix):
                w = w[: -len(suffix)] + ("y" if suffix == "ies" else "")
                changed = suffix != "ies"
                break
    return w


def _norm_number(raw: str) -> str:
    if re.fullmatch(r"\d{1,3}(,\d{3})+", raw):
        raw = raw.replace(",", "")
    try:
        return f"{float(raw.replace(',', '.')):g}"
    except ValueError:
        return raw


@dataclass
class Features:
    """Stems present, content stems in order, numbers and capitalised names of a text."""

    stems: set[str]
    content: list[str]
    numbers: set[str]
    names: set[str]


def features(text: str) -> Features:
    """The lexical features of `text` (numbers normalised: "1,000" == "1000", "two" == "2")."""
    numbers = {_norm_number(n) for n in _NUMBER.findall(text)}
    stems: set[str] = set()
    content: list[str] = []
    names: set[str] = set()
    for k, m in enumerate(_WORD.finditer(text)):
        w = m.group(0)
        low = w.lower()
        if low in _NUMBER_WORDS:
            numbers.add(_NUMBER_WORDS[low])
        st = _CANON.get(low) or _CANON.get(stem(w)) or stem(w)
        stems.add(st)
        if st in _KEY_WORDS:
            names.add(st)
        if low in STOP or len(low) < 3:
            continue
        content.append(st)
        if w[0].isupper() and (k > 0 or w.isupper()):
            names.add(st)
    return Features(stems, content, numbers, names)


def merge(feats: Iterable[Features]) -> Features:
    """The union of several texts' features."""
    out = Features(set(), [], set(), set())
    for f in feats:
        out.stems |= f.stems
        out.numbers |= f.numbers
        out.names |= f.names
        out.content += f.content
    return out


def coverage(claim: Features, ref: Features) -> float:
    """The share of the claim's content words that `ref` has."""
    if not claim.content:
        return 0.0
    return sum(1 for w in claim.content if w in ref.stems) / len(claim.content)


def lexical_support(claim: Features, ref: Features) -> float:
    """Content-word coverage of the claim by `ref`; 0 if the claim has a number `ref` lacks,
    halved for each capitalised name `ref` lacks (numbers and names are where models invent)."""
    if not claim.content and not claim.numbers:
        return 0.0
    if claim.numbers - ref.numbers:
        return 0.0
    covered = coverage(claim, ref) if claim.content else 1.0
    missing_names = sum(1 for n in claim.names if n not in ref.stems)
    return covered * (0.5**missing_names)


_CLAUSE = re.compile(r"[.!?,;:()–—\n]|\s(?:and|but|while|whereas|although)\s")


def same_polarity(claim: str, reference: str) -> bool:
    """Whether the reference states the claim with the same polarity: a plain claim must not
    rest on a word the reference only uses in negated clauses, and a negated claim needs at
    least one of its words inside a negated clause of the reference."""
    clauses = [c for c in _CLAUSE.split(reference) if c and c.strip()]
    negated_only: set[str] = set()
    plain: set[str] = set()
    for clause in clauses:
        words = set(features(clause).content)
        (negated_only if _NEGATION.search(clause) else plain).update(words)
    negated_only -= plain
    cf = set(features(claim).content)
    if _NEGATION.search(claim):
        return bool(cf & (negated_only | {w for c in clauses if _NEGATION.search(c)
                                          for w in features(c).content}))
    return not (cf & negated_only)


def is_instruction(text: str) -> bool:
    """Whether a source sentence addresses the assistant (an injection), so supports nothing;
    the product's one detector, `assistant.safety.looks_like_injection`."""
    return looks_like_injection(text)


def has_claim(text: str) -> bool:
    """Whether a sentence has any words or numbers at all."""
    return bool(_WORD.search(text) or _NUMBER.search(text))


_FINAL = re.compile(r"[.!?…;:\"'”’)\]]$")


def kind(claim: str) -> str:
    """What a draft sentence is: "empty" (no words), "meta" (the refusal sentence, or a short
    lead-in ending in a colon with no numbers or names: may stay uncited), "question",
    "fragment" (too short to state a checkable fact) or "claim"."""
    if not has_claim(claim):
        return "empty"
    text = claim.strip()
    if text == REFUSAL:
        return "meta"
    f = features(text)
    words = _WORD.findall(text) + _NUMBER.findall(text)
    first = _WORD.search(text)
    if (text.endswith(":") and len(words) <= 10 and not f.numbers and not is_instruction(text)
            and f.names <= ({stem(first.group(0))} if first else set())):
        return "meta"
    if text.endswith("?"):
        return "question"
    if len(words) < 3 or (len(f.content) < 2 and not f.numbers):
        return "fragment"
    last = re.findall(r"[\w'’]+", text)[-1].lower()
    if not _FINAL.search(text) and (len(words) < 6 or last in STOP):
        return "fragment"  # a heading, or a sentence cut off mid-way
    return "claim"


_MARKUP = re.compile(
    r"<start_of_turn>\s*(?:user|model)?|"
    r"[<‹]\s*/?\s*(?:sources?|question|system|context|user|assistant|model|answer|"
    r"start_of_turn|end_of_turn|bos|eos)\b[^<>\n]{0,200}>"
    r"|<<\s*/?\s*SYS\s*>>|\[/?INST\]|<\|[A-Za-z_]{1,30}\|>",
    re.IGNORECASE,
)


def strip_markup(draft: str) -> str:
    """The draft without prompt markup a model may echo (``<source n=1>``, ``[/INST]``, ...)."""
    return _MARKUP.sub(" ", draft)


def find_verbatim(text: str, claim: str) -> str | None:
    """If `claim` occurs in `text` (up to whitespace and quote style), the whole sentence(s)
    of `text` around it, as an exact substring of `text`; else None."""
    words = claim.rstrip(".").split()
    if len(words) < 4:
        return None
    pattern = r"\s+".join(re.sub(r"['’]", "['’]", re.escape(w)) for w in words)
    m = re.search(pattern, text)
    if not m:
        return None
    start, end = m.start(), m.end()
    for s, e in sentence_spans(text):
        if s <= m.start() < e:
            start = s
        if s < m.end() <= e:
            end = e
    return None if is_instruction(text[start:end]) else text[start:end]
