"""The lexical tokenizer: lowercase, no punctuation, numbers and hyphenated terms kept,
English stopwords dropped, light plural stemming."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up upon very was we were what when where which while who whom why will with would
    you your yours yourself yourselves shall may might must via per etc
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
TOKENIZER_VERSION = "1"  # change with the rules below: stored indexes are then rebuilt

_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[a-z0-9]+(?:-[a-z0-9]+)*")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u2010": "-", "\u2011": "-"})
_KEEP_S = ("ss", "us", "is", "ous")


def _fold(text: str) -> str:
    text = text.translate(_APOSTROPHES)
    if not text.isascii():  # (NFKD leaves ASCII as it is)
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    return re.sub(r"'s\b", "", text)


def stem(token: str) -> str:
    """Light plural stemming: bodies->body, classes->class, councils->council."""
    if token[0].isdigit() or len(token) <= 3:
        return token
    if token.endswith("ies") and len(token) > 4:
        return token[:-3] + "y"
    if token.endswith("sses"):
        return token[:-2]
    if token.endswith("s") and not token.endswith(_KEEP_S):
        return token[:-1]
    return token


@lru_cache(maxsize=500_000)
def _terms_of(raw: str) -> tuple[str, ...]:
    """The index terms of one raw token (none for a stopword)."""
    if raw in STOPWORDS:
        return ()
    if "," in raw and raw[0].isdigit():
        raw = raw.replace(",", "")  # 1,000 -> 1000
    if "-" in raw and raw[0].isalpha():
        return stem(raw), stem(raw.replace("-", ""))
    return (stem(raw),)


def tokenize(text: str) -> list[str]:
    """Index terms of `text`; a hyphenated term also yields its joined form (co-operation
    -> co-operation, cooperation)."""
    terms: list[str] = []
    for raw in _TOKEN.findall(_fold(text)):
        terms.extend(_terms_of(raw))
    return terms
