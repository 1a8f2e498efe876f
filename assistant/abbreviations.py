"""Spelling out the shorthand users type, before a question is searched and scored.

Officials write "what did the scot govt say in feb 2023?"; the documents say "Scottish
Government" and "February 2023". A word no document contains matches nothing, and when
most of a question's words match nothing it is taken for off-topic. So common shorthand
is written out: general English and civil-service abbreviations ("govt", "dept", "exec",
"mtg", "cttee"), the nations' short forms ("scot"), and short month names next to a day
or a year ("Sept 2024").

Acronyms are met by their initials where a passage spells them out ("CNR" by "Council of
the Nations and Regions", `assistant.evidence`), but only a passage that was found: an
acronym no document uses ("what is an LCM?") finds nothing. So an acronym of the field's
standard vocabulary (`ACRONYMS`: offices, bodies, instruments of UK intergovernmental
relations) that no indexed document contains is followed by what it stands for: "what is an
LCM (legislative consent memorandum)?". One the documents use is left as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.nlp import MONTHS, month_number
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
# A short month name standing next to a day or a year: "Sept 2024", "3 Feb", "Oct. 2023".
_SHORT = r"(?:jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
_SHORT_MONTH = re.compile(
    rf"(?<=\d\s)({_SHORT})\.?(?![\w])|\b({_SHORT})\.?(?=\s+\d)", re.IGNORECASE
)


def spell_out(question: str, unknown: Callable[[list[str]], list[str]] | None = None) -> str:
    """`question` with its shorthand written out (see the module docstring); unchanged
    when it has none. `unknown` names the index terms no document contains (the lexical
    index's `unknown_terms`); without it no acronym is spelled out."""
    text = _WORD.sub(lambda m: _cased(SHORTHAND[m.group(1).lower()], m.group(1)), question)
    text = _SHORT_MONTH.sub(_month, text)
    if unknown is None:
        return text
    found = [m for m in _ACRONYM.finditer(text)
             if len(m.group(1)) > 2 or m.group(1).isupper()]
    terms = [" ".join(tokenize(m.group(0))) for m in found]  # "LCMs", "CNR's" as indexed
    absent = set(unknown(terms)) if found else set()
    for m, term in reversed(list(zip(found, terms, strict=True))):  # earlier offsets hold
        if term in absent:
            text = f"{text[: m.end()]} ({ACRONYMS[m.group(1).upper()]}){text[m.end():]}"
    return text


def _cased(full: str, written: str) -> str:
    """The full form, capitalised when the abbreviation was ("Govt" -> "Government")."""
    return full[:1].upper() + full[1:] if written[:1].isupper() else full


def _month(m: re.Match[str]) -> str:
    return MONTHS[month_number(m.group(1) or m.group(2)) - 1].capitalize()
