"""What a question asks for: the kind of answer, and the specifics evidence must meet.

The kind of answer (a person for "who", a date for "when", a number for "how many", a place
for "where", several things for "which bodies ...") comes from spaCy's parse of the
question (`analyse`). The specifics (years, months, dates, ordinals, named bodies, nations,
names) are read with patterns for dates and ordinals and the capitalisation of names: a
similarity score cannot tell "the first meeting" from "the second", so evidence is checked
against them (`assistant.evidence`).
"""

from __future__ import annotations

import bisect
import re
from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from assistant.nlp import (
    FULL_DATE,
    KIND_NOUNS,
    MONTH,
    MONTHS,
    UNIT_KINDS,
    UNIT_NOUNS,
    Unit,
    month_number,
    parse,
)

AnswerKind = Literal["number", "date", "person", "place", "frequency", "list", "generic"]

_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "inaugural": 1,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_CARDINAL_WORDS = {
    word: n for n, word in enumerate(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen
        fourteen fifteen sixteen seventeen eighteen nineteen twenty""".split()
    )
}

# Capitalised words too common in this domain to act as constraints on their own.
_GENERIC_NAMES = set(
    """according what which who whom whose when where why how does did do is are was were
    the a an in on of for and to under at by with from between during after before since
    uk u.k united kingdom britain british government governments minister ministers
    ministerial first prime secretary state council councils committee committees
    parliament parliamentary house commons lords scottish scotland welsh wales northern
    ireland irish england english devolved devolution administration administrations
    executive assembly senedd office department report reports review paper white
    intergovernmental relations igr group groups standing interministerial inter-ministerial
    chancellor mayor mayors mp mps rt hon dr mr mrs ms professor library briefing act bill
    annual quarterly communique communiqué meeting meetings summit plenary joint new
    i i'm me my you your it its this that according""".split()
)

MONTH_YEAR = re.compile(rf"\b({MONTH})\s+(1[89]\d{{2}}|20\d{{2}})\b", re.IGNORECASE)
DAY_MONTH_YEAR = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH})\s+(1[89]\d{{2}}|20\d{{2}})\b", re.IGNORECASE
)
# "December 3rd, 2024", as some write it.
_MONTH_DAY_YEAR = re.compile(
    rf"\b({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(1[89]\d{{2}}|20\d{{2}})\b", re.IGNORECASE
)
# A day written in figures: "20/11/2025" (day first, as in the UK) or "2025-11-20".
_NUMERIC_DAY = re.compile(
    r"\b(?:(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>(?:19|20)\d{2})"
    r"|(?P<y2>(?:19|20)\d{2})-(?P<m2>\d{2})-(?P<d2>\d{2}))\b"
)
# The day of a month in a date ("3rd December", "December 3rd"): not an ordinal of the
# question's own ("the third meeting").
_DAY_OF_MONTH = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)\s+(?:of\s+)?{MONTH}|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
# The four nations: a question about one is not answered from a document about another.
NATIONS = {
    "scotland": r"(?i:\b(Scotland|Scottish|Holyrood)\b)",
    "wales": r"(?i:\b(Wales|Welsh|Senedd|Cymru)\b)",
    "northern-ireland": r"(?i:\b(Northern Ireland|N\. Ireland|Stormont)\b)|\bNI\b",
    "england": r"(?i:\b(England|English)\b)",
}
NATION_WORDS = {"scottish", "welsh", "english", "irish", "british", "scotland", "wales",
                "england", "ireland"}
_CONNECTORS = {"of", "for", "and", "the", "on", "in"}
# Words that make a run of capitalised words the name of a body or document (people's
# names are left to the looser single-name check).
_BODY_WORDS = set(
    """committee council group review bill act deal forum commission convention office
    department executive assembly parliament secretariat framework frameworks agreement
    report inquiry institute university cabinet conference summit board panel unit
    authority government paper memorandum strategy fund programme plan statement""".split()
)
_LEADING = {"what", "which", "who", "whom", "whose", "when", "where", "why", "how", "according",
            "under", "in", "on", "at", "did", "does", "do", "is", "are", "was", "were", "the",
            "after", "before", "during", "since", "can", "could", "should", "would", "will"}
YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})(?:[-–/](\d{2,4}))?\b")
# A span of years: "2023-24", "2023/24", "2016–2021", "2023 to 2024".
PERIOD = re.compile(
    r"\b(1[89]\d{2}|20\d{2})\s?(?:[-–/]|\bto\b)\s?(\d{4}|\d{2})\b", re.IGNORECASE
)
_ORDINAL_NUM = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])(?:£|\$|€)?\d[\d,]*(?:\.\d+)?(?:bn|m|k|%)?(?![\w])")
_CAP_WORD = re.compile(r"\b[A-Z][A-Za-z'’\-]+|\b[A-Z]{2,}\b")
_WORD = re.compile(r"[a-z0-9][a-z0-9'’\-]*")


class QuestionProfile(BaseModel):
    """The checkable specifics of a question."""

    text: str
    kind: AnswerKind
    years: list[str]
    scopes: list[str] = []  # years setting when ("in 2024"), not naming a thing ("the 2022 Act")
    periods: list[str] = []
    months: list[str] = []
    days: list[str] = []
    ordinals: list[int]
    numbers: list[str]
    names: list[str]
    phrases: list[str] = []
    nations: list[str] = []
    wants_many: bool
    focus: str = ""  # what a number question counts or measures ("meetings", "budget")
    focus_terms: list[str] = []  # the words narrowing it ("resource" in "resource borrowing")
    unit: Unit = ""  # a share ("percent"), a sum ("money") or a day ("on what date")
    count: int = 0  # how many things a list question asks for ("which three groups")


def ordinal_forms(n: int) -> list[str]:
    """Ways a text may write the ordinal `n` ("second", "2nd")."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    forms = [f"{n}{suffix}"]
    forms += [w for w, v in _ORDINAL_WORDS.items() if v == n and w != "inaugural"]
    if n == 1:
        forms.append("inaugural")
    for tens_word, tens in _TENS.items():
        for unit_word, unit in _ORDINAL_WORDS.items():
            if tens + unit == n and 1 <= unit <= 9:
                forms += [f"{tens_word}-{unit_word}", f"{tens_word} {unit_word}"]
    return forms


# Nouns that name a measure rather than what is measured: a text gives "62%", not "share".
_MEASURES = frozenset(
    "number amount total figure percentage proportion share sum value rate people".split()
)
_LIST_VERBS = frozenset({"list", "name", "outline", "identify", "compare"})
_MANY_WORDS = frozenset({"both", "compare", "each"})


def _kind_of_noun(token) -> AnswerKind | None:
    """The kind of answer a noun names, by the lexicon `KIND_NOUNS`; people also by the
    singular ("MSPs", "peers": several people), other plurals not ("which places": a list)."""
    lemma = token.lemma_.lower() if token.lemma_ else token.lower_
    singular = token.lower_[:-1] if token.lower_.endswith("s") else token.lower_
    for kind, nouns in KIND_NOUNS.items():
        if lemma in nouns or token.lower_ in nouns or kind == "person" and singular in nouns:
            return kind  # type: ignore[return-value]
    return None


_NAMING_NOUNS = frozenset({"name", "names", "title"})
_NOUN_RUN = frozenset({"NOUN", "PROPN", "ADJ", "CCONJ", "PART"})


def _answer_noun(doc):
    """The noun a wh-word asks about: "which minister", "what is the number of ...", and
    what "the name of" names ("what's the name of the board's chair?": a chair)."""
    noun = _asked_noun(doc)
    if noun is not None and noun.lower_ in _NAMING_NOUNS:
        named = next(iter(_objects(noun, ("of",), ("NOUN", "PROPN"))), None)
        return named or noun
    return noun


def _run_head(doc, start: int):
    """The last noun of the noun phrase starting at `start` that has a kind ("which
    Ports and Coastal Affairs Secretary": secretary, however the name is parsed)."""
    end = start
    while end < len(doc) and doc[end].pos_ in _NOUN_RUN:
        end += 1
    return next((t for t in reversed(doc[start:end])
                 if t.pos_ in ("NOUN", "PROPN") and _kind_of_noun(t) is not None), None)


# Where a noun stands in the parse: a plural the tagger read as a verb stands there too.
_NOUN_ROLES = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass", "dobj", "attr", "pobj"})


def _misread_plural(token) -> bool:
    """A plural noun the tagger read as a verb ("Which rules govern ...?", "Which routes does
    ... run?"): an -s form in the place of a noun, right after the question word."""
    return (token.tag_ == "VBZ" and token.lower_.endswith("s") and token.dep_ in _NOUN_ROLES
            and token.i > 0 and token.doc[token.i - 1].lower_ in ("what", "which"))


def _objects(token, preps, pos=("NOUN",)) -> list:
    """The nouns `token` governs through one of the prepositions `preps` ("the name of the
    chair": chair)."""
    return [c for p in token.children if p.dep_ == "prep" and p.lower_ in preps
            for c in p.children if c.dep_ == "pobj" and c.pos_ in pos]


_SINGULAR_FORMS = frozenset({"is", "was", "has", "does"})


def _one_of(tok) -> bool:
    """A "which of the ..." followed by a verb agreeing with one thing, itself not followed
    by a subject of its own: "which of the routes was cut?" asks for one; "which of the
    trustees does the chair appoint?" (another subject) may ask for several. Read from the
    words' order, which the small parser gets wrong less often than the subject."""
    of = _objects(tok, ("of",))
    doc = tok.doc
    if not of or of[0].i + 1 >= len(doc):
        return False
    verb = doc[of[0].i + 1]
    if not (verb.lower_ in _SINGULAR_FORMS or verb.tag_ == "VBZ"):
        return False
    after = doc[verb.i + 1] if verb.i + 1 < len(doc) else None
    return after is None or after.pos_ not in ("DET", "NOUN", "PROPN", "PRON")


def _plural(token) -> bool:
    """A plural noun, as tagged or as misread (`_misread_plural`)."""
    return token.tag_ == "NNS" or _misread_plural(token)


def _adjacent(a, b) -> bool:
    """No auxiliary stands between two tokens: "which two ministers" (the noun asked
    about), not "what did the ministers promise" (who promised it)."""
    return not any(t.pos_ == "AUX" for t in a.doc[min(a.i, b.i) + 1 : max(a.i, b.i)])


def _asked_noun(doc):
    """The noun the question word stands for (see `_answer_noun`): "which minister", "which
    of the routes", "what were the reasons", and a plural "who" stands for ("who are the
    trustees ...?")."""
    for tok in doc:
        if tok.lower_ == "who" and tok.tag_ == "WP" and tok.head.lemma_ == "be":
            plural = next((c for c in tok.head.children if c.dep_ in ("attr", "nsubj")
                           and c.pos_ == "NOUN" and c.tag_ == "NNS"), None)
            if plural is not None:
                return plural
        if tok.lower_ not in ("what", "which") or tok.tag_ not in ("WDT", "WP"):
            continue
        if tok.dep_ == "det" and (tok.head.pos_ in ("NOUN", "PROPN")
                                  or _misread_plural(tok.head)):
            return tok.head
        of = next(iter(_objects(tok, ("of",))), None)
        if of is not None:  # "which of the reports are ...", not "which of them is ...?"
            return None if _one_of(tok) else of
        after = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if (tok.lower_ == "which" and after is not None and after.pos_ == "PROPN"
                and _kind_of_noun(after) is None):
            after = _run_head(doc, after.i) or after
        # "in which city", parsed otherwise; "which PM", an office spaCy takes for a name
        if after is not None and (after.pos_ == "NOUN" or _misread_plural(after)
                                  or after.pos_ == "PROPN" and _kind_of_noun(after) is not None):
            return after
        for child in tok.head.children:  # "what is the number", "what were the reasons"
            if (child.dep_ in ("attr", "nsubj", "dobj") and child.pos_ == "NOUN"
                    and child != tok and (tok.head.lemma_ == "be" or _adjacent(tok, child))):
                return child
    return None


def _count_of(nouns) -> int:
    """How many things the nouns asked about are said to be ("which three groups", "name
    the 8 councils"): a number modifying one of them, 0 when none does."""
    for noun in nouns:
        for child in noun.children:
            if child.dep_ != "nummod":
                continue
            word = child.lower_
            n = _CARDINAL_WORDS.get(word, int(word) if word.isdigit() and len(word) < 3 else 0)
            if n >= 2:
                return n
    return 0


_WH_TAGS = frozenset({"WP", "WP$", "WRB", "WDT"})
_PERIODS = frozenset({"year", "month", "week", "quarter", "term", "session", "day"})


# Words that open the subject of a clause: "When the board met, ...", "When it met, ...",
# "When devolved powers are used, ..." (a participle modifying the subject).
_SUBJECT_START = frozenset({"DET", "NOUN", "PROPN", "PRON", "ADJ", "NUM"})
_SUBJECT_DEPS = frozenset({"det", "amod", "compound", "nummod", "nsubj", "nsubjpass", "poss"})


def _clause_ends(doc) -> tuple[list[int], int]:
    """The commas of a parse, and the last question word not joined on by "and"/"or" (the
    question a clause before it leads to): what `_opens_clause` reads, found once."""
    commas = [t.i for t in doc if t.text == ","]
    asked = [t.i for t in doc if t.tag_ in _WH_TAGS
             and not (t.i and doc[t.i - 1].pos_ == "CCONJ")]
    return commas, asked[-1] if asked else -1


def _opens_clause(tok, commas: list[int], last_asked: int) -> bool:
    """A "when" or "where" opening a clause before the question ("When the board met,
    who ...?"): a subject right after it (not "When was ...?", "When in 2019 did ...?"),
    and a question word after a comma further on (`_clause_ends`)."""
    after = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    if after is None or not (after.pos_ in _SUBJECT_START or after.dep_ in _SUBJECT_DEPS):
        return False
    n = bisect.bisect_right(commas, tok.i)
    return n < len(commas) and commas[n] < last_asked


def _per_period(doc, times) -> bool:
    """"times" followed by "a year", "per month", "each quarter": a frequency."""
    rest = [t.lower_ for t in doc[times.i + 1 : times.i + 3]]
    return len(rest) == 2 and rest[0] in ("a", "an", "per", "each", "every") and rest[1] in _PERIODS


_NARROWING_PREPS = frozenset({"on", "for", "of"})


def _narrowing(noun) -> list[str]:
    """The common nouns narrowing what a number question counts or measures: its compound
    nouns, and those it hangs from by "on", "for" or "of" with theirs ("limit on resource
    borrowing": borrowing, resource)."""
    objects = _objects(noun, _NARROWING_PREPS)
    words = [o.lower_ for o in objects]
    for head in (noun, *objects):
        words += [c.lower_ for c in head.children
                  if c.dep_ in ("compound", "amod") and c.pos_ == "NOUN"]
    return words


def _asks_day(noun) -> bool:
    """Whether the asked noun "date" or "day" wants a day: "what day", "on what date", "the
    exact date"; not "by what date", "the closing date", "the date of the Act" (often
    answered by a month or a year)."""
    if noun.lower_ in ("day", "days") or any(
        c.lower_ in ("exact", "precise", "specific") for c in noun.children
    ):
        return True
    doc = noun.doc  # "on what date", "on which date": read by the words, however parsed
    wh = next((t for t in reversed(doc[max(0, noun.i - 3) : noun.i])
               if t.lower_ in ("what", "which")), None)
    return wh is not None and wh.i > 0 and doc[wh.i - 1].lower_ == "on"


def analyse(question: str) -> tuple[AnswerKind, bool, str, list[str], Unit, int]:
    """The kind of answer a question asks for, whether it asks for several things, the
    noun a number question counts and the nouns narrowing it (`_narrowing`), the unit of
    the number or date asked for, and how many things a list question asks for, from spaCy's
    parse: the wh-word, the noun it asks about (its kind and unit from small lexicons,
    plural for several), "how many/much", and list verbs ("name the ...")."""
    doc = parse(question)  # the same parse as the question's other readings (cached)
    mark = question.find("?")
    if mark > 0:  # what is asked ends at its first question mark
        doc = doc[: next((t.i for t in doc if t.idx >= mark), len(doc))]
    kind: AnswerKind | None = None
    ends = _clause_ends(doc)
    for tok in doc:  # the first question word asks: "what did it decide when it met?"
        word = tok.lower_
        if tok.tag_ not in _WH_TAGS or word in ("when", "where") and _opens_clause(tok, *ends):
            continue
        if word in ("who", "whom", "whose"):
            kind = "person"
        elif word == "when" and tok.tag_ == "WRB":
            kind = "date"
        elif word == "where" and tok.tag_ == "WRB":
            kind = "place"
        elif word == "how" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in ("long", "soon"):
            kind = "date"  # a length of time, or a date: "within ten working days"
        elif word == "how" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in ("many", "much"):
            # "how much notice" asks for a length of time, "how much funding" a number
            measured = doc[tok.i + 2] if tok.i + 2 < len(doc) else None
            kind = "date" if (measured is not None and measured.pos_ == "NOUN"
                              and _kind_of_noun(measured) == "date") else "number"
            if measured is not None and measured.lower_ == "times" and _per_period(doc, measured):
                kind = "frequency"  # "how many times a year": how often
        elif word == "how" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in (
            "often", "frequently", "regularly"
        ):
            kind = "frequency"
        if kind or word != "how":  # "how" alone ("how did ...") asks no kind
            break
    noun = _answer_noun(doc)
    if noun is None and kind == "number":  # "how many meetings": the noun counted
        noun = next((t.head for t in doc if t.lower_ in ("many", "much")
                     and t.head.pos_ == "NOUN"), None)
    if kind is None and noun is not None:
        kind = _kind_of_noun(noun)
    verbs = [t for t in doc if t.lower_ in _LIST_VERBS and t.pos_ == "VERB"]
    listed = [c for t in verbs for c in t.children if c.dep_ == "dobj"]  # "name the six deals"
    one_of = any(_one_of(t) for t in doc if t.lower_ in ("which", "what"))
    many = (
        (noun is not None and _plural(noun) and kind != "number")
        or bool(verbs)
        or any(t.lower_ in _MANY_WORDS for t in doc)
        or not one_of and any(t.like_num and t.head.tag_ == "NNS" and t.dep_ == "nummod"
                              for t in doc)
    )
    if kind is None:
        kind = "list" if many else "generic"
    counted = kind == "number" and noun is not None and not (
        {noun.lemma_.lower(), noun.lower_} & _MEASURES
    )
    names = {noun.lemma_.lower(), noun.lower_} if noun is not None else set()
    unit = next((u for u, nouns in UNIT_NOUNS.items() if names & nouns), "")
    if unit and (UNIT_KINDS[unit] != kind or (unit == "day" and not _asks_day(noun))):
        unit = ""
    count = _count_of([noun, *listed] if noun is not None else listed) if many else 0
    # "what budget", "how many meetings"
    narrowing = _narrowing(noun) if counted else []
    return (kind, many, noun.lower_ if counted else "", narrowing,  # type: ignore[return-value]
            unit, count)


# Capitalised words that name no body or person: short months, places standing for a
# parliament or government (a nation word such as "Holyrood" is checked as a nation).
_NOT_NAMES = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec westminster whitehall".split()
)


def is_nation_word(word: str) -> bool:
    """Whether `word` (or a phrase) is written as a nation is: one of `NATIONS`' patterns
    ("NI", "Welsh", "Holyrood")."""
    return any(re.fullmatch(pattern, word) for pattern in NATIONS.values())


_SENTENCE_MARK = re.compile(r"[.?!:;\n\"“‘(]\s*")  # what a sentence (or a quote) opens after


def _names(q: str) -> list[str]:
    """Capitalised words of the question that name something: not its first word
    ("Besides ..."), nor a later sentence's ("... Confirm: ...", "Then say ...") unless it
    has a capital inside ("PolicyWISE") or spaCy reads it as a proper noun."""
    names: list[str] = []
    proper: set[int] | None = None
    starts = {m.end() for m in _SENTENCE_MARK.finditer(q)}  # found once: linear in q
    for m in _CAP_WORD.finditer(q):
        if m.start() == 0:
            continue  # the question's first word is capitalised anyway ("Besides ...")
        if m.start() in starts and not any(
            c.isupper() for c in m.group(0)[1:]
        ):
            if proper is None:
                proper = {t.idx for t in parse(q) if t.pos_ == "PROPN"}
            if m.start() not in proper:
                continue
        word = m.group(0).strip("'’-")
        word = re.sub(r"['’]s$", "", word)
        lower = word.lower()
        if len(word) < 3 or lower in _GENERIC_NAMES or all(
            part in MONTHS for part in lower.split("-")  # "April-June" is a time
        ) or (
            lower in _NOT_NAMES or lower in _ORDINAL_WORDS or is_nation_word(word)
        ):
            continue
        if word not in names:
            names.append(word)
    return names


def _phrases(question: str) -> list[str]:
    """Names of bodies and documents that must appear as written: runs of capitalised
    words (with of/for/and/the inside), from their first distinctive word on. E.g. "House
    of Commons Welsh Affairs Committee" -> "Affairs Committee" is too weak, so the run
    keeps "Welsh Affairs Committee"; "House of Lords Constitution Committee" ->
    "Constitution Committee"."""
    runs: list[list[str]] = [[]]
    for n, word in enumerate(re.findall(r"[\w'’-]+|[^\w\s]", question)):
        bare = re.sub(r"['’]s?$", "", word)
        lower = bare.lower()
        capital = bare[:1].isupper() and lower not in _LEADING and lower not in MONTHS
        capital = capital and (n > 0 or bare.isupper())  # not "Making" opening a question
        if capital or (runs[-1] and lower in _CONNECTORS):
            runs[-1].append(bare)
            if bare != word:  # a possessive ends the name: "Australia's National Cabinet"
                runs.append([])
            continue
        runs.append([])
    phrases = []
    for run in runs:
        while run and run[-1].lower() in _CONNECTORS:
            run = run[:-1]
        start = next((i for i, w in enumerate(run) if _distinctive(w)), None)
        if start is None:
            continue
        if start > 0 and run[start - 1].lower() in NATION_WORDS:
            start -= 1  # keep the nation: "Welsh Affairs Committee"
        phrase = run[start:]
        words = {w.lower() for w in phrase}
        body_like = bool(words & (_BODY_WORDS | _CONNECTORS))
        if body_like and sum(w.lower() not in _CONNECTORS for w in phrase) >= 2:
            phrases.append(" ".join(phrase))
    return phrases


_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def _place_names(question: str) -> list[str]:
    """Names of places of two words or more ("North East", "Liverpool City Region"), as
    spaCy's entity recogniser finds them: met as written, not word by word ("North" and
    "East" are in many passages about somewhere else). Nations are checked as nations; a
    name with an acronym in it ("EFRA IMG") is a body the recogniser took for a place."""
    found = []
    for ent in parse(question).ents:
        if ent.label_ not in _PLACE_LABELS:
            continue
        words = [re.sub(r"['’]s?$", "", t.text) for t in ent if t.lower_ != "the"]
        words = [w for w in words if w]
        if any(len(w) > 1 and w.isupper() for w in words):
            continue
        name = " ".join(words)
        if len(words) >= 2 and not is_nation_word(name) and not any(
            re.search(pattern, name) for pattern in NATIONS.values()
        ):
            found.append(name)
    return found


def _distinctive(word: str) -> bool:
    lower = word.lower()
    return not (lower in _GENERIC_NAMES or lower in _CONNECTORS or word.isupper())


def _scope_years(question: str) -> list[str]:
    """The years that set when the asked matter happened ("held in 2024", "the meeting of
    7 December 2018"). Not: a year before its noun, naming a thing ("the 2022 Act"); one
    in a sentence before the question ("X left in 2021. Who replaced him?"); one in a
    clause describing a noun ("the areas it picked in 2024")."""
    if not YEAR.search(question):
        return []
    asking = [s for s in parse(question).sents if s.text.rstrip().endswith("?")]
    return sorted({
        t.text for sent in asking[-1:] for t in sent
        if YEAR.fullmatch(t.text) and not (
            t.dep_ in ("nummod", "compound", "amod") and t.head.i > t.i
            and t.head.pos_ in ("NOUN", "PROPN")
        ) and not any(a.dep_ in ("relcl", "acl") for a in t.ancestors)
    })


def periods(text: str) -> list[str]:
    """The spans of years `text` names, as 'first-last' ("2023-24" -> '2023-2024')."""
    found = []
    for m in PERIOD.finditer(text):
        first, last = m.group(1), m.group(2)
        if len(last) == 2:
            last = first[:2] + last
        if int(first) < int(last) <= int(first) + 10 and f"{first}-{last}" not in found:
            found.append(f"{first}-{last}")
    return found


def _numeric_day(m: re.Match[str]) -> str:
    """'YYYY-MM-DD' for a `_NUMERIC_DAY` match, '' when it is no calendar day."""
    year, month, day = (m.group("y") or m.group("y2"), m.group("m") or m.group("m2"),
                        m.group("d") or m.group("d2"))
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return ""


def named_times(question: str) -> tuple[list[str], list[str]]:
    """The months ('2024-12', those of its days too) and days ('2024-12-03') a question names
    with their year, sorted (by patterns alone: no parse)."""
    days = [
        f"{m.group(3)}-{month_number(m.group(2)):02d}-{int(m.group(1)):02d}"
        for m in DAY_MONTH_YEAR.finditer(question)
    ] + [
        f"{m.group(3)}-{month_number(m.group(1)):02d}-{int(m.group(2)):02d}"
        for m in _MONTH_DAY_YEAR.finditer(question)
    ] + [d for d in map(_numeric_day, _NUMERIC_DAY.finditer(question)) if d]
    months = [f"{m.group(2)}-{month_number(m.group(1)):02d}"
              for m in MONTH_YEAR.finditer(question)] + [d[:7] for d in days]
    return sorted(set(months)), sorted(set(days))


@lru_cache(maxsize=4096)
def profile_question(question: str) -> QuestionProfile:
    """Analyse `question` (already stripped of injection text)."""
    years: list[str] = []
    for m in YEAR.finditer(question):
        years.append(m.group(1))
    ql = question.lower()
    in_dates = [m.span() for m in _DAY_OF_MONTH.finditer(question)]
    ordinals = [
        int(m.group(1)) for m in _ORDINAL_NUM.finditer(question)
        if not any(a <= m.start() < b for a, b in in_dates)
    ]
    for word in _WORD.findall(ql):
        base = word.split("-")
        if word in _ORDINAL_WORDS and word not in ("first", "inaugural"):
            ordinals.append(_ORDINAL_WORDS[word])
        elif len(base) == 2 and base[0] in _TENS and base[1] in _ORDINAL_WORDS:
            ordinals.append(_TENS[base[0]] + _ORDINAL_WORDS[base[1]])
    year_spans = [m.span() for m in YEAR.finditer(question)]
    year_spans += [m.span() for m in _NUMERIC_DAY.finditer(question)]
    numbers = [
        m.group(0) for m in _NUMBER.finditer(question)
        if not any(a <= m.start() < b for a, b in year_spans)
    ]
    months, days = named_times(question)
    kind, many, focus, focus_terms, unit, count = analyse(question)
    return QuestionProfile(
        scopes=_scope_years(question),
        text=question,
        kind=kind,
        years=sorted(set(years)),
        periods=periods(question),
        months=months,
        days=days,
        phrases=_phrases(question) + _place_names(question),
        nations=[n for n, pattern in NATIONS.items() if re.search(pattern, question)],
        ordinals=sorted(set(ordinals)),
        numbers=numbers,
        names=_names(question),
        wants_many=many,
        focus=focus,
        focus_terms=focus_terms,
        unit=unit,
        count=count,
    )


_PART_SPLIT = re.compile(
    r"(?:,\s*|\s+)and\s+(?=(?:who|whom|whose|what|when|where|which|why|how|whether|"
    r"(?:in|on|at|to|for|by|from|with|under) (?:what|which)|did|does|was|were|is)\b)|;\s+",
    re.IGNORECASE,
)
# Specifics of one kind that a question may set side by side ("the third and the tenth
# meetings", "in March 2019 compared with September 2024", "Scottish or Welsh ministers").
_ITEM_KINDS = {
    "ordinal": r"\d{1,3}(?:st|nd|rd|th)|" + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True)),
    "month": rf"{MONTH}\s+(?:1[89]\d{{2}}|20\d{{2}})",
    "year": r"(?:1[89]\d{2}|20\d{2})(?![-–/]\d)",
    # the nations' own names only: NATIONS also has their seats ("Holyrood and the
    # Senedd"), which would split more questions than this was measured with
    "nation": r"Scotland|Scottish|Wales|Welsh|Northern Ireland|England|English",
}
_COORDINATED = re.compile(
    r"\b(?:" + "|".join(rf"(?P<{k}_a>{v})" for k, v in _ITEM_KINDS.items()) + r")\b"
    r"(?P<sep>\s*,?\s*(?:and|or|vs\.?|versus|compared (?:with|to))\s+"
    r"(?:the\s+|for\s+|in\s+|at\s+|with\s+)?)"
    r"\b(?P<b>" + "|".join(f"(?:{v})" for v in _ITEM_KINDS.values()) + r")\b",
    re.IGNORECASE,
)


def _coordinated_parts(question: str) -> list[str]:
    """One part per specific of a pair of the same kind set side by side: "Who chaired the
    third and the tenth meetings?" -> "... the third meetings?", "... the tenth meetings?"."""
    for m in _COORDINATED.finditer(question):
        kind = next(k for k in _ITEM_KINDS if m.group(f"{k}_a"))
        if not re.fullmatch(_ITEM_KINDS[kind], m.group("b"), re.IGNORECASE) or re.search(
            r"\bbetween\s+(?:the\s+|its\s+)?$", question[: m.start()], re.IGNORECASE
        ):
            continue  # "between 2019 and 2024" is one span
        first = question[: m.end(f"{kind}_a")] + question[m.end("b") :]
        second = question[: m.start(f"{kind}_a")] + m.group("b") + question[m.end("b") :]
        return [first, second]
    return []


_SETS_SIDE_BY_SIDE = re.compile(
    r"\s*(?:,\s*)?\b(?:and|compared (?:with|to)|vs\.?|versus)\s+|\s+with\s+", re.IGNORECASE
)
_SPECIFIC = {kind: re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)
             for kind, pattern in _ITEM_KINDS.items()}


def _compared_parts(question: str) -> list[str]:
    """One part per side of a question setting two things of the same kind side by side,
    each with its own year, month, ordinal or nation: "Compare the limits agreed for Wales
    in 2016 and for Scotland in 2023" -> "Compare the limits agreed for Wales in 2016?",
    "Compare the limits agreed for Scotland in 2023?" (the second side put where the first
    side's phrase starting with the same word stands; no split when there is none). The
    second side's specific comes before any further separator; "with" separates only in a
    question that compares; "between X and Y" is one span."""
    compares = re.search(r"\bcompar", question, re.IGNORECASE)
    seps = [m for m in _SETS_SIDE_BY_SIDE.finditer(question)
            if m.group().strip().lower() != "with" or (compares and compares.start() < m.start())]
    for sep, after in zip(seps, [*seps[1:], None], strict=False):
        left = question[: sep.start()]
        side = question[sep.end() : after.start() if after else len(question)]
        if re.search(r"\bbetween\b", left, re.IGNORECASE):
            continue
        for pattern in _SPECIFIC.values():
            ours = list(pattern.finditer(left))
            theirs = {_compared(v) for v in pattern.findall(side)}
            if ours and theirs - {_compared(m.group()) for m in ours}:
                right = question[sep.end() :].strip(" ?.")
                lead = right.split(" ", 1)[0].lower()
                starts = [m.start() for m in re.finditer(rf"\b{re.escape(lead)}\b", left,
                                                         re.IGNORECASE)
                          if m.start() < ours[-1].start()]
                if not starts:  # "... and Wales say in 2023": no phrase of the first
                    return []  # side stands where the second would go
                second = left[: starts[-1]] + right
                return [f"{left.strip(' ,')}?", f"{second.strip(' ,?')}?"]
    return []


def _compared(word: str) -> str:
    """A specific as compared: in lower case, a nation's adjective as its name ("Welsh" ->
    "wales")."""
    word = word.lower()
    return {"scottish": "scotland", "welsh": "wales", "english": "england"}.get(word, word)


def _coordinated_bodies(question: str) -> list[str]:
    """One part per body of two set side by side: "Which met first: the North-South
    Ministerial Council or the British-Irish Council?" -> "... the North-South Ministerial
    Council?", "... the British-Irish Council?". Only names of bodies (headed by a body word),
    not "between X and Y", which asks about both together."""
    doc = parse(question)
    for conj in doc:
        head = conj.head
        if conj.dep_ != "conj" or head.i >= conj.i or not all(
            t.pos_ == "PROPN" and t.lower_ in _BODY_WORDS for t in (head, conj)
        ):
            continue
        cc = next((t for t in head.children if t.dep_ == "cc" and head.i < t.i < conj.i), None)
        first = doc[head.left_edge.i : (cc.i if cc else conj.left_edge.i)]
        before = {t.lower_ for t in doc[max(0, first.start - 2) : first.start]}
        if cc is None or "between" in before:  # "between X and Y": both together
            continue
        second = doc[conj.left_edge.i : conj.right_edge.i + 1]
        cut = question[: first.end_char].rstrip(" ,") + question[second.end_char :]
        return [cut, cut[: first.start_char] + second.text + cut[first.end_char :]]
    for sep in doc:  # "How often does X meet, compared with Y?"
        if not (sep.lower_ in ("versus", "vs", "vs.") or sep.lower_ == "compared" and (
            sep.i + 1 < len(doc) and doc[sep.i + 1].lower_ in ("with", "to")
        )):
            continue
        bodies = [t for t in doc if t.pos_ == "PROPN" and t.lower_ in _BODY_WORDS]
        before = [t for t in bodies if t.i < sep.i]
        after = [t for t in bodies if t.i > sep.i]
        if not before or not after:
            continue
        first = doc[before[-1].left_edge.i : min(before[-1].right_edge.i + 1, sep.i)]
        second = doc[after[0].left_edge.i : after[0].right_edge.i + 1]
        if first.end > sep.i or second.start <= sep.i:
            continue
        cut = question[: sep.idx].rstrip(" ,") + question[second.end_char :]
        return [cut, cut[: first.start_char] + second.text + cut[first.end_char :]]
    return []


_SWAP_LABELS = frozenset({"GPE", "LOC", "NORP", "DATE", "ORG", "PERSON", "FAC", "EVENT", "LAW"})
_YEAR_WORD = re.compile(r"\b(?:1[89]|20)\d{2}\b")
_ORDINAL_WORD = re.compile(
    r"\b(?:\d{1,3}(?:st|nd|rd|th)|" + "|".join(_ORDINAL_WORDS) + r")\b", re.IGNORECASE
)


def _times(text: str) -> tuple[list[str], list[re.Match[str]]]:
    """The times `text` names, in order, each whole: a date with its month ("May 2020",
    "3 March 2019", "March 3rd, 2019") or a year alone; and the dates' matches."""
    dates = list(FULL_DATE.finditer(text))
    years = [m for m in _YEAR_WORD.finditer(text) if not _inside(m, dates)]
    return [m.group() for m in sorted([*dates, *years], key=lambda m: m.start())], dates


def _inside(match: re.Match[str], spans: list[re.Match[str]]) -> bool:
    """Whether `match` starts inside one of `spans` (matches in the same text)."""
    return any(s.start() <= match.start() < s.end() for s in spans)


def _first_verb(doc):
    """The first verb or auxiliary of a parsed text, None when it has none."""
    return next((t for t in doc if t.pos_ in ("VERB", "AUX")), None)


def elliptical_swap(question: str, previous: str) -> str | None:
    """A question with no verb that names only what sets it apart from `previous` -> the
    previous question with those names in: "and for Wales?" after "... for Scotland ...?";
    "and which at the 29th in 2025?" after "which ... at the first plenary in 1999?" (years
    and ordinals in turn, then named things by their kind). None when it has a verb, or
    none of its names replaces one of the same kind."""
    doc = parse(question)
    if _first_verb(doc) is not None:
        return None
    swapped = previous
    # times in turn, each whole (a date with its month and day, or a year alone), then
    # ordinals outside those dates
    (new_times, new_dates), (old_times, old_dates) = _times(question), _times(previous)
    ordinals = [[m.group() for m in _ORDINAL_WORD.finditer(text) if not _inside(m, dates)]
                for text, dates in ((question, new_dates), (previous, old_dates))]
    for new, olds in ((new_times, old_times), ordinals):
        for value, old in zip(new, olds, strict=False):
            swapped = re.sub(rf"\b{re.escape(old)}\b", value, swapped, count=1)
    old_ents = {e.label_: e.text for e in parse(previous).ents if e.label_ in _SWAP_LABELS
                and not (e.label_ == "DATE" and _YEAR_WORD.search(e.text))}
    for ent in doc.ents:
        if (ent.label_ in old_ents and not _YEAR_WORD.search(ent.text)
                and not _ORDINAL_WORD.search(ent.text)):
            swapped = swapped.replace(old_ents[ent.label_], ent.text, 1)
    return swapped if swapped != previous else None


def asks_many(question: str) -> bool:
    """Whether `question` asks for several things: a list, or a question of several parts."""
    profile = profile_question(question)
    return len(question_parts(question)) > 1 or profile.wants_many or profile.kind == "list"


def word_budget(question: str, max_words: int, max_words_many: int) -> int:
    """Most words an answer to `question` may have: `max_words_many` when it asks for several
    things (`asks_many`), else `max_words`."""
    return max_words_many if asks_many(question) else max_words


def _with_predicate(piece: str, following: str) -> str:
    """A question word set before another without a verb of its own asks with the other's
    predicate: "When" in "When and where did the forum meet?" asks "When did the forum
    meet". Each is parsed as the part it may become ("... meet?"), a parse
    `profile_question` reuses when no setup sentence comes before it."""
    if _first_verb(parse(f"{piece}?")) is not None:
        return piece
    verb = _first_verb(parse(f"{following}?"))
    return f"{piece} {following[verb.idx:]}" if verb is not None else piece


def question_parts(question: str) -> list[str]:
    """The parts of a multi-part question ("Where did X meet, and how often ...?"), each
    with the sentences that set the question up."""
    sentences = re.split(r"(?<=[.?!])\s+(?=[A-Z])", question.strip())
    setup, asked = " ".join(sentences[:-1]), sentences[-1]
    pieces = [p.strip(" ,?") for p in _PART_SPLIT.split(asked) if p and p.strip(" ,?")]
    pieces = [_with_predicate(p, nxt)
              for p, nxt in zip(pieces, pieces[1:], strict=False)] + pieces[-1:]
    parts: list[str] = []
    for piece in pieces:
        if parts and len(_WORD.findall(piece)) < 4:
            parts[-1] = f"{parts[-1]} and {piece}"  # "..., and on what date?" is no part alone
        else:
            parts.append(piece)
    if len(parts) < 2:
        return (_coordinated_parts(question) or _coordinated_bodies(question)
                or _compared_parts(question) or [question])
    # "..., and which at the 29th in 2025?": the first part, its time and ordinal swapped
    # (each read as the part it may become, "...?": the parse `profile_question` reuses)
    parts[1:] = [(elliptical_swap(f"{p}?", f"{parts[0]}?") or f"{p}?")[:-1]
                 for p in parts[1:]]
    # "who chaired the March and December 2024 meetings, and ...?": a part per specific
    parts = [q for p in parts for q in (_coordinated_parts(p) or [p])]
    return [f"{setup} {p}?".strip() for p in parts]
