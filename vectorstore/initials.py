"""Capitalised names in text, by their initials: what an acronym may stand for.

Officials type the initials of bodies the documents spell out ("WG" for the Welsh
Government, a committee by its initials). An acronym no document uses matches nothing in
the search, and no fixed table knows every committee, so the lexical index keeps, for every
run of capitalised words in the stored text, its initials and how many chunks name it
(`vectorstore.postings`), and a question's unknown acronym is read as the name it most
often stands for (`assistant.abbreviations.spell_out`).

A name is a run of two to `MAX_WORDS` capitalised words, joined by spaces, commas or the
small words of names ("Council of the Nations and Regions", "Constitution, Europe, External
Affairs and Culture Committee"), never across a line. Its initials are the first letter of
each capitalised word, every letter of a word in capitals ("UK Government": UKG), and the
first letter of each capitalised part of a hyphenated word ("British-Irish Council": BIC).
Every shorter run inside a run that starts and ends with a capitalised word is a name too
("The Welsh Government" names "Welsh Government"), so the cost per run is bounded by
`MAX_WORDS` squared and a text costs time linear in its length.
"""

from __future__ import annotations

import re

MAX_WORDS = 8
"""Most capitalised words in one name (and letters in its initials)."""
MAX_RUN = 16
"""Longer runs of capitalised words (a title in capitals) are read in pieces of this many."""
_CAP = r"(?<![\w'’-])[A-Z][\w'’-]*"
_JOINER = r"(?:of|the|and|for|on|in|to|&)"
# Two or more capitalised words, joined by spaces, commas and joiners, on one line: found
# by one regular expression, so the text between names costs no Python.
_RUN = re.compile(rf"{_CAP}(?:,?[ \t]+(?:{_JOINER}[ \t]+)*{_CAP})+")
_WORD = re.compile(r"[\w'’&-]+")
_CAPS_WORD = re.compile(r"[A-Z]{2,5}")
_POSSESSIVE = re.compile(r"['’]s?$")


def word_initials(word: str) -> str | None:
    """The initials a capitalised word gives ("Welsh": W, "UK": UK, "British-Irish": BI,
    "Council's": C), None when it is not one."""
    word = _POSSESSIVE.sub("", word)
    if not word[:1].isupper():
        return None
    if _CAPS_WORD.fullmatch(word):
        return word
    parts = [p for p in word.split("-") if p]
    if len(parts) > 1 and all(p[:1].isupper() for p in parts):
        return "".join(p[0] for p in parts)
    return word[0]


Word = tuple[re.Match[str], str | None]  # a word and its initials (None: a joiner)


def _runs(text: str) -> list[list[Word]]:
    """Runs of words in `text`: capitalised words joined by spaces, commas and joiners, in
    pieces of at most `MAX_RUN` capitalised words; each starts and ends with one."""
    runs: list[list[Word]] = []
    for found in _RUN.finditer(text):
        run: list[Word] = []
        caps = 0
        for m in _WORD.finditer(text, found.start(), found.end()):
            letters = word_initials(m.group(0))
            if letters and caps == MAX_RUN:
                runs.append(run)
                run, caps = [], 0
            if letters or run:
                run.append((m, letters))
                caps += bool(letters)
        runs.append(run)
    return runs


def names(text: str) -> set[tuple[str, str]]:
    """(initials, name) of every name in `text` (see the module docstring)."""
    found: set[tuple[str, str]] = set()
    for run in _runs(text):
        caps = [i for i, (_, x) in enumerate(run) if x]
        for a, start in enumerate(caps):
            for stop in caps[a + 1 : a + MAX_WORDS]:
                words = run[start : stop + 1]
                letters = "".join(x for _, x in words if x)
                if len(letters) <= MAX_WORDS:
                    name = text[words[0][0].start() : words[-1][0].end()]
                    found.add((letters.upper(), _POSSESSIVE.sub("", name)))
    return found
