"""Sentence segmentation with character offsets, shared by chunking, answerers and verifier.

Rules: a blank line always ends a sentence; a single line break ends one unless the next
line plainly continues it (starts in lower case after a line without final punctuation);
bullet and numbered list lines and headings are sentences of their own. Inside a line, a
sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes/brackets) followed by
space and a plausible sentence start, except after abbreviations (Mr, Dr, e.g., No., Cm,
s., para.), initials ("D. May") and inside numbers (3.5, s.28); a footnote mark right after
the stop ("2022.[7]", "review.4") ends the sentence with it.

Linear in the input: a wrapped line is joined by looking at the previous physical line only,
and no sentence is longer than ``max_chars`` (``Settings.max_sentence_chars``): a longer run
is cut at its last whitespace inside the limit, or hard at the limit when it has none.
"""

from __future__ import annotations

import re

from ingest.budget import check_budget
from ingest.settings import Settings

_ABBREVIATION_WORDS = (
    """mr mrs ms dr prof rev hon rt cllr sir st mt jr sr gen col lt capt sgt
    no nos cm cmd cmnd hc hl s ss para paras art arts sec secs sch cl ch pt reg regs vol
    vols p pp pg fig figs eq ed eds op cit ibid al cf vs v viz approx est dept govt inc ltd co
    s.i rec recs ref refs chap appx
    jan feb mar apr jun jul aug sep sept oct nov dec e.g i.e a.m p.m u.k u.s"""
)
ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())

_BULLET = re.compile(r"^\s*(?:[-*•▪◦‣–—]\s+|\(?\d{1,3}[a-z]?[.)]\s+|\([a-z0-9]{1,4}\)\s+)")
# Possessive runs, and no match starting inside a run of stops: a line of ten thousand dots
# is scanned once, not once per dot. A footnote mark may follow the stop: superscript,
# bracketed ("in 2022.[7] The"), or plain digits after a word ("the review.4 Its"; a
# decimal, "65.4", is no stop).
_END = re.compile(
    r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+"
    r"(?:\^\{[^}]{1,8}\}|[⁰¹²³⁴⁵⁶⁷⁸⁹ⁱᵛˣ]++|\[\d{1,3}\]|(?<=[A-Za-z][.!?])\d{1,3})?(?=\s)"
)
_FOOTNOTE_MARK = re.compile(r"(?:\[\d{1,3}\]|\d{1,3})$")
_START = re.compile(r"\s+([\"'“‘(\[]*[A-Z0-9£$€#*•\-–])")
_LIST_NUMBER = re.compile(r"\s*(?:[-*•]\s*)?\(?(?:\d{1,4}|[A-Za-z]|[ivxlcIVXLC]{1,6})")
_TERMINAL_CHARS = frozenset(".!?…:;\"'”’)]")


def _line_spans(text: str) -> list[tuple[int, int]]:
    """Split into logical lines (paragraph pieces), joining wrapped continuation lines.

    Whether a line continues the one before depends on that last physical line and on
    whether the logical line began as a heading, never on the whole joined text.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    last = ""  # the last physical line of spans[-1]
    heading = False  # spans[-1] began with '#'
    for n, raw in enumerate(text.splitlines(keepends=True)):
        if n % 4096 == 0:
            check_budget()
        start, end = pos, pos + len(raw.rstrip("\r\n"))
        pos += len(raw)
        body = text[start:end]
        if not body.strip():
            spans.append((start, start))  # blank line: hard break marker
            continue
        if spans and spans[-1][1] > spans[-1][0] and not heading and _continues(last, body):
            spans[-1] = (spans[-1][0], end)
            last = body
            continue
        spans.append((start, end))
        last, heading = body, body.lstrip().startswith("#")
    return [s for s in spans if s[1] > s[0]]


def _continues(prev: str, line: str) -> bool:
    """Whether ``line`` continues the physical line ``prev`` (a wrapped sentence)."""
    stripped = line.lstrip()
    if not stripped or _BULLET.match(line) or stripped.startswith("#"):
        return False
    if prev.rstrip()[-1:] in _TERMINAL_CHARS:
        return False
    return stripped[0].islower()


def _capped(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """``(start, end)`` cut into pieces of at most ``max_chars``: at the last whitespace
    inside the limit, else hard at the limit; each piece whitespace-stripped."""
    out: list[tuple[int, int]] = []
    while end - start > max_chars:
        limit = start + max_chars
        cut = max(text.rfind(" ", start + 1, limit + 1), text.rfind("\n", start + 1, limit + 1))
        if cut <= start:
            out.append((start, limit))
            start = limit
        else:
            piece_end = cut
            while piece_end > start and text[piece_end - 1].isspace():
                piece_end -= 1
            out.append((start, piece_end))
            start = cut + 1
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append((start, end))
    return out


def _is_abbreviation(segment: str, dot_at: int) -> bool:
    """Whether the full stop at ``dot_at`` closes an abbreviation or an initial."""
    window = segment[max(0, dot_at - 24) : dot_at]
    m = re.search(r"(?<![\w'’])([A-Za-z][A-Za-z.]*)$", window)
    if m and m.start() == 0 and dot_at > 24:
        return False  # a word longer than the window is no abbreviation
    if not m:
        return False
    word = m.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "D. May"
    return word.lower().rstrip(".") in ABBREVIATIONS


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    segment = text[start:end]
    spans: list[tuple[int, int]] = []
    begin = 0
    for m in _END.finditer(segment):
        nxt = _START.match(segment, m.end())
        if not nxt:
            continue
        if _FOOTNOTE_MARK.sub("", m.group()) == ".":  # a full stop, a footnote mark after it
            if _is_abbreviation(segment, m.start()):
                continue
            if _LIST_NUMBER.fullmatch(segment, begin, m.start()):
                continue  # "1. Make ...", "274. The memorandum ...", "(a). ..."
        spans.append((begin, m.end()))
        begin = nxt.start(1)
    spans.append((begin, len(segment)))
    out = []
    for s, e in spans:
        piece = segment[s:e]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if piece.strip():
            out.append((start + s + lead, start + e - trail))
    return out


MAX_SENTENCE_CHARS: int = Settings.model_fields["max_sentence_chars"].default


def sentence_spans(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[tuple[int, int]]:
    """(start, end) offsets of each sentence in ``text``, whitespace-stripped, in order;
    none longer than ``max_chars``."""
    spans: list[tuple[int, int]] = []
    for start, end in _line_spans(text):
        for s, e in _split_line(text, start, end):
            if e - s > max_chars:
                spans.extend(_capped(text, s, e, max_chars))
            else:
                spans.append((s, e))
    return spans


def split_sentences(text: str, max_chars: int = MAX_SENTENCE_CHARS) -> list[str]:
    """The sentences of ``text`` (see ``sentence_spans``)."""
    return [text[s:e] for s, e in sentence_spans(text, max_chars)]
