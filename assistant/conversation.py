"""Making a follow-up question standalone, without an LLM.

"And when did it meet in December 2024?" is unanswerable alone. When a question leans on the
conversation (a pronoun, "that meeting", or an elliptical "and for Wales?"), its subject is
taken from the previous turn and written into it:

- the subject is the previous user question's main named thing (the longest name of a body,
  meeting, document or place; typed in lower case, its longest specific noun phrase, "the
  smith commission"; else an acronym, "IMSC"), else its answer's; for "he" or "she", the
  person the previous answer names (else the question); the previous question is read as
  it was itself rewritten, so a follow-up to a follow-up keeps the conversation's subject;
- the pronoun is replaced by the subject ("its" by "the subject's"), "that meeting" by "the
  subject meeting"; a pronoun pointing at a name in its own question ("its own", "the CNR's
  first one - where was it?") is left alone;
- a demonstrative with a noun ("that panel", "those summits") becomes the last turn's noun
  phrase headed by the same noun, with what names it ("the first meeting of the group for
  health"), when there is one;
- an elliptical follow-up with no verb ("and for Northern Ireland?") is the previous question
  with its place, date or name of the same kind swapped for the new one;
- otherwise the subject is added in brackets; so it is to a question in a conversation that
  names nothing of its own ("who normally chairs the summits?");
- a rewritten follow-up that names no date of its own keeps the previous question's dates,
  in brackets: "who chaired it?" after "where did the ports forum meet in March 2025?" is
  "who chaired the ports forum? (March 2025)".
"""

from __future__ import annotations

import re

from assistant.models import ChatMessage
from assistant.nlp import MONTH, parse, titled_names
from assistant.question import NATIONS, elliptical_swap, is_nation_word, profile_question
from assistant.refusal import NOT_FOUND, OFF_TOPIC
from assistant.window_features import match_terms

_PRONOUN = re.compile(
    r"\b(it|its|they|them|their|he|him|his|she|her|"
    r"(?:this|that) (?:meeting|report|committee|council|group|body|deal|forum|review|"
    r"agreement|framework|one|paper|plenary|summit))\b",
    re.IGNORECASE,
)
# Words that point back without naming: "when was that published?", "who else was there?".
_POINTING = re.compile(
    r"\b(?:this|that|these|those|there|then)\s*[?.!]*\s*$"
    r"|\b(?:this|that|these|those)\s+(?:was|were|did|does|do|happen\w*|mean\w*)\b"
    r"|\b(?:was|were|is|are|did|does|do)\s+(?:this|that|these|those)\b(?!\s+\w+s\b)",
    re.IGNORECASE,
)
_PERSONAL = {"he", "him", "his", "she", "her"}
_PLURAL = {"they": True, "them": True, "their": True, "it": False, "its": False}
"""Whether a pronoun stands for several things (for the number agreement of `subject_of`)."""
_DEMONSTRATIVES = {"this", "that", "these", "those"}
_NAMING_PREPS = {"of", "for", "on", "in", "at"}  # "the meeting of/for/on/in/at ..." says which
_POSSESSIVE = {"its", "their", "his", "her"}
_LEADING = re.compile(r"^\s*(and|but|so|also|then|what about|how about|what else)\b", re.I)
# Words a named thing does not start with: articles, and the auxiliaries spaCy sometimes
# takes into a name at the start of a question ("Has the UK government ...").
_LEADING_WORDS = re.compile(
    r"^(?:(?:the|a|an|has|have|had|is|are|was|were|does|did|do|can|could|will|would)\s+)+",
    re.IGNORECASE,
)
_POSSESSED = re.compile(r"\w['’]s\b")  # "scotland's borrowing limit"
_POSSESSIVE_END = re.compile(r"['’]s?$")  # "British-Irish Council's" as a rewrite left it
_SKIP_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY", "NORP",
                "LANGUAGE"}
_MAX_CHARS = 400
_MAX_ANSWER_CHARS = 2000  # what of the last answer is searched with: bounded cost
_MARKER = re.compile(r"\[\d+\]")
_MONTH_WORD = re.compile(MONTH + r"\.?", re.IGNORECASE)
# Nouns too general to be what a follow-up points back to on their own.
_GENERIC_NOUNS = frozenset(
    """thing things way ways time times year years people person members member one ones
    part parts kind sort lot phrase""".split()
)


def _last(history: list[ChatMessage], role: str) -> str:
    """What `role` said last in the conversation ("" if nothing)."""
    return next((m.content for m in reversed(history) if m.role == role), "")


def is_follow_up(question: str) -> bool:
    """Whether the question leans on earlier turns."""
    return bool(_LEADING.search(question)) or refers_back(question)


def refers_back(text: str) -> bool:
    """Whether `text` points back to something named before it ("it", "that meeting",
    "when was that?")."""
    return bool(_PRONOUN.search(text) or _POINTING.search(text))


def _named(text: str, person: bool) -> list[str]:
    """People (`person`) or other named things (bodies, meetings, documents, places) in
    `text`, longest first: named entities, names of bodies as the question profile finds
    them ("Council of the Nations and Regions"), without a possessive ending."""
    doc = parse(text)
    if person:  # "Lord Tregaron": the small model tags titles as nothing or a body
        people = {e.text for e in doc.ents if e.label_ == "PERSON"}
        people |= {text[start:end] for start, end in titled_names(doc)}
        return sorted(people, key=len, reverse=True)
    names = [e.text for e in doc.ents if e.label_ not in _SKIP_LABELS | {"PERSON"}]
    names += [_widen(text, phrase) for phrase in profile_question(text).phrases]
    cleaned = [_POSSESSIVE_END.sub("", _LEADING_WORDS.sub("", n)).strip(" ,.?") for n in names]
    return sorted(dict.fromkeys(n for n in cleaned if len(n) > 2), key=len, reverse=True)


def _widen(text: str, phrase: str) -> str:
    """`phrase` with the capitalised words just before it in `text` ("UK" + "Internal
    Market Act")."""
    at = text.find(phrase)
    if at < 0:
        return phrase
    before = re.search(r"(?:\b[A-Z][\w'’-]*\s+(?:(?:of|the|and|for)\s+)*)+$", text[:at])
    return (before.group(0) if before else "") + phrase


def subject_of(
    history: list[ChatMessage], person: bool = False, question: str = "",
    plural: bool | None = None,
) -> str | None:
    """What a pronoun in the next question refers to: what the previous question asked
    about when it agrees with the pronoun in number (`plural`: "they" after "how many LCMs
    ...?", "it" after "what is Scotland's borrowing limit?"; see `_asked_thing`), else the
    previous question's main named thing, else its answer's (a person for "he"/"she": the
    answer's first, if it has one); not a thing the next `question` names itself ("it says
    IGR went through phases": "it" is not IGR)."""
    last_user = _last(history, "user")
    last_answer = _last(history, "assistant")
    turns = (last_answer, last_user) if person else (last_user, last_answer)
    asked = question.lower()
    if not person and plural is not None and last_user:
        thing = _asked_thing(last_user)
        if thing and thing[1] == plural and thing[0].lower() not in asked:
            return thing[0]
    for turn in turns:
        named = [n for n in (_named(turn, person) if turn else []) if n.lower() not in asked]
        if not named and not person and turn is last_user:
            named = _things(turn)  # "when was the smith commission set up?", lower case
            # an acronym spaCy tags as nothing and parses as no noun ("does IMSC meet?")
            named = named or [n for n in profile_question(turn).names if n.isupper()]
            named = [n for n in named if n.lower() not in asked]
        if named:
            return named[0]
    return None


_PLURAL_TAGS = {"NNS", "NNPS"}
_HOW_MANY = {"many", "much"}
_BE = {"is", "was", "are", "were", "'s", "s", "’s"}


def _asked_thing(question: str) -> tuple[str, bool] | None:
    """The noun phrase a question asks about, and whether it is plural: the one a question
    word picks out ("how many LCMs", "which committees": "LCMs"), or the subject of
    "what is ...?" ("what's Scotland's borrowing limit?"), with what names it ("the terms
    of reference"); None when the question asks about no noun phrase."""
    doc = parse(question)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    for chunk in doc.noun_chunks:
        head = chunk.root
        if head.pos_ not in ("NOUN", "PROPN") or head.lower_ in _GENERIC_NOUNS:
            continue
        picked = any(t.tag_ in ("WDT", "WP") or (t.lower_ in _HOW_MANY and _asks(t))
                     for t in chunk if t.i < head.i)  # "which X", "how many X", not "how often"
        subject = (root is not None and root.lower_ in _BE and head.head == root
                   and head.dep_ in ("nsubj", "attr") and any(
                       c.tag_ in ("WP", "WRB") for c in root.children))
        if not (picked or subject):
            continue
        words = [t for t in chunk if t.pos_ != "DET" and not _asks(t)]
        if not words:
            continue
        last = max([chunk[-1], *(t.right_edge for t in head.rights if t.dep_ == "prep"
                                  and t.lower_ in _NAMING_PREPS and t.right_edge != t)],
                   key=lambda t: t.i)  # "the terms of reference", not "the F:ISC for"
        phrase = question[words[0].idx : last.idx + len(last.text)]
        return phrase, head.tag_ in _PLURAL_TAGS
    return None


def _names_own_subject(question: str) -> bool:
    """Whether a question names what it is about: a proper noun ("What is the Sewel
    convention?"), not only common nouns ("how often are meetings held?") nor only a nation
    ("which NI ministers went?" asks about who went to what the conversation is about)."""
    spans = [m.span() for pattern in NATIONS.values() for m in re.finditer(pattern, question)]

    def national(start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in spans)

    if any(t.pos_ == "PROPN" and not national(t.idx, t.idx + len(t.text))
           for t in parse(question)):
        return True
    return any(not is_nation_word(name) for name in _named(question, False))


def _things(text: str) -> list[str]:
    """The noun phrases of a question that name what it is about, longest first: the named
    things `_named` misses when a question is typed in lower case ("the smith commission",
    "the third IMSC"); not wh-words, pronouns, months (spaCy takes "the december" for a
    noun phrase), or a phrase of common words alone."""
    found = []
    for chunk in parse(text).noun_chunks:
        words = [t for t in chunk if t.pos_ not in ("DET", "PRON") and not _asks(t)
                 and not _MONTH_WORD.fullmatch(t.text)]  # "the december": a time, no thing
        if not words or not any(t.pos_ in ("NOUN", "PROPN") for t in words):
            continue
        phrase = text[words[0].idx : words[-1].idx + len(words[-1].text)]
        if any(t.pos_ == "PROPN" or t.lower_ not in _GENERIC_NOUNS for t in words):
            found.append(phrase)
    return sorted(dict.fromkeys(found), key=len, reverse=True)


def _asks(token) -> bool:
    """A question word, or the word "how" asks with ("how many LCMs" names "LCMs")."""
    return token.tag_ in ("WDT", "WP", "WP$", "WRB") or (
        token.i > 0 and token.nbor(-1).lower_ == "how"
    )


def _points_inside(text: str, match: re.Match) -> bool:
    """Whether the pronoun at `match` refers to a name earlier in `text` itself: "its own"
    or "their own", or a pronoun subject after a named thing ("the CNR's first one - where
    was it?")."""
    doc = parse(text)
    token = next((t for t in doc if t.idx == match.start()), None)
    if token is None:
        return False
    if token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "own":
        return True
    return token.dep_ in ("nsubj", "nsubjpass") and any(
        e.end <= token.i and e.label_ not in _SKIP_LABELS for e in doc.ents
    )


def _resolve_demonstrative(question: str, history: list[ChatMessage]) -> str | None:
    """"that panel" -> "the <the earlier turn's noun phrase headed by "panel">": the last
    question's, else the last answer's ("ceeac's IGR transparency panel"); None when the
    question points with no demonstrative, or no earlier phrase has its noun and says more."""
    doc = parse(question)
    det = next((t for t in doc if t.lower_ in _DEMONSTRATIVES and t.dep_ == "det"
                and t.head.pos_ == "NOUN" and t.i < t.head.i), None)
    if det is None:
        return None
    noun = det.head
    stems = match_terms(noun.text)
    turns = [_last(history, role) for role in ("user", "assistant")]
    for turn in filter(None, turns):
        for chunk in parse(turn).noun_chunks:
            words = [t for t in chunk if t.pos_ not in ("DET", "PRON")]
            if not (words and match_terms(chunk.root.text) & stems):
                continue
            last = max([chunk[-1], *(t.right_edge for t in chunk.root.rights
                                      if t.dep_ == "prep" and t.lower_ in _NAMING_PREPS)],
                       key=lambda t: t.i)  # "the first meeting of the group for health"
            if last.i > words[0].i:
                phrase = turn[words[0].idx : last.idx + len(last.text)]
                end = noun.idx + len(noun.text)
                return f"{question[: det.idx]}the {phrase}{question[end:]}"[:_MAX_CHARS]
    return None


# "one" standing for a noun: "the welsh one", "a yearly one", "the next one" (not "one
# minister", nor "that one", which `_PRONOUN` reads).
_ONE = re.compile(
    r"\b(?:the|a|an|each|every|which|any|another)\s+(?:[\w'’-]+\s+)?(ones?)\b(?!\s+of\b)",
    re.IGNORECASE,
)


def _plural_noun(text: str) -> tuple[str, str] | None:
    """The first run of nouns in `text` ending in a plural that is not a generic noun, and
    its singular ("quarterly harbour reports" -> "harbour reports", "harbour report")."""
    doc = parse(text)
    run: list = []
    for tok in [*doc, None]:
        joined = tok is not None and tok.text == "-" and run and not (
            run[-1].whitespace_ or tok.whitespace_)  # "sub-committees", split in three
        if tok is not None and (tok.pos_ in ("NOUN", "PROPN") or joined):
            run.append(tok)
            continue
        last = run[-1] if run else None
        if (last is not None and last.tag_ in _PLURAL_TAGS and last.lower_.endswith("s")
                and last.lower_ not in _GENERIC_NOUNS):
            plural = text[run[0].idx : last.idx + len(last.text)]
            ending = 3 if plural.endswith("ies") else 1
            return plural, plural[:-ending] + ("y" if ending == 3 else "")
        run = []
    return None


def _resolve_one(question: str, history: list[ChatMessage]) -> str | None:
    """"the welsh one" -> "the welsh <noun>": the plural things named before it in the
    question itself ("it went through phases - what was the second one like?"), else in
    the last question ("which harbour boards met?" -> "harbour board"); None when "one"
    stands for no noun here (a number), or nothing plural was named."""
    match = _ONE.search(question)
    if match is None:
        return None
    one = next((t for t in parse(question) if t.idx == match.start(1)), None)
    if one is None or one.dep_ == "nummod" and one.head.i > one.i and one.head.dep_ != "ROOT":
        return None  # "a meeting with one minister": a number ("does the welsh one sit?": the
        # parser takes the verb for a noun, but as the root)
    previous = _last(history, "user")
    found = _plural_noun(question[: match.start()]) or _plural_noun(previous)
    if found is None:
        return None
    noun = found[0] if match.group(1).lower() == "ones" else found[1]
    return (question[: match.start(1)] + noun + question[match.end(1) :])[:_MAX_CHARS]


_RESOLVE_TURNS = 3
"""How many earlier follow-ups in a row are read as rewritten (each costs a parse or two)."""


def standalone_question(question: str, history: list[ChatMessage]) -> str:
    """The question with the conversation's subject written in, and its time when the
    question names none (see the module docstring). The last question asked is read as it
    was rewritten itself: after "what is the IMSC?" and "how often does it meet?", "who
    chaired its first meeting?" is about the IMSC, not about whatever the last answer
    named."""
    return _standalone(question, history, _RESOLVE_TURNS)


def _standalone(question: str, history: list[ChatMessage], turns: int) -> str:
    """`standalone_question`, reading up to `turns` earlier questions as rewritten."""
    if not history:
        return question
    if turns > 0:
        history = _as_rewritten(history, turns)
    standalone = _with_subject(question, history)
    if standalone == question:
        return standalone
    previous = _last(history, "user")
    return with_dates_of(standalone, previous)


def _as_rewritten(history: list[ChatMessage], turns: int) -> list[ChatMessage]:
    """`history` with its last user question replaced by its standalone form (itself read
    with `turns` - 1 questions before it rewritten: the work is bounded by `turns`, not by
    the length of the conversation), when it leaned on the turns before it."""
    last = next((i for i in range(len(history) - 1, -1, -1) if history[i].role == "user"), None)
    if not last:  # none, or the first message
        return history
    earlier = history[:last]
    if not any(m.role == "user" for m in earlier):
        return history
    asked = history[last].content
    rewritten = _standalone(asked, earlier, turns - 1)
    if rewritten == asked:
        return history
    return [*earlier, history[last].model_copy(update={"content": rewritten}),
            *history[last + 1 :]]


def _dates(text: str) -> list[str]:
    return [e.text for e in parse(text).ents if e.label_ == "DATE"]


def with_dates_of(text: str, earlier: str) -> str:
    """`text` with the dates `earlier` names added in brackets, when it names none of its
    own: a follow-up, or a later part of a question, that names no date is about the same
    time as what it follows."""
    if _dates(text):
        return text
    times = _dates(earlier)
    return f"{text} ({', '.join(times)})"[:_MAX_CHARS] if times else text


def _with_subject(question: str, history: list[ChatMessage]) -> str:
    """The question with what it leans on from the conversation written in."""
    resolved = _resolve_demonstrative(question, history) or _resolve_one(question, history)
    if resolved:
        return resolved
    if not is_follow_up(question):  # "who normally chairs the summits?" still leans on it
        if _names_own_subject(question):
            return question
        subject = subject_of(history)
        return f"{question} ({subject})"[:_MAX_CHARS] if subject else question
    previous = _last(history, "user")
    swapped = elliptical_swap(question, previous) if previous else None
    if swapped:
        return swapped[:_MAX_CHARS]
    body = _LEADING.sub("", question).strip() or question
    match = next((m for m in _PRONOUN.finditer(body) if not _points_inside(body, m)), None)
    if match is None and _PRONOUN.search(body) and _names_own_subject(body):
        return question  # "the CNR's first one - where was it?": it is named here
    word = match.group(1).lower() if match else ""
    person = word in _PERSONAL
    subject = subject_of(history, person, body, _PLURAL.get(word))
    if not subject:
        return f"{question} ({previous})"[:_MAX_CHARS] if previous else question
    if not match:
        return f"{question} ({subject})"[:_MAX_CHARS]
    filled = f"{subject}'s" if word in _POSSESSIVE else subject
    if " " in word:  # "that meeting" -> "the <subject> meeting": the noun says which one
        noun = word.split()[-1]
        filled = f"the {subject}" + ("" if subject.lower().endswith(noun) else f" {noun}")
    elif not person and not subject[:1].isupper() and not _POSSESSED.search(subject):
        filled = f"the {filled}"  # not "the scotland's borrowing limit"
    return (body[: match.start()] + filled + body[match.end() :])[:_MAX_CHARS]


def previous_answer(history: list[ChatMessage]) -> str:
    """The last answer of the conversation, without its citation markers and cut to a
    bounded length (what a follow-up is most often about); empty when it was a refusal,
    which names documents that did not answer."""
    said = _last(history, "assistant")
    if said.startswith(NOT_FOUND) or said.startswith(OFF_TOPIC):
        return ""
    return _MARKER.sub(" ", said)[:_MAX_ANSWER_CHARS]


def retrieval_query(standalone: str, history: list[ChatMessage]) -> str:
    """What to search with: the standalone question, and for a follow-up the previous
    question too (its words find the same documents), as rewritten itself when it leaned
    on the turns before it ("what was the deep dive on?" after a question on a group)."""
    history = _as_rewritten(history, _RESOLVE_TURNS - 1) if history else history
    previous = _last(history, "user")
    if not previous or previous in standalone:
        return standalone
    return f"{standalone} ({previous})"[:_MAX_CHARS]
