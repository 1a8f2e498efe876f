"""Spelling out the shorthand users type, before a question is searched and scored.

Officials write "what did the scot govt say in feb 2023?"; the documents say "Scottish
Government" and "February 2023". A word no document contains matches nothing, and when
most of a question's words match nothing it is taken for off-topic. So common shorthand
is written out: general English and civil-service abbreviations ("govt", "dept", "exec",
"mtg", "cttee"), the nations' short forms ("scot"), and short month names next to a day
or a year ("Sept 2024"). The lexicon holds abbreviations of ordinary words only, not names
of bodies: those are met by their initials (`assistant.evidence`).
"""

from __future__ import annotations

import re

from assistant.nlp import MONTHS, month_number

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
# A short month name standing next to a day or a year: "Sept 2024", "3 Feb", "Oct. 2023".
_SHORT = r"(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
_SHORT_MONTH = re.compile(
    rf"(?<=\d\s)({_SHORT})\.?(?![\w])|\b({_SHORT})\.?(?=\s+\d)", re.IGNORECASE
)


def spell_out(question: str) -> str:
    """`question` with its shorthand written out (see the module docstring); unchanged
    when it has none."""
    text = _WORD.sub(lambda m: _cased(SHORTHAND[m.group(1).lower()], m.group(1)), question)
    return _SHORT_MONTH.sub(_month, text)


def _cased(full: str, written: str) -> str:
    """The full form, capitalised when the abbreviation was ("Govt" -> "Government")."""
    return full[:1].upper() + full[1:] if written[:1].isupper() else full


def _month(m: re.Match[str]) -> str:
    return MONTHS[month_number(m.group(1) or m.group(2)) - 1].capitalize()
