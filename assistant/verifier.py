"""The citation verifier: keeps only draft sentences that their cited passages support.

Every answerer's draft goes through `Verifier.verify`: the draft is split into sentences,
each sentence's ``[n]`` markers (and the variants LLMs write: ``[1, 2]``, ``【1】``,
``(Source 1)``) are attached to it, markers pointing at no passage are removed, and each
sentence is checked against the passages it cites by three signals: content-word overlap,
agreement of numbers and capitalised names (one the cited text lacks is taken as invented),
and embedding similarity to the best one- or two-sentence window of the cited text.
Unsupported sentences are dropped and reported; each kept citation gets a verbatim quote.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import numpy as np
from pydantic import BaseModel, Field

from assistant import claims
from assistant.claims import Features, features, lexical_support
from assistant.models import Citation, Passage
from assistant.windows import heads_items, units_of
from ingest.sentences import sentence_spans

if TYPE_CHECKING:
    from ingest.settings import Settings

SUPPORT_THRESHOLD = 0.58
"""`support` at or above this means the sentence is supported."""
ATTRIBUTION_MIN_LEXICAL = 0.5
"""An uncited (or wrongly cited) sentence is only attributed to a passage covering this much."""
_CACHE_SIZE = 4096


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


class VerifiedAnswer(BaseModel):
    """A draft after verification: [n] in `answer` refers to ``citations[n-1]``."""

    answer: str
    citations: list[Citation] = Field(default_factory=list)
    unsupported: list[str] = Field(default_factory=list)
    full: bool = Field(False, description="a supported sentence was left out: the answer "
                       "had its `max_words`")


@dataclass
class _Source:
    """One passage, split into sentence spans, with its features."""

    text: str
    spans: list[tuple[int, int]]
    feats: Features
    span_feats: list[Features] = field(default_factory=list)

    def quotes(self, claim: str, kind: str) -> str | None:
        """The verbatim text of this source that `claim` quotes: for a claim, whole
        sentences around a match of four or more words; for any draft sentence, one whole
        list item, "Label: value" line or lead-in of this source, quoted as it stands
        (headings and cut-off sentences are never taken)."""
        found = claims.find_verbatim(self.text, claim) if kind == "claim" else None
        if found:
            return found
        wanted = " ".join(claim.split())
        for s, e in self.spans:
            if " ".join(self.text[s:e].split()) == wanted and _listed(self.text, s):
                return self.text[s:e]
        return None

    @classmethod
    def of(cls, text: str) -> _Source:
        """The source for `text`, built once per distinct text (chunks never change)."""
        return _source_of(text)

    @classmethod
    def build(cls, text: str) -> _Source:
        spans = [(s, e) for s, e in sentence_spans(text) if not claims.is_instruction(text[s:e])]
        spans = spans or [(0, 0)]
        span_feats = [features(text[s:e]) for s, e in spans]
        return cls(text, spans, claims.merge(span_feats), span_feats)


LIST_REACH = 8  # lines a lead-in introduces, as the answer policy's `max_list_items`


def _listed(text: str, start: int) -> bool:
    """The unit of `text` starting at `start` is a list item, a "Label: value" line, a
    lead-in or a heading over list items, or one of the short lines a lead-in introduces
    ("Oban 10.03" after "... the rates are:"), as the answer windows quote them
    (`assistant.windows`)."""
    units = units_of(text)
    k = next((i for i, u in enumerate(units) if u is not None and u.start == start), None)
    if k is None:
        return False
    unit = units[k]
    if unit.item or unit.label or unit.lead_in:
        return True
    if not unit.fragment:
        return False
    if heads_items(units, k):
        return True  # a heading over its items, as a lead-in
    for before in reversed(units[max(0, k - LIST_REACH) : k]):
        if before is None or not (before.lead_in or before.item or before.label
                                  or before.fragment):
            return False  # a sentence ends what a lead-in introduced
        if before.lead_in:
            return True
    return False


@lru_cache(maxsize=20_000)
def _source_of(text: str) -> _Source:
    return _Source.build(text)


class Verifier:
    """Checks drafts against passages with one batched embedding call per `verify`."""

    def __init__(
        self, embeddings: Encoder, settings: Settings | None = None,
        threshold: float = SUPPORT_THRESHOLD,
    ) -> None:
        self.embeddings = embeddings
        self.settings = settings
        self.threshold = threshold
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    # -- embeddings --

    def _vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Unit vectors for `texts`: cached ones reused, the rest in one `encode` call."""
        with self._lock:
            out = {t: self._cache[t] for t in texts if t in self._cache}
        todo = list(dict.fromkeys(t for t in texts if t not in out))
        if todo:
            vecs = np.asarray(self.embeddings.encode(todo), dtype=np.float32)
            with self._lock:
                for t, v in zip(todo, vecs, strict=True):
                    out[t] = v
                    self._cache[t] = v
                    self._cache.move_to_end(t)
                while len(self._cache) > _CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out

    # -- scoring --

    def _best_window(
        self, claim: str, cf: Features, src: _Source, vecs: dict[str, np.ndarray]
    ) -> tuple[float, int, int]:
        """(best cosine of any window, first, last sentence of the best supporting window).

        Windows are one or two sentences, ranked by word coverage plus similarity; a pair
        must beat the best single sentence clearly to be chosen.
        """
        cv = vecs[claim]
        zero = np.zeros_like(cv)  # a sentence sharing no word with the claim is not embedded
        rows = [vecs.get(src.text[s:e], zero) for s, e in src.spans]
        top_cos, best, pick = -1.0, -1.0, (0, 0)
        for j, v in enumerate(rows):
            cands = [(float(v @ cv), j, j, src.span_feats[j], 0.0)]
            if j + 1 < len(rows):
                pair = v + rows[j + 1]
                cos = float(pair @ cv) / (float(np.linalg.norm(pair)) or 1.0)
                joined = claims.merge(src.span_feats[j : j + 2])
                cands.append((cos, j, j + 1, joined, 0.05))
            for cos, a, b, feats, penalty in cands:
                top_cos = max(top_cos, cos)
                score = 0.5 * claims.coverage(cf, feats) + 0.5 * cos - penalty
                if score > best:
                    best, pick = score, (a, b)
        return top_cos, pick[0], pick[1]

    def _combine(self, lexical: float, cosine: float, polarity_ok: bool) -> float:
        if lexical == 0.0:
            return 0.0
        semantic = min(1.0, max(0.0, (cosine - 0.3) / 0.5))
        score = 0.75 * lexical + 0.25 * semantic
        return score if polarity_ok else score * 0.6

    def _score(
        self, claim: str, cf: Features, sources: list[_Source], vecs: dict[str, np.ndarray]
    ) -> float:
        """Support of `claim` by `sources` taken together."""
        ref = claims.merge([s.feats for s in sources])
        lexical = lexical_support(cf, ref)
        if lexical == 0.0:
            return 0.0
        cos = max(self._best_window(claim, cf, src, vecs)[0] for src in sources)
        reference = " ".join(src.text[a:b] for src in sources for a, b in src.spans)
        return self._combine(lexical, cos, claims.same_polarity(claim, reference))

    def support(self, sentence: str, passage_texts: list[str]) -> float:
        """How well `passage_texts` (together) support `sentence`, from 0 to 1."""
        claim = claims.strip_markers(sentence)
        texts = [t for t in passage_texts if t and t.strip()]
        if not claims.has_claim(claim) or not texts:
            return 0.0
        if any(claims.find_verbatim(t, claim) for t in texts):
            return 1.0
        sources = [_Source.of(t) for t in texts]
        cf = features(claim)
        if lexical_support(cf, claims.merge([s.feats for s in sources])) == 0.0:
            return 0.0
        vecs = self._vectors([claim] + [s.text[a:b] for s in sources for a, b in s.spans])
        return self._score(claim, cf, sources, vecs)

    def is_supported(self, sentence: str, passage_texts: list[str]) -> bool:
        """Whether `support` reaches the threshold."""
        return self.support(sentence, passage_texts) >= self.threshold

    # -- verification --

    def verify(
        self, draft_text: str, passages: list[Passage], max_words: int | None = None
    ) -> VerifiedAnswer:
        """Drop unsupported sentences, fix markers, renumber citations and pick quotes; with
        `max_words`, also drop a sentence repeating one kept before it, and stop before the
        first supported sentence that would take the answer past `max_words` (the first is
        always kept). Each sentence is judged on its own, so the answer to a prefix of a
        draft is a prefix of the answer to the draft (`assistant.verified_stream`)."""
        by_n = {p.n: i for i, p in enumerate(passages)}
        sources = [_Source.of(p.text) for p in passages]
        draft = claims.strip_markup(draft_text or "")
        sentences = claims.segment(draft)

        plans: list[_Plan] = []
        for st in sentences:
            cited = list(dict.fromkeys(by_n[n] for n in st.numbers if n in by_n))
            plan = _Plan(st, cited, features(st.claim), kind=claims.kind(st.claim))
            hit = next((i for i in cited if sources[i].quotes(st.claim, plan.kind)), None)
            if hit is not None and plan.kind not in ("empty", "question"):
                plan.verbatim = hit  # quoted as it stands (a list item or label line too)
            elif plan.kind != "claim":
                pass
            else:
                lex = {i: lexical_support(plan.cf, s.feats) for i, s in enumerate(sources)}
                plan.candidates = [
                    i for i, v in lex.items()
                    if v > 0 and (i in cited or v >= ATTRIBUTION_MIN_LEXICAL)
                ]
            plans.append(plan)

        # One encode call: the claims, and the source sentences sharing a word with them.
        wanted = [p.st.claim for p in plans if p.candidates]
        for p in plans:
            for i in p.candidates:
                src = sources[i]
                wanted += [src.text[a:b] for (a, b), f in zip(src.spans, src.span_feats,
                                                               strict=True)
                           if claims.coverage(p.cf, f) > 0]
        vecs = self._vectors(wanted) if wanted else {}

        for plan in plans:
            if plan.verbatim is not None:
                plan.keep = [plan.verbatim]
            elif plan.kind == "meta":
                plan.keep = []
            elif plan.kind == "claim":
                plan.keep = self._choose(plan, sources, vecs)
        return self._assemble(draft, plans, passages, sources, vecs, max_words)

    def _choose(
        self, plan: _Plan, sources: list[_Source], vecs: dict[str, np.ndarray]
    ) -> list[int] | None:
        """The passages a sentence keeps citing; None when nothing supports it."""
        claim, cf = plan.st.claim, plan.cf
        cited = [i for i in plan.cited if i in plan.candidates]
        if cited and self._score(claim, cf, [sources[i] for i in cited], vecs) >= self.threshold:
            singles = {i: self._score(claim, cf, [sources[i]], vecs) for i in cited}
            best = max(singles, key=singles.__getitem__)
            return [i for i in cited if i == best or singles[i] >= self.threshold]
        others = {
            i: self._score(claim, cf, [sources[i]], vecs)
            for i in plan.candidates if i not in plan.cited
        }
        if others:
            best = max(others, key=others.__getitem__)
            if others[best] >= self.threshold:
                return [best]
        return None

    def _quote(self, plan: _Plan, src: _Source, vecs: dict[str, np.ndarray]) -> str:
        """The shortest run (one or two whole sentences) of `src` that best supports the claim."""
        if plan.st.claim in vecs:
            _, a, b = self._best_window(plan.st.claim, plan.cf, src, vecs)
        else:
            a = b = max(range(len(src.spans)),
                        key=lambda j: claims.coverage(plan.cf, src.span_feats[j]))
        return src.text[src.spans[a][0] : src.spans[b][1]]

    def _assemble(
        self, draft: str, plans: list[_Plan], passages: list[Passage], sources: list[_Source],
        vecs: dict[str, np.ndarray], max_words: int | None = None,
    ) -> VerifiedAnswer:
        numbering: dict[str, int] = {}
        quoted: dict[str, list[str]] = {}  # chunk id -> the quotes of its sentences, in order
        cited: list[Passage] = []
        pieces: list[str] = []
        unsupported: list[str] = []
        prev_end: int | None = None
        words = 0
        full = False
        said: set[str] = set()
        for plan in plans:
            if plan.keep is None:
                if plan.kind != "empty":
                    unsupported.append(plan.st.claim)
                continue
            if max_words is not None:
                claim = " ".join(plan.st.claim.lower().split())
                if claim in said:
                    continue  # a small model repeating itself
                n_words = len(claim.split())
                if words and words + n_words > max_words:
                    full = True
                    break
                said.add(claim)
                words += n_words
            new_ns: list[int] = []
            for i in plan.keep:
                p = passages[i]
                if p.chunk_id not in numbering:
                    numbering[p.chunk_id] = len(cited) + 1
                    cited.append(p)
                quote = (sources[i].quotes(plan.st.claim, plan.kind)
                         if plan.verbatim == i else None)
                quoted.setdefault(p.chunk_id, []).append(
                    quote or self._quote(plan, sources[i], vecs)
                )
                if numbering[p.chunk_id] not in new_ns:
                    new_ns.append(numbering[p.chunk_id])
            if pieces:
                gap = draft[prev_end : plan.st.start] if prev_end is not None else " "
                pieces.append("\n\n" if "\n\n" in gap else "\n" if "\n" in gap else " ")
            pieces.append(claims.rewrite_markers(draft, plan.st, new_ns))
            prev_end = plan.st.end
        citations = [
            Citation(
                n=numbering[p.chunk_id], doc_id=p.doc_id, title=p.title, source=p.source,
                publisher=p.publisher, date=p.date, page=p.page, chunk_id=p.chunk_id,
                quote=_joined_quote(p.text, quoted[p.chunk_id]),
                jurisdictions=p.jurisdictions, acting=p.acting,
            )
            for p in cited
        ]
        return VerifiedAnswer(
            answer="".join(pieces).strip(), citations=citations, unsupported=unsupported,
            full=full,
        )


def _joined_quote(text: str, quotes: list[str]) -> str:
    """One quote for every sentence an answer takes from a chunk: the run of the chunk from
    the first to the last of them when they follow one another (separated by whitespace
    only), else the first."""
    start = text.find(quotes[0])
    if start < 0:
        return quotes[0]
    end = start + len(quotes[0])
    for quote in quotes[1:]:
        at = text.find(quote, end)
        if at < 0 or text[end:at].strip():
            return quotes[0]
        end = at + len(quote)
    return text[start:end]


@dataclass
class _Plan:
    """What verification decides for one draft sentence."""

    st: claims.DraftSentence
    cited: list[int]
    cf: Features
    verbatim: int | None = None
    candidates: list[int] = field(default_factory=list)
    kind: str = "claim"
    keep: list[int] | None = field(default=None)
