"""The glossary of the corpus: key terms, each defined by a verbatim, cited quote.

Terms are found from the documents, not from a list: the subjects of definitional
sentences ("X is a ...", "X means ...", "X refers to ..."), what is "known as" or "called"
X, acronyms spelled out ("Full Name (FN)"), and capitalised terms that recur across
documents. A term is kept when it recurs in at least `glossary_min_documents` documents
and some sentence defines it; that sentence (with its neighbour when one refers to the
other) is the quote. A trainer can add terms, pin quotes and drop terms in a YAML file
(`glossary_additions`). `assistant.training` builds it once per store generation.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.models import Citation
from assistant.nlp import HONORIFICS
from ingest.jurisdiction import JurisdictionCode, stored_codes
from ingest.sentences import sentence_spans
from ingest.settings import Settings
from vectorstore.models import StoredChunk

_CONNECT = r"(?:of|the|and|for|on|in|to|&)"
_WORD = r"[A-Za-z][\w’'&:-]*"
_CAP = r"[A-Z][\w’'&:-]*"
_FUNCTION_WORDS = frozenset(
    """a about above after again against all also although among an and another any are as
    at be because been before being below between both but by can could did do does doing
    down during each either else every few for from further had has have having he her here
    hers him his how however i if in into is it its itself just least less may me might more
    most much must my neither no nor not now of off on once one only or other our ours out
    over own same several shall she should since so some such than that the their theirs them
    then there these they this those though through thus to too under until up upon us very
    was we were what when where whether which while who whom whose why will with within without
    would yet you your current below above following further new""".split()
)
_GENERIC = frozenset(
    """government governments committee committees report reports paper council meeting
    meetings group groups minister ministers secretary state office department parliament
    house assembly executive people part parts way ways year years time issue issues
    matter matters area areas work system role process approach chair members member
    terms reference contents introduction summary background annex""".split()
)
_TERM_AT_START = (
    r"^(?:[^,]{0,50},\s+)?(?:(?:the|a|an)\s+)?(?:(?:new|recently created|so-called|term)\s+)?"
    r"[“\"‘']?"
)
_AFTER_TERM = r"[”\"’']?(?:\s+\([^)]{1,15}\))?"
_DEFINES = (
    r"(?:is|are|was|were)\s+(?:a|an|the|one|defined as|known as|the name given to|the term for)\b"
    r"|means\b|refers to\b|describes\b|is used to\b"
)
_VERBS = (
    "works brings sets provides allows gives covers exists oversees meets comprises includes "
    "consists applies governs determines calculates decides ensures enables requires operates "
    "supports deals handles sits acts serves aims establishes creates contains lays offers "
    "represents performs replaces restricts protects guarantees links coordinates co-ordinates "
    "underpins describes defines explains"
).split()
_DESCRIBES = (
    r"(?:is|are)\s+(?:designed|intended|responsible|used|meant|made up|composed|chaired|"
    r"convened|based|set out|set up|established)\b"
    r"|(?:was|were)\s+(?:established|set up|created|introduced|founded|launched|agreed)\b"
    rf"|(?:{'|'.join(_VERBS)})\b"
)
_SUBJECT = re.compile(
    _TERM_AT_START + rf"(?P<term>{_WORD}(?:\s+(?:{_CONNECT}\s+){{0,2}}{_WORD}){{0,6}}?)"
    + _AFTER_TERM + rf",?\s+(?:{_DEFINES})"
)
_KNOWN_AS = re.compile(
    rf"\b(?:known|referred to|described)\s+as\s+(?:the\s+)?[“\"‘']?(?P<term>{_CAP}"
    rf"(?:\s+(?:{_CONNECT}\s+){{0,2}}{_WORD}){{0,6}})"
    rf"|\b(?:called|termed|named)\s+(?:the\s+)?[“\"‘'](?P<quoted>[^”\"’']{{3,60}})[”\"’']"
    rf"|\b(?:called|termed)\s+(?:the\s+)?(?P<called>{_CAP}(?:\s+(?:{_CONNECT}\s+){{0,2}}"
    rf"{_CAP}){{1,6}})"
)
_ACRONYM = re.compile(
    rf"(?P<full>{_CAP}(?:\s+(?:{_CONNECT}\s+){{0,2}}{_CAP}){{1,7}})\s+"
    r"\((?P<acr>[A-Z][A-Za-z:&]{1,7})\)"
)
_CAPITALISED = re.compile(
    rf"(?<![\w’'-])(?:{_CAP})(?:\s+(?:{_CONNECT}\s+){{0,2}}{_CAP}){{1,6}}"
    rf"|(?<![\w’'-])[A-Z][a-z]+\s+(?:convention|formula|review|principle|agreement|"
    r"commission|framework|deal)s?\b"
)
_TOKEN = re.compile(r"\w[\w&:-]*(?:['’]\w+)*")
_ANAPHORA = re.compile(r"(?:This|These|That|Such|It|They)\b")
_DEMONSTRATIVE = re.compile(r"\b(?:this|these|those)\s+\w", re.I)


class GlossaryError(ValueError):
    """The trainer's additions file is unreadable or invalid (one-line message)."""


class GlossaryEntry(BaseModel):
    """One term with its verbatim, cited definition and where it applies."""

    term: str = Field(description="The term as the documents write it.")
    aliases: list[str] = Field(default_factory=list, description="Other names for it "
                               "(an acronym, a longer form).")
    definition: str = Field(description="one or two sentences quoted verbatim from a chunk")
    citation: Citation = Field(description="Where the definition is quoted from.")
    jurisdictions: list[JurisdictionCode] = Field(
        default_factory=list, description="Where the definition applies."
    )
    documents: int = Field(0, description="documents that use the term")
    origin: Literal["corpus", "trainer"] = Field(
        "corpus", description="corpus: found in the documents; trainer: added by a trainer."
    )


class Glossary(BaseModel):
    """Every entry, sorted by term, and the key it was built under."""

    key: str = Field(description="What it was built from (store generation and settings).")
    built_at: str = Field(description="When it was built (UTC, ISO 8601).")
    entries: list[GlossaryEntry] = Field(description="Every entry, sorted by term.")

    def lookup(self, term: str) -> list[GlossaryEntry]:
        """Entries for `term`: an exact term or alias (case-insensitive), else terms
        containing it, else close spellings."""
        want = " ".join(term.lower().split())
        if not want:
            return []
        exact = [
            e for e in self.entries
            if want == e.term.lower() or want in (a.lower() for a in e.aliases)
        ]
        if exact:
            return exact
        containing = [e for e in self.entries if want in e.term.lower()]
        if containing:
            return containing
        names = {e.term.lower(): e for e in self.entries}
        return [names[n] for n in difflib.get_close_matches(want, list(names), n=3, cutoff=0.8)]


class TrainerTerm(BaseModel):
    """A trainer's term: found in the corpus like any other, or with a pinned quote."""

    model_config = ConfigDict(extra="forbid")

    term: str = Field(min_length=2, max_length=120)
    aliases: list[str] = Field(default_factory=list)
    quote: str | None = Field(None, description="verbatim text of a chunk of `doc_id`")
    doc_id: str | None = None


class TrainerAdditions(BaseModel):
    """The additions file: terms to add, and corpus terms to leave out."""

    model_config = ConfigDict(extra="forbid")

    terms: list[TrainerTerm] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)


def load_additions(path: Path | None) -> tuple[TrainerAdditions, str]:
    """The trainer's additions and a hash of the file ("" when there is none)."""
    if path is None:
        return TrainerAdditions(), ""
    path = Path(path)
    if not path.is_file():
        raise GlossaryError(f"glossary additions file not found: {path}")
    import yaml

    try:
        raw = path.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8")) or {}
        additions = TrainerAdditions.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GlossaryError(f"cannot read glossary additions {path}: {first}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise GlossaryError(f"glossary additions {path}: {where}: {err['msg']}") from None
    for extra in additions.terms:
        if (extra.quote is None) != (extra.doc_id is None):
            raise GlossaryError(
                f"glossary additions {path}: term {extra.term!r}: give quote and doc_id together"
            )
    return additions, hashlib.sha256(raw).hexdigest()


# --- building --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sentence:
    chunk: StoredChunk
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.chunk.text[self.start : self.end]


def _clean_term(raw: str) -> str | None:
    """A candidate term trimmed of quotes and function words at its ends; None if unusable."""
    words = raw.strip(" “”\"‘’'.,;:").split()
    while words and words[-1].lower().strip("’'") in _FUNCTION_WORDS:
        words.pop()
    while words and words[0].lower() in _FUNCTION_WORDS:
        words.pop(0)
    if not words or len(words) > 7:
        return None
    term = " ".join(words).strip(" “”\"‘’'.,;:")
    if words[0].lower().rstrip(".") in HONORIFICS or term[:1].isdigit():
        return None
    if not 3 <= len(term) <= 80:
        return None
    if len(words) == 1 and (term.islower() or term.lower() in _GENERIC):
        return None
    if all(w.lower() in _GENERIC | _FUNCTION_WORDS for w in words):
        return None
    if term[0].islower() and (len(words) > 4 or any(w in _FUNCTION_WORDS for w in words)):
        return None  # a lower-case term is a short noun phrase ("legislative consent motion")
    if any(w.islower() and w not in _FUNCTION_WORDS for w in words) and any(
        w in ("and", "the", "&") for w in words
    ):
        return None  # "UK Government and the devolved ...": two things, not one term
    return term


def abbreviates(acronym: str, full: str) -> bool:
    """Whether `acronym` abbreviates `full`: it starts with full's first initial and its
    capitals occur in order in `full` ("IMSC" for "Interministerial Standing Committee",
    "MOU" for "Memorandum of Understanding", "IfG" for "Institute for Government")."""
    capitals = [c.lower() for c in acronym if c.isupper()]
    words = full.split()
    if len(capitals) < 2 or not words or capitals[0] != words[0][0].lower():
        return False
    letters = iter(full.lower())
    return all(c in letters for c in capitals)


def _sentences(chunks: list[StoredChunk]) -> list[_Sentence]:
    """Every sentence once (overlapping chunks repeat sentences), in a stable order."""
    seen: set[tuple[str, str]] = set()
    out: list[_Sentence] = []
    for chunk in sorted(chunks, key=lambda c: (c.metadata.doc_id, c.metadata.start)):
        for s, e in sentence_spans(chunk.text):
            key = (chunk.metadata.doc_id, chunk.text[s:e])
            if key not in seen and e - s > 0:
                seen.add(key)
                out.append(_Sentence(chunk, s, e))
    return out


def _candidates(sentences: list[_Sentence]) -> dict[str, set[str]]:
    """term (case-folded) -> its spellings and "(ACRONYM)"s, from the term patterns."""
    found: dict[str, set[str]] = defaultdict(set)

    def add(raw: str | None, alias: str | None = None) -> None:
        term = _clean_term(raw or "")
        if term:
            found[term.lower()].add(term)
            if alias:
                found[term.lower()].add(f"({alias})")

    for sentence in sentences:
        text = sentence.text
        if m := _SUBJECT.match(text):
            add(m.group("term"))
        for m in _KNOWN_AS.finditer(text):
            add(m.group("term") or m.group("quoted") or m.group("called"))
        for m in _ACRONYM.finditer(text):
            full = re.sub(r"^(?:The|A|An)\s+", "", m.group("full"))
            if abbreviates(m.group("acr"), full):
                add(full, m.group("acr"))
        for m in _CAPITALISED.finditer(text):
            if m.start() > 0:  # a capital at the start of a sentence says nothing
                add(m.group(0))
    return found


def _document_counts(terms: list[str], chunks: list[StoredChunk]) -> dict[str, int]:
    """How many documents use each term (case-insensitive, whole words)."""
    words: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        words[term.split()[0]].append(term)
    docs: dict[str, set[str]] = defaultdict(set)
    for chunk in chunks:
        text = " ".join(chunk.text.lower().split())
        present = set(_TOKEN.findall(text))
        for first, group in words.items():
            if first not in present:
                continue
            for term in group:
                if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text):
                    docs[term].add(chunk.metadata.doc_id)
    return {t: len(docs.get(t, ())) for t in terms}


def definition_tier(term: str, sentence: str) -> int:
    """How well `sentence` defines `term`: 3 an explicit definition ("X is a ...", "X means",
    "known as X"); 2 a description with X as its subject ("X works out ...", "X was set up
    ..."); 0 otherwise."""
    if not sentence.rstrip().rstrip("”’\"')").endswith("."):
        return 0  # a heading or a list fragment, not prose
    head = rf"(?i:{_TERM_AT_START}{re.escape(term)}){_AFTER_TERM},?\s+"
    if re.search(head + rf"(?:{_DEFINES})", sentence):
        return 3
    named = (rf"\b(?:known|referred to|described)\s+as\s+(?:the\s+)?[“\"‘']?{re.escape(term)}"
             rf"(?!\w)|\b(?:called|termed|named)\s+(?:the\s+)?[“\"‘']?{re.escape(term)}(?!\w)")
    if re.search(named, sentence, re.I):
        return 3
    if re.search(head + rf"(?:{_DESCRIBES})", sentence):
        return 2
    inside = rf"(?i:\bthe\s+(?:new\s+)?{re.escape(term)}){_AFTER_TERM}"
    if re.search(inside + rf"\s+(?:{_DESCRIBES})", sentence):
        return 2
    if re.search(inside + rf",\s+(?:(?:a|an)\s+[a-z]|which\s+(?:{_DESCRIBES}))", sentence):
        return 2
    return 0


def _quote(sentence: _Sentence, short: int) -> str:
    """The defining sentence; with the one before when it refers back ("This rule ...",
    "The practice that grew from these meetings ..."), or the one after when it is short
    and the next carries on ("It ...")."""
    text = sentence.chunk.text
    spans = sentence_spans(text)
    before = [(s, e) for s, e in spans if e <= sentence.start]
    after = [(s, e) for s, e in spans if s >= sentence.end]
    if before and (_ANAPHORA.match(sentence.text) or _DEMONSTRATIVE.search(
        " ".join(sentence.text.split()[:8])
    )):
        return text[before[-1][0] : sentence.end]
    if len(sentence.text.split()) < short and after and _ANAPHORA.match(text[after[0][0]:]):
        return text[sentence.start : after[0][1]]
    return sentence.text


def _citation(chunk: StoredChunk, quote: str) -> Citation:
    m = chunk.metadata
    return Citation(
        n=1, doc_id=m.doc_id, title=m.title, source=m.source, publisher=m.publisher,
        date=m.date, page=m.page, chunk_id=m.chunk_id, quote=quote,
        jurisdictions=stored_codes(m.jurisdictions), acting=m.acting,
    )


class _Index:
    """Sentences by the words they contain, to find a term's sentences without a scan."""

    def __init__(self, sentences: list[_Sentence]) -> None:
        self.sentences = sentences
        self.by_word: dict[str, list[int]] = defaultdict(list)
        for i, s in enumerate(sentences):
            for word in set(_TOKEN.findall(s.text.lower())):
                self.by_word[word].append(i)

    def containing(self, term: str) -> list[_Sentence]:
        words = term.lower().split()
        ids = set(self.by_word.get(words[0], ()))
        for word in words[1:]:
            ids &= set(self.by_word.get(word, ()))
        lowered = term.lower()
        return [self.sentences[i] for i in sorted(ids) if lowered in self.sentences[i].text.lower()]


def _define(term: str, index: _Index, settings: Settings) -> tuple[_Sentence, str] | None:
    """The best defining sentence of `term` and its quote; None when nothing defines it.

    Best: the highest tier, then a sentence from a document whose title names the term,
    then the length nearest a plain one-sentence definition (about 25 words)."""
    best: tuple[tuple[int, int, int], _Sentence] | None = None
    for sentence in index.containing(term):
        words = len(sentence.text.split())
        if not settings.glossary_min_quote_words <= words <= settings.glossary_max_quote_words:
            continue
        if sentence.text.rstrip().endswith("?"):
            continue
        tier = definition_tier(term, sentence.text)
        if tier < 2:
            continue
        titled = int(term.lower() in sentence.chunk.metadata.title.lower())
        rank = (tier, titled, -abs(words - 25))
        if best is None or rank > best[0]:
            best = (rank, sentence)
    if best is None:
        return None
    sentence = best[1]
    return sentence, _quote(sentence, settings.glossary_min_quote_words * 2)


def _spelling(folded: str, spellings: set[str], quote: str) -> str:
    """The term as the quote writes it, else its capitalised candidate spelling."""
    m = re.search(rf"(?<!\w){re.escape(folded)}(?!\w)", quote, re.I)
    if m:
        return m.group(0)
    names = sorted((s for s in spellings if not s.startswith("(")), key=lambda s: (s.islower(), s))
    return names[0] if names else folded


def _names_a_thing(term: str, index: _Index) -> bool:
    """Whether `term` is a term: not one ordinary word written with a capital here and
    there ("Devolution"), nor a capitalised name never written with an article ("the X"):
    a person's name, not an institution or a concept. Acronyms pass."""
    words = term.split()
    if term.isupper():
        return True
    if len(words) == 1:
        lower = re.compile(rf"(?<!\w){re.escape(term.lower())}(?!\w)")
        return not any(lower.search(s.text) for s in index.containing(term))
    if any(w.islower() for w in words):
        return True
    pattern = re.compile(rf"\b(?:the|a|an)\s+{re.escape(term)}(?!\w)", re.I)
    return any(pattern.search(s.text) for s in index.containing(term))


def build_glossary(
    chunks: list[StoredChunk], settings: Settings, additions: TrainerAdditions | None = None,
    key: str = "",
) -> Glossary:
    """The glossary of these chunks (see the module docstring for how terms are found)."""
    additions = additions or TrainerAdditions()
    sentences = _sentences(chunks)
    index = _Index(sentences)
    candidates = _candidates(sentences)
    excluded = {" ".join(x.lower().split()) for x in additions.exclude}
    counts = _document_counts([t for t in candidates if t not in excluded], chunks)
    recurring = [t for t, n in counts.items() if n >= settings.glossary_min_documents]
    entries: dict[str, GlossaryEntry] = {}
    for folded in sorted(recurring, key=lambda t: (-counts[t], t)):
        spellings = candidates[folded]
        aliases = sorted(s[1:-1] for s in spellings if s.startswith("("))
        found = _define(folded, index, settings)
        if found is None or not _names_a_thing(_spelling(folded, spellings, ""), index):
            continue
        sentence, quote = found
        citation = _citation(sentence.chunk, quote)
        entries[folded] = GlossaryEntry(
            term=_spelling(folded, spellings, quote), aliases=aliases, definition=quote,
            citation=citation, jurisdictions=citation.jurisdictions, documents=counts[folded],
        )
        if len(entries) >= settings.glossary_max_terms:
            break
    entries = _merge_acronyms(entries)
    by_doc = defaultdict(list)
    for chunk in chunks:
        by_doc[chunk.metadata.doc_id].append(chunk)
    for extra in additions.terms:
        entry = _trainer_entry(extra, index, by_doc, chunks, settings)
        entries[extra.term.lower()] = entry
    ordered = sorted(entries.values(), key=lambda e: e.term.lower())
    return Glossary(key=key, built_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    entries=ordered)


def _merge_acronyms(entries: dict[str, GlossaryEntry]) -> dict[str, GlossaryEntry]:
    """Drop an entry whose term is another entry's acronym ("MOU" beside "Memorandum of
    Understanding (MOU)"): one term, one entry."""
    aliases = {a.lower() for e in entries.values() for a in e.aliases}
    return {k: e for k, e in entries.items() if k not in aliases}


def _trainer_entry(
    extra: TrainerTerm, index: _Index, by_doc: dict[str, list[StoredChunk]],
    chunks: list[StoredChunk], settings: Settings,
) -> GlossaryEntry:
    """A trainer's term: its pinned quote checked verbatim, or a defining sentence found."""
    documents = _document_counts([extra.term.lower()], chunks)[extra.term.lower()]
    if extra.quote is not None:
        wanted = " ".join(extra.quote.split())
        for chunk in by_doc.get(extra.doc_id or "", []):
            at = " ".join(chunk.text.split()).find(wanted)
            if at >= 0:
                quote = _verbatim(chunk.text, wanted)
                citation = _citation(chunk, quote)
                return GlossaryEntry(
                    term=extra.term, aliases=extra.aliases, definition=quote,
                    citation=citation, jurisdictions=citation.jurisdictions,
                    documents=documents, origin="trainer",
                )
        raise GlossaryError(
            f"glossary additions: the quote for {extra.term!r} is not in document {extra.doc_id!r}"
        )
    found = _define(extra.term, index, settings)
    if found is None:
        near = index.containing(extra.term)
        if not near:
            raise GlossaryError(
                f"glossary additions: no document uses the term {extra.term!r}"
            )
        sentence = near[0]
        found = (sentence, sentence.text)
    sentence, quote = found
    citation = _citation(sentence.chunk, quote)
    return GlossaryEntry(
        term=extra.term, aliases=extra.aliases, definition=quote, citation=citation,
        jurisdictions=citation.jurisdictions, documents=documents, origin="trainer",
    )


def _verbatim(text: str, wanted: str) -> str:
    """The stretch of `text` equal to `wanted` up to whitespace (so the quote is verbatim)."""
    pattern = r"\s+".join(re.escape(w) for w in wanted.split())
    m = re.search(pattern, text)
    return m.group(0) if m else wanted
