"""Spelling out the shorthand users type, before a question is searched and scored.

Officials write "what did the scot govt say in feb 2023?"; the documents say "Scottish
Government" and "February 2023". A word no document contains matches nothing, and when
most of a question's words match nothing it is taken for off-topic. So common shorthand
is written out: general English and civil-service abbreviations ("govt", "dept", "exec",
"mtg", "cttee"), the nations' short forms ("scot"), and short month names next to a day
or a year ("Sept 2024"). Courtesies at either end ("hi, ...", "... pls", "...? thanks")
are left out, and a question typed without a question mark gets one.

Acronyms are met by their initials where a passage spells them out ("CNR" by "Council of
the Nations and Regions", `assistant.evidence`), but only a passage that was found: an
acronym no document uses ("what is an LCM?") finds nothing. So an acronym of the field's
standard vocabulary (`ACRONYMS`: offices, bodies, instruments of UK intergovernmental
relations) that no indexed document contains is followed by what it stands for: "what is an
LCM (legislative consent memorandum)?". One the documents use is left as typed. Any other
acronym no document uses is followed by the capitalised name of the documents that it most
often stands for ("what did the WG say?" -> "what did the WG (Welsh Government) say?";
`LexicalIndex.spelled_out`), so a committee or body's initials find it too.

A misspelt word matches nothing either ("what did the intergovermental review set up?"):
a word of six or more letters that no document contains, and that is no English word (spaCy's
vocabulary), is read as the indexed word spelled most like it, when alike enough
(`Settings.spelling_cutoff`; `LexicalIndex.closest_terms`). Without the English check, real
words the documents happen not to use were "corrected": "oversaw" to "oversea".
"""

from __future__ import annotations

import re
from typing import Protocol

from assistant.nlp import MONTHS, is_english_word, month_number
from vectorstore.tokenize import tokenize

# Abbreviation (lower case) -> what it stands for. Plurals are listed where they are used.
SHORTHAND: dict[str, str] = {
    "govt": "government", "govts": "governments", "gov't": "government",
    "gov": "government", "dept": "department", "depts": "departments",
    "exec": "executive", "parl": "parliament", "cttee": "committee",
    "cttees": "committees", "mtg": "meeting", "mtgs": "meetings",
    "sec": "secretary", "secs": "secretaries", "reps": "representatives",
    "intl": "international", "natl": "national", "info": "information",
    "approx": "approximately", "yr": "year", "yrs": "years", "wrt": "with respect to",
    "scot": "Scottish",
}
_WORD = re.compile(r"(?<![\w'’.-])(" + "|".join(
    re.escape(k) for k in sorted(SHORTHAND, key=len, reverse=True)) + r")(?![\w'’-]|\.\w)",
    re.IGNORECASE)
# The field's standard acronyms (upper case) -> what they stand for. Two-letter ones are
# read only as typed in capitals ("PM", not "3 pm").
ACRONYMS: dict[str, str] = {
    "LCM": "legislative consent memorandum", "SLCM": "supplementary legislative consent "
    "memorandum", "IMA": "UK Internal Market Act", "UKIMA": "UK Internal Market Act",
    "IMG": "interministerial group", "IMSC": "Interministerial Standing Committee",
    "FISC": "Finance Interministerial Standing Committee", "JMC": "Joint Ministerial "
    "Committee", "CNR": "Council of the Nations and Regions", "BIC": "British-Irish Council",
    "NSMC": "North South Ministerial Council", "PM": "Prime Minister", "DPM": "Deputy Prime "
    "Minister", "FM": "First Minister", "DFM": "deputy First Minister", "CDL": "Chancellor of "
    "the Duchy of Lancaster", "SOS": "Secretary of State", "TOR": "terms of reference",
    "MOU": "Memorandum of Understanding", "IGR": "intergovernmental relations",
    "MCA": "mayoral combined authority", "CCA": "combined county authority",
    "GLA": "Greater London Authority", "BGA": "block grant adjustment",
    "CST": "Chief Secretary to the Treasury", "NICS": "Northern Ireland Civil Service",
    "TEO": "The Executive Office", "OBR": "Office for Budget Responsibility",
    "SFC": "Scottish Fiscal Commission", "GM": "Greater Manchester",
    "DLUHC": "Department for Levelling Up, Housing and Communities",
    "MHCLG": "Ministry of Housing, Communities and Local Government",
}
_ACRONYM = re.compile(
    r"(?<![\w'’-])(" + "|".join(sorted(ACRONYMS, key=len, reverse=True))
    + r")(s?)(?:['’]s)?(?![\w'’-])",
    re.IGNORECASE,
)
# Any other acronym: a word of letters with at least two capitals ("WG", "ToR", "CEEAC"),
# with a plural "s" or a possessive.
_OTHER_ACRONYM = re.compile(
    r"(?<![\w'’-])((?=(?:[a-z]*[A-Z]){2})[A-Z][A-Za-z]{1,7}?)(s?)(?:['’]s)?(?![\w'’-])"
)
# Courtesies at either end of a question ("hi, ...", "... pls", "...? thanks"): they are
# no part of what is asked, and only pull the search towards passages that say "thanks".
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|hiya)(?:\s+there)?\s*[,!.:-]*\s+", re.IGNORECASE)
_THANKS = re.compile(
    r"(?:[\s,.!-]+(?:please|pls|plz|thanks|thank you|thanks a lot|many thanks|thx|ta|cheers)"
    r")+[\s.!]*$", re.IGNORECASE,
)
_COURTESY_TAIL = 60
"""Characters at the end of a question searched for courtesies: a bounded cost whatever
its length (the pattern backtracks over long runs of separators)."""


def _without_courtesies(question: str) -> str:
    """`question` without a greeting at its start or thanks at its end, and ending in a
    question mark where it has none ("who chairs the forum" is asked as
    "who chairs the forum?": its parts and what it asks are read up to its first one)."""
    text = _GREETING.sub("", question, count=1)
    head, tail = text[:-_COURTESY_TAIL], text[-_COURTESY_TAIL:]
    text = (head + _THANKS.sub("", tail)).strip()
    return text if not text or "?" in text else text.rstrip(" .!") + "?"


_TYPED = re.compile(r"[\w'’-]+")  # a typed word, as the index would split it into terms
# A short month name standing next to a day or a year: "Sept 2024", "3 Feb", "Oct. 2023".
_SHORT = "(?:sept|" + "|".join(m[:3] for m in MONTHS if len(m) > 3) + ")"
_SHORT_MONTH = re.compile(
    rf"(?<=\d\s)({_SHORT})\.?(?![\w])|\b({_SHORT})\.?(?=\s+\d)", re.IGNORECASE
)


class Vocabulary(Protocol):
    """What the index knows of words (`vectorstore.lexical.LexicalIndex`)."""

    def unknown_terms(self, terms: list[str]) -> list[str]: ...

    def closest_terms(self, terms: list[str], cutoff: float, most: int = 3) -> dict[str, str]:
        ...

    def spelled_out(self, acronyms: list[str]) -> dict[str, str]: ...


def spell_out(question: str, vocabulary: Vocabulary | None = None, cutoff: float = 1.0) -> str:
    """`question` with its shorthand written out (see the module docstring); unchanged
    when it has none. With the index's `vocabulary`, an acronym of `ACRONYMS` no document
    contains is followed by what it stands for, and a misspelt word no document contains
    is read as the indexed word spelled at least `cutoff` like it ("comittee")."""
    bare = _without_courtesies(question)
    text = _WORD.sub(lambda m: _cased(SHORTHAND[m.group(1).lower()], m.group(1)),
                     bare or question)
    text = _SHORT_MONTH.sub(_month, text)
    if vocabulary is None:
        return text
    words = [(m, tokenize(m.group(0))) for m in _TYPED.finditer(text)]
    absent = set(vocabulary.unknown_terms([t for _, terms in words for t in terms]))
    acronyms = [m for m in _ACRONYM.finditer(text)
                if (len(m.group(1)) > 2 or m.group(1).isupper())
                and absent.intersection(tokenize(m.group(0)))]  # "LCMs", "CNR's" as indexed
    taken = {m.start() for m in acronyms}
    others = [m for m in _OTHER_ACRONYM.finditer(text) if m.start() not in taken
              and not _ACRONYM.fullmatch(m.group(0))
              and absent.intersection(tokenize(m.group(0)))]
    names = vocabulary.spelled_out([m.group(1) for m in others]) if others else {}
    taken |= {m.start() for m in others}
    misspelt = [(m, terms[0]) for m, terms in words if len(terms) == 1
                and terms[0] in absent and terms[0].isalpha() and m.start() not in taken
                and not is_english_word(m.group(0))]  # "oversaw" is no typo of "oversea"
    fixes = vocabulary.closest_terms([t for _, t in misspelt], cutoff) if cutoff < 1 else {}
    fixes = {t: f for t, f in fixes.items() if not _variants(t, f)}
    edits = [(m.end(), m.end(), f" ({ACRONYMS[m.group(1).upper()]})") for m in acronyms]
    edits += [(m.end(), m.end(), f" ({names[m.group(1)]})") for m in others
              if m.group(1) in names]
    edits += [(m.start(), m.end(), _cased(fixes[t], m.group(0))) for m, t in misspelt
              if t in fixes]
    for start, end, new in sorted(edits, reverse=True):  # from the end: offsets hold
        text = text[:start] + new + text[end:]
    return text


_ENDINGS = ("s", "es", "d", "ed", "ing", "er", "ers", "ee", "ees", "ly", "al", "ment",
            "ments", "ion", "ions")


def _variants(word: str, other: str) -> bool:
    """Forms of one word ("partnered" and "partner"; "maintainer" and "maintained"), not a
    typo and its correction ("barnet", "barnett"): less an English ending, they meet."""
    return bool(_bases(word) & _bases(other))


def _bases(word: str) -> set[str]:
    return {word} | {word[: -len(e)] for e in _ENDINGS
                     if word.endswith(e) and len(word) - len(e) >= 4}


def _cased(full: str, written: str) -> str:
    """The full form, capitalised when the abbreviation was ("Govt" -> "Government")."""
    return full[:1].upper() + full[1:] if written[:1].isupper() else full


def _month(m: re.Match[str]) -> str:
    return MONTHS[month_number(m.group(1) or m.group(2)) - 1].capitalize()
