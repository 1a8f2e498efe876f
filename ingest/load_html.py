"""Load .html/.htm: drop page furniture and hidden elements, keep headings and paragraphs.

Hidden content is never indexed: elements with the ``hidden`` attribute or
``aria-hidden="true"``, and those an inline style (or a simple class/id rule of the page's
own ``<style>``) hides: ``display:none``, ``visibility:hidden``, zero opacity, zero or 1px
font size, zero width/height with hidden overflow, off-screen positioning, clipping, and
text whose colour matches its background (white on white by default). Files larger than
``max_html_mb`` are refused before parsing; every pass over the tree is linear.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ingest.assemble import build, check_length
from ingest.budget import check_budget
from ingest.cleaning import clean_web_text, normalise_whitespace
from ingest.errors import UnreadableFile
from ingest.header import find_date, normalise_date
from ingest.hidden_html import drop_hidden
from ingest.models import LoadedDocument, SourceFile
from ingest.settings import Settings
from ingest.textdecode import decode_text

DROP_TAGS = [
    "script", "style", "noscript", "template", "nav", "footer", "form", "aside",
    "iframe", "svg", "button", "input", "select", "textarea", "label", "canvas", "object",
]
DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog"}
_FURNITURE = re.compile(
    r"(^|[-_\s])(cookie|share|sharing|social|newsletter|comments?|breadcrumbs?|promo|advert"
    r"|related|subscribe|sidebar|skip-link|menu)($|[-_\s])",
    re.I,
)
BLOCKS = {
    "p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "table",
    "tr", "blockquote", "pre", "figure", "figcaption", "address", "details", "summary",
    "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "body",
}
DATE_META = ("date", "dc.date", "dcterms.date", "article:published_time", "citation_date")


def _is_furniture(tag: Tag) -> bool:
    if tag.name in {"html", "body", "main", "article"}:
        return False
    if (tag.get("role") or "") in DROP_ROLES:
        return True
    attrs = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    return bool(attrs.strip()) and bool(_FURNITURE.search(attrs))


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    for meta in soup.find_all("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in names and str(meta.get("content") or "").strip():
            return str(meta["content"]).strip()
    return None


def _html_date(soup: BeautifulSoup) -> str | None:
    for meta in soup.find_all("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in DATE_META and meta.get("content"):
            found = normalise_date(str(meta["content"])[:10])
            if found:
                return found
    time = soup.find("time", attrs={"datetime": True})
    return normalise_date(str(time["datetime"])[:10]) if time else None


def _inside(soup: BeautifulSoup, names: set[str]) -> set[int]:
    """ids of every element inside an element named in ``names`` (one pass, top-down)."""
    inside: set[int] = set()
    for tag in soup.find_all(True):  # document order: a parent comes before its children
        parent = tag.parent
        if parent is not None and (id(parent) in inside or parent.name in names):
            inside.add(id(tag))
    return inside


def html_to_text(soup: BeautifulSoup) -> str:
    """Visible text with one block per line and headings as markdown '#' lines."""
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    drop_hidden(soup)  # first: it reads the page's own <style> rules
    check_budget()
    for tag in soup.find_all(DROP_TAGS):
        if not tag.decomposed:
            tag.decompose()
    in_article = _inside(soup, {"article", "main"})
    for tag in soup.find_all("header"):  # site banner, but not an article's own header
        if not tag.decomposed and id(tag) not in in_article:
            tag.decompose()
    for tag in [t for t in soup.find_all(True) if _is_furniture(t)]:
        if not tag.decomposed:
            tag.decompose()
    check_budget()
    in_pre = _inside(soup, {"pre"})
    for node in list(soup.find_all(string=True)):
        parent = node.parent
        if parent is not None and parent.name != "pre" and id(parent) not in in_pre:
            node.replace_with(NavigableString(re.sub(r"\s+", " ", str(node))))
    for tag in soup.find_all(True):
        if re.fullmatch(r"h[1-6]", tag.name):
            tag.insert(0, NavigableString("\n" + "#" * int(tag.name[1]) + " "))
        elif tag.name == "li":
            tag.insert(0, NavigableString("\n- "))
        elif tag.name in {"td", "th"}:
            tag.append(NavigableString(" | "))
        if tag.name in BLOCKS:
            tag.append(NavigableString("\n"))
    root = soup.body or soup
    return normalise_whitespace(root.get_text())


def load_html(source: SourceFile, data: bytes, settings: Settings) -> LoadedDocument:
    """Parse HTML, strip furniture and hidden elements and boilerplate lines."""
    if len(data) > settings.max_html_mb * 1024 * 1024:
        raise UnreadableFile(
            f"HTML file of {len(data) / 1048576:.1f} MB > max_html_mb={settings.max_html_mb:g}"
        )
    soup = BeautifulSoup(decode_text(data), "lxml")
    check_budget()
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    h1 = soup.find("h1")
    heading = h1.get_text(" ", strip=True) if h1 else ""
    date = _html_date(soup)
    publisher = _meta(soup, "publisher", "dc.publisher", "author", "og:site_name")
    doc_type = _meta(soup, "dc.type", "igr:type")
    text = check_length(html_to_text(soup), settings)
    text = clean_web_text(text, title=heading or title or None)
    paragraphs = "\n\n".join(x for x in text.split("\n") if x.strip())
    return build(
        source,
        paragraphs,
        title=title or heading or None,
        date=date or find_date(paragraphs),
        publisher=publisher,
        doc_type=doc_type,
    )
