"""Answer windows: short runs of consecutive text in a passage that may answer a question.

The sentence that matches a question is often not the one that answers it: a meeting's
opening line is followed by its chair, a lead-in ("... fall into three categories:") by its
items. So candidates are windows, not lone sentences:

- a single unit (a sentence, a list item, or a "Label: value" line; never a heading);
- a unit and the one after it (unless that is a heading);
- a lead-in ending in a colon and the items that follow it; so too a heading, or a line
  marked otherwise ("6. Priorities" before "- ..." items), and the run of items after it;
- in a sentence (or a numbered paragraph, read as a list item) longer than twice
  `clause_words`, each longest run of its whole clauses (cut at a comma, semicolon, colon
  or dash) of at most `clause_words` words: the answer of a sentence too long to quote as
  a single fact, quoted without the rest of it. A "Label: value" line is not cut (its
  clauses would read as the whole of a list).

Each window is a verbatim span `passage.text[start:end]`, so it can be quoted as it stands.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from assistant.models import Passage
from assistant.safety import looks_like_injection
from ingest.sentences import sentence_spans

# A bare "Yes." or "No." opening a sentence replies to a question of the document's own (an
# FAQ's): quoted, it would seem to answer the user's question; the rest of the sentence is
# the unit.
_REPLY = re.compile(r"(?:Yes|No)[.,;:!]\s+(?=[A-Z])")
_BULLET = re.compile(r"^\s*(?:[-*•▪◦‣–—]\s+|\(?\d{1,3}[a-z]?[.)]\s+|\([a-z0-9]{1,4}\)\s+)")
_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
_LABEL = re.compile(r"^[A-Z][\w ,'’()/&-]{0,40}:\s+\S")
_FINAL = re.compile(r"[.!?…:;\"'”’)\]]$")
_CLAUSE_END = re.compile(r"[,;:–—](?=\s)")  # a clause ends at a comma, semicolon, colon or dash
_CLAUSE_TRIM = " \t\n,;:–—"
MIN_CLAUSE_WORDS = 6
"""A shorter run of clauses says too little to be quoted alone."""
# A lead-in ends with a colon or a dash, perhaps followed by a footnote mark or a page
# reference the source left in ("would concentrate on:[4]", "advantages: (Page 25)").
_LEAD_END = re.compile(r"[:—–]\s*(?:\[\d{1,3}\]|\((?:page|p\.?)\s*\d{1,4}\))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """One sentence-like piece of a passage and what kind of line it is."""

    start: int
    end: int
    text: str
    item: bool  # a bullet or numbered list item
    label: bool  # a "Label: value" line
    lead_in: bool  # ends with a colon: introduces what follows
    fragment: bool  # a heading or a cut-off piece: no closing punctuation, few words
    words: int  # counted once: windows are measured many times


@dataclass(frozen=True)
class Window:
    """Consecutive units `first..last` of one passage."""

    passage: Passage
    units: tuple[Unit, ...]
    first: int
    kind: str  # "single", "pair", "list" or "clause"; "run": windows joined once chosen

    @property
    def start(self) -> int:
        return self.units[0].start

    @property
    def end(self) -> int:
        return self.units[-1].end

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def words(self) -> int:
        return sum(u.words for u in self.units)

    @property
    def last(self) -> int:
        return self.first + len(self.units) - 1


def _unit(text: str, start: int, end: int) -> Unit:
    piece = text[start:end]
    words = len(piece.split())
    label = bool(_LABEL.match(piece))
    lead_in = bool(_LEAD_END.search(piece.rstrip()))
    return Unit(
        start=start,
        end=end,
        text=piece,
        item=bool(_BULLET.match(piece)),
        label=label,
        lead_in=lead_in,
        fragment=not (label or lead_in) and not _FINAL.search(piece.rstrip()) and words < 8,
        words=words,
    )


@lru_cache(maxsize=20_000)
def units_of(text: str) -> tuple[Unit | None, ...]:
    """The passage's units in order; None where a unit may never be quoted (a question, a
    link line, an instruction aimed at the reader or an assistant)."""
    out: list[Unit | None] = []
    for start, end in sentence_spans(text):
        reply = _REPLY.match(text, start, end)
        if reply and reply.end() < end:  # "No. The Council is chaired by ..." of an FAQ
            start = reply.end()
        piece = text[start:end]
        if piece.rstrip().endswith("?") or _LINK.search(piece) or looks_like_injection(piece):
            out.append(None)
        else:
            out.append(_unit(text, start, end))
    return tuple(out)


def _heading(unit: Unit) -> bool:
    """A heading or cut-off piece (not a list item or "Label: value" line)."""
    return unit.fragment and not (unit.label or unit.item)


def clauses(text: str, unit: Unit, most: int) -> list[Unit]:
    """The longest runs of whole clauses of a unit (not a "Label: value" line) longer than
    twice `most` words that have at most `most` words (and at least `MIN_CLAUSE_WORDS`),
    one for each clause they start at."""
    if not most or unit.words <= 2 * most or unit.label:
        return []
    cuts = [unit.start, *(unit.start + m.end() for m in _CLAUSE_END.finditer(unit.text)),
            unit.end]
    sizes = [len(text[a:b].split()) for a, b in itertools.pairwise(cuts)]  # words per clause
    found: list[Unit] = []
    last_end = -1
    for a in range(len(sizes)):
        words, b = 0, a
        while b < len(sizes) and words + sizes[b] <= most:
            words += sizes[b]
            b += 1
        if b == a or cuts[b] <= last_end or words < MIN_CLAUSE_WORDS:
            continue  # no clause fits, or this run lies inside the one before
        piece = text[cuts[a]:cuts[b]]
        start = cuts[a] + len(piece) - len(piece.lstrip(_CLAUSE_TRIM))
        end = cuts[a] + len(piece.rstrip(_CLAUSE_TRIM))
        found.append(_unit(text, start, end))
        last_end = cuts[b]
    return found


def windows(
    passage: Passage, max_list_words: int, max_list_items: int, clause_words: int = 0
) -> list[Window]:
    """Every candidate window of a passage (see the module docstring)."""
    units = units_of(passage.text)
    found: list[Window] = []
    for i, unit in enumerate(units):
        if unit is None:
            continue
        nxt = units[i + 1] if i + 1 < len(units) else None
        heads = heads_items(units, i)
        if _heading(unit) and not heads:
            continue  # a heading answers nothing alone, and starts no other window
        if not _heading(unit):
            found.append(Window(passage, (unit,), i, "single"))
            found += [Window(passage, (c,), i, "clause")
                      for c in clauses(passage.text, unit, clause_words)]
            if nxt is not None and not _heading(nxt) and not (unit.lead_in and nxt.item):
                found.append(Window(passage, (unit, nxt), i, "pair"))
        if unit.lead_in or heads:
            items: list[Unit] = [unit]
            words = unit.words
            for later in units[i + 1 : i + 1 + max_list_items]:
                if later is None or words + later.words > max_list_words or (
                    not unit.lead_in and not _same_marker(later, nxt)
                ):
                    break
                items.append(later)
                words += later.words
                # each run of the first items is a window: a short answer's budget may
                # hold the lead-in and only its first items
                found.append(Window(passage, tuple(items), i, "list"))
    return found


def _marker(unit: Unit) -> str:
    """The kind of mark a list item starts with ("-", "1.", "(a)"), as a shape ("(iii)" and
    "(b)" alike: letters, as digits, count as one)."""
    match = _BULLET.match(unit.text)
    return re.sub(r"[0-9]+", "9", re.sub(r"[a-z]+", "a", match.group().strip())) if match else ""


def _same_marker(unit: Unit | None, first: Unit | None) -> bool:
    """`unit` is a list item marked as `first` is."""
    return bool(unit and first and unit.item and _marker(unit) == _marker(first))


def heads_items(units: Sequence[Unit | None], i: int) -> bool:
    """`units[i]` introduces the list after it without a colon (two items or more, marked
    alike): a heading, a sentence or a line marked otherwise than they are ("6. Priorities
    for 2024" before "- ..." items)."""
    unit = units[i]
    nxt, after = (*units[i + 1 : i + 3], None, None)[:2]
    return (unit is not None and not unit.lead_in and _same_marker(nxt, after)
            and nxt is not None and (not unit.item or _marker(unit) != _marker(nxt)))
