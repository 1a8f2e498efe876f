"""Checking that evidence meets a question's specifics before anything is answered."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.models import Passage
from assistant.nlp import month_forms
from assistant.question import (
    DAY_MONTH_YEAR,
    MONTH_YEAR,
    NATIONS,
    YEAR,
    QuestionProfile,
    ordinal_forms,
    periods,
)
from vectorstore.initials import word_initials


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){term}(?![\w])", re.IGNORECASE)


def _year_found(year: str, text: str) -> bool:
    y = int(year)
    spans = [year, rf"{y - 1}\s?[-–/]\s?{str(y)[2:]}"]
    return any(_pattern(p).search(text) for p in spans)


def _month_found(year_month: str, text: str) -> bool:
    """'2019-03' is met by "March 2019", "25 Mar 2019" or a date field 2019-03-25."""
    year, month = year_month.split("-")
    name = month_forms(int(month))
    return bool(
        _pattern(rf"{name}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?{year}").search(text)
        or _pattern(rf"{year}-{month}").search(text)
    )


def _day_found(day: str, text: str) -> bool:
    """'2025-12-11' is met by "11 December 2025", "11 Dec 2025" or a date field 2025-12-11."""
    year, month, dd = day.split("-")
    name = month_forms(int(month))
    return bool(
        _pattern(rf"0?{int(dd)}(?:st|nd|rd|th)?\s+{name},?\s+{year}").search(text)
        or _pattern(rf"{name}\s+0?{int(dd)}(?:st|nd|rd|th)?,?\s+{year}").search(text)
        or day in text
    )


_PASSED = {"bill": "act", "act": "bill"}  # a law keeps its name from bill to act


def _phrase_found(phrase: str, text: str) -> bool:
    """A body's name, ignoring case, spacing, hyphens and punctuation ("... Bill" met by
    "... Act", the same law once passed), or by its initials as a word ("PACAC" for the
    "Public Administration and Constitutional Affairs Committee", in any case) or by
    initials that keep its small words ("MoU", `_mixed_initials_found`); a name joining
    two bodies ("PolicyWISE and Bennett Institute") is met when each of its words is."""
    words = [w for w in re.findall(r"[\w'’-]+", phrase) if w.lower() not in _JOINERS]
    forms = [phrase]
    if words and words[-1].lower() in _PASSED:
        forms.append(phrase[: phrase.rfind(words[-1])] + _PASSED[words[-1].lower()])
    if any(_squash(f) in _squash(text) for f in forms):
        return True
    initials = "".join(w[0] for w in words if w[:1].isupper())
    if len(initials) >= 3 and len(initials) == len(words) and re.search(
        rf"\b{initials}s?\b", text, re.IGNORECASE
    ):
        return True
    if _mixed_initials_found(phrase, text):
        return True
    return len(words) < len(phrase.split()) and all(_name_found(w, text) for w in words)


_JOINERS = {"and", "for", "the", "of", "on", "in"}


def _mixed_initials_found(phrase: str, text: str) -> bool:
    """A name of three or more words, among them a small joining word (`_JOINERS`), met by
    the first letter of each word, the joining words' in lower case ("MoU" for "Memorandum
    of Understanding", "IfG" for "Institute For Government"), or by the same letters in
    capitals ("MOU"), either maybe plural ("MoUs"). Case counts: "mou" and "Mou" do not
    meet it; a word in capitals that happens to spell them ("SOS") does, which on the
    tune questions' names met only real shorthand. A name with no joining word is left to
    the initials check of `_phrase_found`."""
    words = re.findall(r"[\w'’-]+", phrase)
    letters = "".join(w[0].lower() if w.lower() in _JOINERS else w[0] for w in words)
    if len(letters) < 3 or letters.isupper() or sum(c.isupper() for c in letters) < 2:
        return False
    forms = f"{re.escape(letters)}|{re.escape(letters.upper())}"
    return bool(re.search(rf"\b(?:{forms})s?\b", text))


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _ordinal_found(n: int, text: str) -> bool:
    return any(_pattern(re.escape(form)).search(text) for form in ordinal_forms(n))


def _name_found(name: str, text: str) -> bool:
    """A name as written (a long one by its first six letters: "Constitutional" meets
    "Constitution"; a plural by its singular: "MSPs" meets "MSP"), or an acronym by the
    words it stands for ("CNR": "Council of the Nations and Regions", "LCMs": "legislative
    consent memoranda")."""
    stem = re.escape(name[:6]) + r"[\w'’-]*" if len(name) >= 7 else re.escape(name)
    if _pattern(stem).search(text):
        return True
    if len(name) > 3 and name.endswith("s") and not name.endswith("ss") and _pattern(
        re.escape(name[:-1])
    ).search(text):
        return True
    acronym = re.fullmatch(r"[A-Z][A-Za-z]*[A-Z]s?", name)
    letters = "".join(c for c in name if c.isupper()) if acronym else ""
    return len(letters) >= 2 and _stands_for(letters.lower(), text)


_INITIAL_SKIP = frozenset(_JOINERS | {"to", "&"})
# An acronym may take a letter from the second part of a word joined to an English prefix
# without a hyphen ("IMG" for "Interministerial Group", as for "Inter-Ministerial Group").
_PREFIXED = re.compile(
    r"(?P<prefix>inter|intra|multi|trans|cross|counter|sub|non|post|pre|anti)(?P<rest>[a-z]{4,})",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def _word_heads(word: str) -> tuple[str, ...]:
    """The initials a word may give an acronym: those the lexical index reads names by
    (`vectorstore.initials.word_initials`, else its first letter); for a prefixed word, its
    first letter with that of the word after the prefix; for a hyphenated word, the first
    letter of each part. A small joining word may also give nothing (the empty string):
    "DH" and "THA" read "Department of Health" and "The Harbour Authority"."""
    heads = {(word_initials(word) or word[0]).lower()}
    prefixed = _PREFIXED.fullmatch(word)
    if prefixed:
        heads.add(word[0].lower() + prefixed.group("rest")[0].lower())
    parts = [part for part in word.split("-") if part]
    if len(parts) > 1:  # "inter-ministerial" as "Inter-Ministerial"
        heads.add("".join(part[0] for part in parts).lower())
    if word.lower() in _INITIAL_SKIP:
        heads.add("")
    return tuple(heads)


@lru_cache(maxsize=8192)
def _stands_for(letters: str, text: str) -> bool:
    """Whether consecutive words of `text` give `letters` as their initials (`_word_heads`):
    "lcm" in "a legislative consent memorandum"; "ukima" in "the UK Internal Market Act";
    "bic" in "the British-Irish Council"; "img" in "an interministerial group". The match
    starts and ends on a word that gives a letter."""
    heads = [_word_heads(w) for w in re.findall(r"[\w'’-]+", text)]
    for start, first in enumerate(heads):  # whole words only: "mla" is not in "MLAX"
        reached = {len(h) for h in first if h and letters.startswith(h)}
        for options in heads[start + 1 :]:
            if len(letters) in reached:
                return True
            reached = {
                n + len(h) for n in reached for h in options
                if letters.startswith(h, n) and (h or n)
            }
            if not reached:
                break
        if len(letters) in reached:
            return True
    return False


def constraints(profile: QuestionProfile) -> list[str]:
    """The question's specifics as labelled keys: 'year:2019', 'ord:2', 'name:Aberdeen'."""
    return (
        [f"year:{y}" for y in profile.years]
        + [f"scope:{y}" for y in profile.scopes]
        + [f"period:{p}" for p in profile.periods]
        + [f"month:{m}" for m in profile.months]
        + [f"day:{d}" for d in profile.days]
        + [f"ord:{n}" for n in profile.ordinals]
        + [f"name:{n}" for n in profile.names]
        + [f"phrase:{p}" for p in profile.phrases]
        + [f"nation:{n}" for n in profile.nations]
    )


def _meets(key: str, text: str) -> bool:
    """Whether `text` meets one labelled specific (uncached: for texts seen once)."""
    kind, _, value = key.partition(":")
    if kind in ("year", "scope"):
        return _year_found(value, text)
    if kind == "period":
        return value in periods(text)
    if kind == "month":
        return _month_found(value, text)
    if kind == "day":
        return _day_found(value, text)
    if kind == "phrase":
        return _phrase_found(value, text)
    if kind == "nation":
        return bool(re.search(NATIONS[value], text))
    if kind == "ord":
        return _ordinal_found(int(value), text)
    return _name_found(value, text)


# The same sentences are checked by every part and window of a question, and again by the
# next question about them: cached. Bounded by entries, not size: a window with its passage
# is also checked (about 1 KB a text on the shared corpus; ~20 MB when full).
is_met = lru_cache(maxsize=16_384)(_meets)


def names_other(key: str, text: str) -> bool:
    """Whether `text` names a time or nation of the key's kind (a year, a span of years, a
    month, a day, a nation) other than the key's own, and not the key's own: "in 2021" for
    a question about 2024, "on 17 May 2023" for one about the meeting of 11 December 2025,
    "Wales" for one about Northern Ireland."""
    kind, _, value = key.partition(":")
    other = {"year": YEAR, "scope": YEAR, "month": MONTH_YEAR, "day": DAY_MONTH_YEAR}.get(kind)
    if other is not None:
        return bool(other.search(text)) and not is_met(key, text)
    if kind == "period":
        return any(p != value for p in periods(text)) and not is_met(key, text)
    if kind == "nation":
        return any(
            n != value and re.search(pattern, text) for n, pattern in NATIONS.items()
        ) and not is_met(key, text)
    return False


def _metadata_text(passage: Passage) -> str:
    fields = (passage.title, passage.publisher, passage.date, passage.doc_id)
    return " ".join(x for x in fields if x)


def _evidence_text(passages: list[Passage], texts: list[str]) -> str:
    """`texts` and the metadata of `passages`, joined: what the specifics are checked in."""
    return "\n".join(texts + [_metadata_text(p) for p in passages])


def missing_constraints(
    profile: QuestionProfile, passages: list[Passage], texts: list[str]
) -> set[str]:
    """Specifics met neither by `texts` nor by the metadata of `passages`."""
    context = _evidence_text(passages, texts)
    return {key for key in constraints(profile) if not _meets(key, context)}  # joined once


def unmet_in_passage(profile: QuestionProfile, passage: Passage) -> set[str]:
    """Specifics neither the passage's text nor its metadata meets; cached, since every part
    of a question, and the next question, checks the same passages."""
    context = _evidence_text([passage], [passage.text])
    return {key for key in constraints(profile) if not is_met(key, context)}


def unmet_by_evidence(profile: QuestionProfile, passages: list[Passage]) -> set[str]:
    """Specifics that no retrieved passage (text or metadata) contains."""
    return missing_constraints(profile, passages, [p.text for p in passages])


def off_topic(terms: list[str], unknown: list[str], share: float) -> bool:
    """Whether a question is about something the corpus never mentions: it has no content
    words, or at least two and `share` of them ("tungsten", "recipe") occur in no document
    (in a question of one or two such words, one)."""
    words = [t for t in dict.fromkeys(terms) if t.isalpha() and len(t) >= 4]
    if not terms:
        return True
    unknown_set = set(unknown)
    missing = [t for t in words if t in unknown_set]
    return len(missing) >= 2 and len(missing) >= share * len(words) or (
        len(words) <= 2 and len(missing) >= 1
    )
