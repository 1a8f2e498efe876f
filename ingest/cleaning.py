"""Text cleaning: whitespace, light markup, web boilerplate, PDF running headers/footers.

Web rules are generic: lines of well-known junk (navigation, share buttons, cookie and
comment-form furniture), short non-sentence lines that repeat, teaser lines above the
title, and a cut at the first end-of-article marker (comments, "More articles...",
video/webinar/newsletter promos) found in the latter part of a page.
PDF rules: lines repeated at the top or bottom of most pages and bare page numbers are
dropped; wrapped lines are joined into paragraphs and line-break hyphenation is repaired.
"""

from __future__ import annotations

import re
from collections import Counter

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_MD_LINK = re.compile(r"\[((?:\\.|[^\]\\\n]){1,300})\]\((?:[^()\s]|\([^()\s]*\))*\)")
# Bold runs are bounded, so a line of unclosed "**" is scanned in linear time.
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.{1,500}?)(?<=\S)\1")
_MD_ITALIC = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_MD_ESCAPE = re.compile(r"\\([\[\]()*_#>`])")
_FOOTNOTE_MARK = re.compile(r"\^\{[ivxlcdm0-9]{1,8}\}|[ⁱᵛˣ]+", re.I)
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=\w)[ \t]+(?=[,;:](?:\s|$))")
_INNER_SPACES = re.compile(r"(?<=\S)[ \t]{2,}(?=\S)")
_WIKI_HEADING = re.compile(r"^(={1,6})\s*([^=\n]+?)\s*\1$", re.M)

# Whole lines that are site furniture wherever they appear (matched on the stripped line).
JUNK_LINES = [
    r"skip to (main )?content", r"back to top", r"(jump|go) to (main )?(content|navigation)",
    r"(main )?menu", r"search( this site)?", r"home", r"sign ?in", r"log ?in", r"sign ?up",
    r"subscribe( now)?", r"newsletter", r"advertisement", r"sponsored( content)?",
    r"share( this( article| page| story)?)?( on \w+)?:?", r"tweet", r"print( this page)?",
    r"email( this( article| page)?)?", r"follow us( on .{1,40})?:?", r"read more\W*",
    r"more\s*>+", r"more .{0,30}articles\s*>+", r"view all( \w+){0,3}", r"videos?\.*",
    r"latest( \w+){0,3} news", r"more videos\s*>*", r"there are no comments.*",
    r"why not be the first\??", r"(add|post|write|leave) (a |your )?(comment|reply)",
    r"your comments?", r"comments? \(\d+\)", r"\d+ comments?",
    r"your email address will not be published.*", r"required fields are marked.*",
    r"(name|e-?mail|website|comment|message)\s*\*?:?", r"if you have trouble reading the code.*",
    r".*\bcookies?\b.*\b(accept|consent|we use|this (web)?site uses|settings|preferences)\b.*",
    r"(accept|reject|manage)( all)? cookies", r"register your interest( here)?\W*",
    r"(sign up|subscribe) (to|for) (our|the) (newsletter|mailing list).*",
    r"be a part of it!?", r"upcoming (webinar|event)s?:?", r"guest panellists:?",
    r"related (articles|stories|content|posts|links):?", r"you (may|might) also like:?",
    r"more on .{3,60}", r"[•·|>/\\\-–—*=_]+",
]
_JUNK_RE = re.compile("|".join(f"(?:{p})" for p in JUNK_LINES), re.I)

# Markers after which the rest of a web page is furniture (only honoured past _TAIL_FROM).
TAIL_MARKERS = [
    r"^there are no comments", r"^(add|post|write|leave) (a |your )?(comment|reply)\b",
    r"^your comments?$", r"^comments? \(\d+\)$", r"^more articles", r"^related (articles|stories)",
    r"^you (may|might) also like", r"^read next", r"^view all videos", r"^more videos",
    r"^videos?\.*$", r"^upcoming webinar", r"register your interest( here)?\W*$",
    r"^(sign up|subscribe) (to|for) our newsletter", r"^latest( \w+){0,3} news$",
]
_TAIL_RE = re.compile("|".join(f"(?:{p})" for p in TAIL_MARKERS), re.I)
_TAIL_FROM = 0.4  # fraction of the body after which a tail marker ends the article

_TERMINAL = re.compile(r"[.!?…:;\"”’)\]]$")
_BULLET = re.compile(r"^\s*(?:[-*•▪◦‣–—]\s+|\(?\d{1,3}[a-z]?[.)]\s+|\([a-z0-9]{1,4}\)\s+)")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.I
)
_PREFIX_WORDS = (
    "anti co counter cross cyber de inter intra macro micro mid multi non over post pre pro "
    "re self semi sub super trans under well long short high low full part"
)
_HYPHEN_PREFIXES = frozenset(_PREFIX_WORDS.split())


def normalise_whitespace(text: str) -> str:
    """Unify newlines and spaces, drop invisible characters, keep at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _INVISIBLE.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def strip_markup(text: str) -> str:
    """Drop light markdown decoration (links, bold, italics, escapes) and footnote markers
    (``^{iv}``, ``ⁱⁱ``); turn wiki ``==Heading==`` into markdown; keep heading markers."""
    text = _MD_LINK.sub(r"\1", text)
    text = _WIKI_HEADING.sub(lambda m: "#" * len(m.group(1)) + " " + m.group(2), text)
    text = _MD_BOLD.sub(r"\2", text)
    text = _MD_ITALIC.sub(r"\1", text)
    text = _MD_ESCAPE.sub(r"\1", text)
    text = _FOOTNOTE_MARK.sub("", text)
    text = _SPACE_BEFORE_PUNCT.sub("", text)
    return _INNER_SPACES.sub(" ", text)


def is_sentence_like(line: str) -> bool:
    """A line that reads as prose: long enough, or ending in sentence punctuation."""
    stripped = line.strip()
    return len(stripped) >= 80 or bool(_TERMINAL.search(stripped)) and len(stripped.split()) >= 4


def is_junk_line(line: str) -> bool:
    """A line of well-known site furniture."""
    stripped = line.strip().lstrip("#").strip()
    return bool(stripped) and len(stripped) <= 200 and bool(_JUNK_RE.fullmatch(stripped))


def _norm_key(line: str) -> str:
    return re.sub(r"\W+", " ", line.lower()).strip()


def clean_web_text(text: str, title: str | None = None) -> str:
    """Remove web-page boilerplate from plain text (one paragraph or item per line)."""
    lines = normalise_whitespace(text).split("\n")
    total = sum(len(x) + 1 for x in lines) or 1
    # 1. cut the tail at the first end-of-article marker in the latter part of the page
    pos = 0
    for i, line in enumerate(lines):
        if pos >= _TAIL_FROM * total and line.strip() and _TAIL_RE.search(line.strip()):
            lines = lines[:i]
            break
        pos += len(line) + 1
    # 2. teaser lines above the title line (image captions, section banners)
    if title:
        key = _norm_key(title)
        non_empty = [i for i, x in enumerate(lines) if x.strip()][:6]
        for i in non_empty:
            if _norm_key(lines[i].lstrip("#")) == key:
                if all(not is_sentence_like(lines[j]) for j in non_empty if j < i):
                    lines = lines[i:]
                break
    # 3. known junk lines; short non-sentence lines repeated on the page (teasers, captions),
    #    except data lines ("Key: value", figures) and headings; adjacent duplicates collapse
    collapsed: list[str] = []
    previous = ""
    for line in lines:
        key = _norm_key(line)
        if key and key == previous:
            continue
        collapsed.append(line)
        previous = key or previous
    counts = Counter(_norm_key(x) for x in collapsed if x.strip() and not is_sentence_like(x))
    kept: list[str] = []
    for line in collapsed:
        stripped = line.strip()
        if stripped and is_junk_line(stripped):
            continue
        is_data = stripped.startswith("#") or bool(re.search(r"\d|\w: \S", stripped))
        repeated = counts[_norm_key(stripped)] > 1
        if stripped and repeated and not is_data and not is_sentence_like(stripped):
            continue
        kept.append(line)
    return normalise_whitespace("\n".join(kept))


# ---------------------------------------------------------------- PDF


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", _SPACES.sub(" ", line).strip().lower())


def _edges(lines: list[str], size: int) -> tuple[list[int], list[int]]:
    idx = [i for i, x in enumerate(lines) if x.strip()]
    return idx[:size], idx[-size:] if idx else []


def find_running_lines(pages: list[list[str]], zone: int = 2) -> set[str]:
    """Edge keys (digits as '#') of lines repeated at the top or bottom of most pages."""
    if len(pages) < 2:
        return set()
    top: Counter[str] = Counter()
    bottom: Counter[str] = Counter()
    for lines in pages:
        head, tail = _edges(lines, zone)
        top.update({_edge_key(lines[i]) for i in head})
        bottom.update({_edge_key(lines[i]) for i in tail})
    need = max(2, (len(pages) + 1) // 2)
    return {k for c in (top, bottom) for k, n in c.items() if n >= need and k}


def strip_page_furniture(pages: list[str]) -> tuple[list[str], str | None]:
    """Drop running headers/footers and bare page numbers; also return the running header."""
    split = [p.replace("\r\n", "\n").split("\n") for p in pages]
    running = find_running_lines(split)
    need = max(2, (len(split) + 1) // 2)
    header_counts: Counter[str] = Counter()
    out = []
    for lines in split:
        head, tail = _edges(lines, 2)
        drop = set()
        for i in head + tail:
            key = _edge_key(lines[i])
            if key in running or _PAGE_NUMBER.fullmatch(lines[i].strip()):
                drop.add(i)
                if i in head and key in running:
                    header_counts[_SPACES.sub(" ", lines[i]).strip()] += 1
        out.append("\n".join(x for i, x in enumerate(lines) if i not in drop))
    header = None
    if header_counts:
        best, count = header_counts.most_common(1)[0]
        if count >= need and re.search(r"[A-Za-z]{3}", best) and not _PAGE_NUMBER.fullmatch(best):
            header = best
    return out, header


def _keeps_hyphen(left: str, right: str, vocabulary: set[str]) -> bool:
    """Whether the line-end hyphen of ``left`` (ending 'word-') stays when ``right`` is
    joined to it (a compound), or was a line break inside a word. Reads the last word only."""
    m = re.search(r"([A-Za-z]+)-$", left[-80:])
    n = re.match(r"([a-z]+)", right)
    if not m or not n:
        return True
    joined = (m.group(1) + n.group(1)).lower()
    hyphened = f"{m.group(1)}-{n.group(1)}".lower()
    if joined in vocabulary and hyphened not in vocabulary:
        return False
    return hyphened in vocabulary or m.group(1).lower() in _HYPHEN_PREFIXES or len(m.group(1)) <= 3


def join_pdf_lines(text: str, vocabulary: set[str] | None = None) -> str:
    """Join wrapped PDF lines into paragraphs (one per line, blank line between them)."""
    lines = [_SPACES.sub(" ", x).strip() for x in text.split("\n")]
    lines = [x for x in lines if x]
    if not lines:
        return ""
    width = sorted(len(x) for x in lines)[int(0.9 * (len(lines) - 1))]
    vocab = vocabulary if vocabulary is not None else set(re.findall(r"[\w-]+", text.lower()))
    paragraphs: list[str] = []
    current = [lines[0]]  # lines and separators of the paragraph, joined once (linear)
    last = lines[0]
    for nxt in lines[1:]:
        short = len(last) < 0.8 * width
        ends = bool(_TERMINAL.search(last))
        heading = len(last) < 0.6 * width and not ends and nxt[:1].isupper()
        next_heading = (
            ends and len(nxt) < 0.6 * width and nxt[:1].isupper() and not _TERMINAL.search(nxt)
        )
        if _BULLET.match(nxt) or (short and (ends or heading)) or next_heading:
            paragraphs.append("".join(current))
            current = [nxt]
        elif current[-1].endswith("-") and nxt[:1].islower():
            if not _keeps_hyphen(current[-1], nxt, vocab):
                current[-1] = current[-1][:-1]
            current.append(nxt)
        else:
            current.extend((" ", nxt))
        last = nxt
    paragraphs.append("".join(current))
    return "\n\n".join(paragraphs)
