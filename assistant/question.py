"""What a question asks for: the kind of answer, and the constraints evidence must meet.

A similarity threshold cannot tell "the first meeting" from "the second meeting": near-miss
questions score as high as answerable ones. So before answering, the evidence is checked
against the question's specifics: its years, ordinals and numbers, its proper names, and
the kind of answer it asks for (a number for "how many", a date for "when", ...).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

AnswerKind = Literal["number", "date", "person", "place", "list", "generic"]

_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "inaugural": 1,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred thousand million billion dozen several once twice"
).split()
MONTHS = (
    "january february march april may june july august september october november december"
).split()

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

_MONTH_YEAR = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+(1[89]\d{2}|20\d{2})\b",
    re.IGNORECASE,
)
_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\s+(1[89]\d{2}|20\d{2})\b",
    re.IGNORECASE,
)
# The four nations: a question about one is not answered from a document about another.
NATIONS = {
    "scotland": r"\b(Scotland|Scottish|Holyrood)\b",
    "wales": r"\b(Wales|Welsh|Senedd|Cymru)\b",
    "northern-ireland": r"\b(Northern Ireland|Stormont|NI Executive)\b",
    "england": r"\b(England|English)\b",
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
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})(?:[-–/](\d{2,4}))?\b")
_ORDINAL_NUM = re.compile(r"\b(\d{1,3})(?:st|nd|rd|th)\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])(?:£|\$|€)?\d[\d,]*(?:\.\d+)?(?:bn|m|k|%)?(?![\w])")
_CAP_WORD = re.compile(r"\b[A-Z][A-Za-z'’\-]+|\b[A-Z]{2,}\b")
_WORD = re.compile(r"[a-z0-9][a-z0-9'’\-]*")


class QuestionProfile(BaseModel):
    """The checkable specifics of a question."""

    text: str
    kind: AnswerKind
    years: list[str]
    months: list[str] = []
    days: list[str] = []
    ordinals: list[int]
    numbers: list[str]
    names: list[str]
    phrases: list[str] = []
    nations: list[str] = []
    wants_many: bool


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


def _answer_kind(q: str) -> AnswerKind:
    ql = re.split(r",\s+and\s+|;\s+|\?\s+", q.lower())[0]
    if re.search(r"\bhow (many|much)\b|\bwhat (?:is |was |were |are )?(?:the )?(?:[\w-]+ ){0,4}"
                 r"(number|percentage|proportion|proportions|share|amount|sum|total|value|"
                 r"figure|figures)\b|\bhow (large|big)\b", ql):
        return "number"
    if re.search(r"^\s*when\b|\bwhen (?:was|were|is|are|did|does|do|will|would|has|have|had|"
                 r"should|could|can)\b|\bwhat (date|day|year|month)\b|"
                 r"\bwhich (date|day|year|month)\b|"
                 r"\bin what year\b|\bon what date\b|\bhow long ago\b", ql):
        return "date"
    if re.search(r"^\s*who\b|\bwho (chaired|chairs|led|leads|was|is|were|are|introduced|said|"
                 r"wrote|announced|signed|hosted|attended|missed|gave|became)\b|\bwhich "
                 r"(?:\w+ )?(minister|mayor|person|official|secretary|first minister|"
                 r"politician|academic|mp|member|peer|chair|ministers|mayors)\b", ql):
        return "person"
    if re.search(r"\bwhere\b|\bwhich (city|town|venue|place|location|country)\b|\bin what "
                 r"(city|town|place)\b|\bwhat (city|town|venue|location)\b", ql):
        return "place"
    if _wants_many(ql):
        return "list"
    return "generic"


def _wants_many(ql: str) -> bool:
    return bool(
        re.search(
            r"\b(list|name the|what are the|what were the|which (areas|fields|functions|"
            r"priorities|principles|issues|topics|tools|sections|members|countries|bodies|"
            r"committees|groups|kinds|types|regions|places|areas)|what (areas|fields|tools|"
            r"kinds|types|priorities|principles|functions|issues|topics|sections|practical)\b|"
            r"what \w+ (tools|areas|fields|kinds|types|priorities)|both|compare|each of)",
            ql,
        )
    )


def _names(q: str) -> list[str]:
    names: list[str] = []
    for m in _CAP_WORD.finditer(q):
        if m.start() == 0:
            continue  # the question's first word is capitalised anyway ("Besides ...")
        word = m.group(0).strip("'’-")
        word = re.sub(r"['’]s$", "", word)
        if len(word) < 3 or word.lower() in _GENERIC_NAMES or word.lower() in MONTHS:
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
    for word in re.findall(r"[\w'’-]+|[^\w\s]", question):
        bare = re.sub(r"['’]s?$", "", word)
        lower = bare.lower()
        capital = bare[:1].isupper() and lower not in _LEADING and lower not in MONTHS
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


def _distinctive(word: str) -> bool:
    lower = word.lower()
    return not (lower in _GENERIC_NAMES or lower in _CONNECTORS or word.isupper())


def profile_question(question: str) -> QuestionProfile:
    """Analyse `question` (already stripped of injection text)."""
    years: list[str] = []
    for m in _YEAR.finditer(question):
        years.append(m.group(1))
    ql = question.lower()
    ordinals = [int(m.group(1)) for m in _ORDINAL_NUM.finditer(question)]
    for word in _WORD.findall(ql):
        base = word.split("-")
        if word in _ORDINAL_WORDS and word not in ("first", "inaugural"):
            ordinals.append(_ORDINAL_WORDS[word])
        elif len(base) == 2 and base[0] in _TENS and base[1] in _ORDINAL_WORDS:
            ordinals.append(_TENS[base[0]] + _ORDINAL_WORDS[base[1]])
    year_spans = [m.span() for m in _YEAR.finditer(question)]
    numbers = [
        m.group(0) for m in _NUMBER.finditer(question)
        if not any(a <= m.start() < b for a, b in year_spans)
    ]
    months = [
        f"{m.group(2)}-{MONTHS.index(m.group(1).lower()) + 1:02d}"
        for m in _MONTH_YEAR.finditer(question)
    ]
    days = [
        f"{m.group(3)}-{MONTHS.index(m.group(2).lower()) + 1:02d}-{int(m.group(1)):02d}"
        for m in _DAY_MONTH_YEAR.finditer(question)
    ]
    return QuestionProfile(
        text=question,
        kind=_answer_kind(question),
        years=sorted(set(years)),
        months=sorted(set(months)),
        days=sorted(set(days)),
        phrases=_phrases(question),
        nations=[n for n, pattern in NATIONS.items() if re.search(pattern, question)],
        ordinals=sorted(set(ordinals)),
        numbers=numbers,
        names=_names(question),
        wants_many=_wants_many(ql),
    )


def has_person(text: str) -> bool:
    """Whether `text` names a person or a post (two capitalised words, or a title)."""
    if re.search(r"\b(Mr|Mrs|Ms|Dr|Sir|Lord|Baroness|Professor|Rt Hon)\b", text):
        return True
    if re.search(r"\b[A-Z][a-z]+ [A-Z][a-z]+(?:-[A-Z][a-z]+)?\b", text):
        return True
    return bool(re.search(r"\b(secretary|minister|chair|mayor|chancellor|leader)\b", text, re.I))


_DAY_MONTH = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:st|nd|rd|th)?\b",
    re.IGNORECASE,
)
_PERSON = re.compile(
    r"\b(?:(?:Mr|Mrs|Ms|Dr|Sir|Lord|Baroness|Professor|Rt Hon)\.?\s+)?"
    r"[A-Z][a-z]+(?:\s+[A-Z][a-z'’-]+){1,2}\b"
)
_PLACE = re.compile(
    r"\b(?:in|at|to|hosted in|held in)\s+(?:the\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"
)
_COUNT_WORDS = set(_NUMBER_WORDS) - {"once", "twice", "several"}
# Capitalised words after "in"/"at" that are times, not places ("held in October").
_NOT_PLACES = set(MONTHS) | {"monday", "tuesday", "wednesday", "thursday", "friday",
                             "saturday", "sunday", "spring", "summer", "autumn", "winter"}


def _counts(text: str) -> list[tuple[str, int]]:
    """Quantities stated in `text` (not years, not day numbers of dates), with positions."""
    found: list[tuple[str, int]] = []
    dates = [m.span() for m in _DAY_MONTH.finditer(text)]
    for m in _NUMBER.finditer(text):
        raw = m.group(0)
        if _YEAR.fullmatch(raw) or any(a <= m.start() < b for a, b in dates):
            continue
        found.append((raw, m.start()))
    for m in re.finditer(r"\b[a-z]+\b", text.lower()):
        if m.group(0) in _COUNT_WORDS:
            found.append((m.group(0), m.start()))
    return found


def _new(term: str, question: str) -> bool:
    return term.lower() not in question.lower()


def answer_slot(profile: QuestionProfile, text: str) -> float:
    """How well `text` fills the answer the question asks for with something new (0..1).

    New means not already in the question: a sentence that restates the question is
    not an answer to it.
    """
    q = profile.text
    if profile.kind == "number":
        counts = [(c, pos) for c, pos in _counts(text) if _new(c, q)]
        if not counts:
            return 0.0
        if not any(ch.isdigit() for c, _ in counts for ch in c) and not counted_noun(q):
            return 0.5  # "two figures" is not the figure asked for
        noun = counted_noun(q)
        if noun and any(noun in text[pos : pos + 40].lower() for _, pos in counts):
            return 1.0
        return 0.6
    if profile.kind == "date":
        days = [m.group(0) for m in _DAY_MONTH.finditer(text) if _new(m.group(0), q)]
        years = [m.group(1) for m in _YEAR.finditer(text) if _new(m.group(1), q)]
        months = [m for m in MONTHS if re.search(rf"\b{m}\b", text.lower()) and _new(m, q)]
        return 1.0 if days else 0.7 if (months or years) else 0.0
    if profile.kind == "person":
        names = [m.group(0) for m in _PERSON.finditer(text)]
        new = [n for n in names if _new(n, q) and n.split()[0].lower() not in _GENERIC_NAMES]
        return 1.0 if new else 0.3 if has_person(text) else 0.0
    if profile.kind == "place":
        places = [
            m.group(1) for m in _PLACE.finditer(text)
            if _new(m.group(1), q) and m.group(1).split()[0].lower() not in _NOT_PLACES
        ]
        return 1.0 if places else 0.0
    terms = set(_WORD.findall(text.lower())) - set(_WORD.findall(q.lower()))
    novelty = len([t for t in terms if len(t) > 3]) / max(len(_WORD.findall(text.lower())), 1)
    return min(1.0, novelty * 2)


def counted_noun(question: str) -> str | None:
    """The thing a "how many X" question counts, if it names one ("meetings" -> "meeting")."""
    m = re.search(r"\bhow many\s+(\w+)(?:\s+(\w+))?", question.lower())
    if not m:
        return None
    # "how many meetings" / "how many public submissions": the first plural is the noun.
    words = [w for w in m.groups() if w]
    word = next((w for w in words if w.endswith("s")), words[0])
    return word[:-1] if word.endswith("s") and len(word) > 4 else word




_PART_SPLIT = re.compile(
    r"(?:,\s*|\s+)and\s+(?=(?:who|what|when|where|which|how|whether|in what|on what|in which|"
    r"on which|did|does|was|were|is)\b)|;\s+",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """The parts of a multi-part question ("Where did X meet, and how often ...?"), each
    with the sentences that set the question up."""
    sentences = re.split(r"(?<=[.?!])\s+(?=[A-Z])", question.strip())
    setup, asked = " ".join(sentences[:-1]), sentences[-1]
    parts: list[str] = []
    for piece in (p.strip(" ,?") for p in _PART_SPLIT.split(asked) if p and p.strip(" ,?")):
        if parts and len(_WORD.findall(piece)) < 4:
            parts[-1] = f"{parts[-1]} and {piece}"  # "..., and on what date?" is no part alone
        else:
            parts.append(piece)
    if len(parts) < 2:
        return [question]
    return [f"{setup} {p}?".strip() for p in parts]
