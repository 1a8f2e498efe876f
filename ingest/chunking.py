"""Structure-aware chunking into LangChain Documents with exact character offsets.

Sections start at headings; pages (PDF) are never crossed; within a section, whole
sentences are packed into windows of about ``settings.chunk_size`` characters, and the
next window repeats up to ``settings.chunk_overlap`` characters of whole sentences.
A sentence longer than chunk_size is a chunk of its own; no sentence is longer than
``settings.max_sentence_chars``, so no chunk is longer than the larger of the two. Sections
shorter than a third of chunk_size are merged with the next one on the same page (a short
last section with the previous one); ``section`` is the nearest heading at or above a
chunk's start. Every step is linear in the text. LangChain's splitters cannot report exact
offsets or respect our sentence rules, so only its ``Document`` is used.
"""

from __future__ import annotations

import bisect
import hashlib

from langchain_core.documents import Document

from ingest.budget import check_budget
from ingest.headings import heading_text
from ingest.jurisdiction import JurisdictionRules, join_codes, tag_document
from ingest.models import ChunkMetadata, LoadedDocument
from ingest.sentences import sentence_spans
from ingest.settings import Settings

Span = tuple[int, int]


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    """Stable id of a chunk: sha1 of doc_id, offsets and text, first 20 hex digits."""
    key = f"{doc_id}\x1f{start}\x1f{end}\x1f{text}".encode()
    return hashlib.sha1(key).hexdigest()[:20]


def _split_at_pages(spans: list[Span], page_starts: list[int]) -> list[Span]:
    out: list[Span] = []
    for s, e in spans:
        lo = bisect.bisect_right(page_starts, s)
        hi = bisect.bisect_left(page_starts, e)
        cuts = page_starts[lo:hi]
        for c in [*cuts, e]:
            out.append((s, c))
            s = c
    return [(s, e) for s, e in out if e > s]


def _page_of(offset: int, page_starts: list[int] | None) -> int | None:
    if not page_starts:
        return None
    return bisect.bisect_right(page_starts, offset)


def _line_bounds(text: str) -> tuple[list[int], list[int]]:
    """Start and end offsets of every non-empty line (whitespace-stripped)."""
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip(" \t\r")
        if stripped:
            lead = len(line) - len(line.lstrip(" \t\r"))
            starts.append(pos + lead)
            ends.append(pos + lead + len(stripped))
        pos += len(line) + 1
    return starts, ends


def _blocks(doc: LoadedDocument, spans: list[Span]) -> tuple[list[list[Span]], list[Span]]:
    """Group sentence spans into sections (new at each heading and each page)."""
    text = doc.text
    line_starts, line_ends = _line_bounds(text)
    blocks: list[list[Span]] = []
    headings: list[Span] = []
    page = None
    for n, (s, e) in enumerate(spans):
        if n % 1024 == 0:
            check_budget()
        idx = bisect.bisect_right(line_starts, s) - 1
        whole_line = idx >= 0 and line_starts[idx] == s and line_ends[idx] == e
        is_heading = False
        if whole_line:  # only then is the next line read (a long line is sliced once)
            has_next = idx + 1 < len(line_starts)
            nxt = text[line_starts[idx + 1] : line_ends[idx + 1]] if has_next else None
            is_heading = heading_text(text[s:e], nxt, doc.meta.title) is not None
        this_page = _page_of(s, doc.page_starts)
        if is_heading:
            headings.append((s, e))
        if not blocks or is_heading or this_page != page:
            blocks.append([])
        blocks[-1].append((s, e))
        page = this_page
    return blocks, headings


def _merge_small(
    blocks: list[list[Span]], doc: LoadedDocument, min_len: int
) -> list[list[Span]]:
    merged: list[list[Span]] = []
    for block in blocks:
        if merged:
            prev = merged[-1]
            same_page = _page_of(prev[0][0], doc.page_starts) == _page_of(
                block[0][0], doc.page_starts
            )
            if same_page and prev[-1][1] - prev[0][0] < min_len:
                prev.extend(block)
                continue
        merged.append(list(block))
    if len(merged) > 1:
        last, prev = merged[-1], merged[-2]
        same_page = _page_of(prev[0][0], doc.page_starts) == _page_of(last[0][0], doc.page_starts)
        if same_page and last[-1][1] - last[0][0] < min_len:
            prev.extend(merged.pop())
    return merged


def pack_windows(units: list[Span], size: int, overlap: int) -> list[Span]:
    """Windows of whole units up to ``size`` chars, each repeating <= ``overlap`` chars."""
    windows: list[Span] = []
    i, n = 0, len(units)
    while i < n:
        j = i
        while j + 1 < n and units[j + 1][1] - units[i][0] <= size:
            j += 1
        windows.append((units[i][0], units[j][1]))
        if j == n - 1:
            break
        k = j + 1
        while (
            k - 1 > i
            and units[j][1] - units[k - 1][0] <= overlap
            and units[j + 1][1] - units[k - 1][0] <= size
        ):
            k -= 1
        i = k
    return windows


def _section_at(
    offset: int, doc: LoadedDocument, headings: list[Span], starts: list[int]
) -> str | None:
    idx = bisect.bisect_right(starts, offset) - 1
    if idx < 0:
        return None
    s, e = headings[idx]
    return doc.text[s:e].lstrip("#•▪◦‣ ").strip()


def chunk_document(doc: LoadedDocument, settings: Settings) -> list[Document]:
    """The chunks of one document; ``doc.text[start:end] == page_content`` for each."""
    spans = sentence_spans(doc.text, settings.max_sentence_chars)
    if doc.page_starts:
        spans = _split_at_pages(spans, doc.page_starts)
    blocks, headings = _blocks(doc, spans)
    heading_starts = [h for h, _ in headings]
    blocks = _merge_small(blocks, doc, settings.chunk_size // 3)
    meta = doc.meta
    chunks: list[Document] = []
    for block in blocks:
        for start, end in pack_windows(block, settings.chunk_size, settings.chunk_overlap):
            content = doc.text[start:end]
            cid = chunk_id(meta.doc_id, start, end, content)
            metadata = ChunkMetadata(
                chunk_id=cid,
                doc_id=meta.doc_id,
                title=meta.title,
                source=meta.source,
                publisher=meta.publisher,
                date=meta.date,
                doc_type=meta.doc_type,
                page=_page_of(start, doc.page_starts),
                section=_section_at(start, doc, headings, heading_starts),
                start=start,
                end=end,
            )
            dumped = metadata.model_dump(exclude_none=True)
            chunks.append(Document(id=cid, page_content=content, metadata=dumped))
    _tag_jurisdictions(chunks, doc, settings)
    return chunks


def _tag_jurisdictions(chunks: list[Document], doc: LoadedDocument, settings: Settings) -> None:
    """Add each chunk's jurisdictions, its document's union and the acting body."""
    tags = tag_document(
        [c.page_content for c in chunks], JurisdictionRules.from_settings(settings),
        title=doc.meta.title, publisher=doc.meta.publisher, override=doc.meta.jurisdiction,
    )
    for chunk, own, acting in zip(chunks, tags.chunks, tags.acting, strict=True):
        chunk.metadata["jurisdictions"] = join_codes(own)
        chunk.metadata["doc_jurisdictions"] = join_codes(tags.document)
        if acting:
            chunk.metadata["acting"] = acting
