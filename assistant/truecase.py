"""Capitals restored to a question typed in lower case, from how its passages write it.

The question's checkable specifics are read by their capitals: "the Mayoral Council" is a
body's name the answer's passage must have, "Silk" a name some passage must have. Typed as
"what did the mayoral council agree?", they are ordinary words, nothing is checked, and a
passage about another council answers. Retrieval does not see case (the lexical index and
the embedding model fold it), so the passages found for the lower-case question are the
same; how they write its words gives the capitals back: a pair of words as the passages
write the pair ("Mayoral Council" in the middle of sentences, never "mayoral council"), a
word that is no English word as they write it ("holyrood", "ukima"). An English word
alone is left as typed: the passages write "Mark" for a person and "Body" in a board's
name where the user meant "mark" and "body".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from assistant.models import Passage
from assistant.nlp import is_english_word
from vectorstore.tokenize import STOPWORDS

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_OPENS = frozenset(".?!:;\n\"“‘(•-–")  # a word after these may be capitalised as a sentence opens
MIN_CASED = 2
"""A word is written as the passages write it when they do so this often, mid-sentence..."""
CASED_RATIO = 2.0
"""...and this many times as often as in lower case."""


def _forms(passages: list[Passage], wanted: set[str]
           ) -> tuple[dict[str, Counter[str]], dict[str, Counter[str]]]:
    """How the passages (and their titles) write each of the `wanted` words (lower case),
    and each pair of them next to each other, keyed in lower case; a word opening a
    sentence is not counted. Other words are only stepped over."""
    words: dict[str, Counter[str]] = defaultdict(Counter)
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for p in passages:
        for text in (p.title, p.text):
            last: re.Match[str] | None = None
            for m in _WORD.finditer(text):
                if m.group(0).lower() not in wanted:
                    last = None
                    continue
                at = m.start() - 1
                while at >= 0 and text[at] in " \t":
                    at -= 1
                opening = at < 0 or text[at] in _OPENS
                if last is not None and at == last.end() - 1:  # only blanks between
                    pair = f"{last.group(0)} {m.group(0)}"
                    pairs[pair.lower()][pair] += 1
                if not opening:  # an opening word's capital says nothing
                    words[m.group(0).lower()][m.group(0)] += 1
                last = m if not opening else None
    return words, pairs


def _written(seen: Counter[str] | None, typed: str) -> str | None:
    """The form the passages write `typed` in, when they write it so often enough."""
    if not seen:
        return None
    best, count = max(((f, n) for f, n in seen.items() if f != typed),
                      key=lambda fn: fn[1], default=(typed, 0))
    return best if count >= MIN_CASED and count >= CASED_RATIO * seen.get(typed, 0) else None


def truecase(questions: list[str], passages: list[Passage]) -> list[str]:
    """Each of `questions` with each word typed in lower case written as the passages write
    it (see the module docstring; the passages are read once for all of them). The same
    length; a question with capitals of its own past its first word is left as typed."""
    lower = [not any(c.isupper() for c in q[1:]) for q in questions]
    if not any(lower):
        return list(questions)  # typed with capitals: they say what the user meant
    wanted = {m.group(0) for q, low in zip(questions, lower, strict=True) if low
              for m in _WORD.finditer(q)}
    words, pairs = _forms(passages, wanted)
    return [_cased(q, words, pairs) if low else q
            for q, low in zip(questions, lower, strict=True)]


def _cased(question: str, words: dict[str, Counter[str]], pairs: dict[str, Counter[str]]
           ) -> str:
    found = list(_WORD.finditer(question))
    cased = [m.group(0) for m in found]
    for i, (a, b) in enumerate(zip(found, found[1:], strict=False)):
        if question[a.end() : b.start()].strip() or a.group(0) in STOPWORDS:
            continue
        form = _written(pairs.get(f"{a.group(0)} {b.group(0)}"), f"{a.group(0)} {b.group(0)}")
        if form and all(w[0].isupper() for w in form.split()):
            cased[i], cased[i + 1] = form.split()
    for i, m in enumerate(found):
        word = m.group(0)
        if cased[i] == word and word in words and not is_english_word(word):
            cased[i] = _written(words[word], word) or word
    out = list(question)
    for m, form in zip(found, cased, strict=True):
        out[m.start() : m.end()] = form
    return "".join(out)
