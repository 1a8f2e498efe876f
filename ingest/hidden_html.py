"""Find and remove the parts of an HTML page a reader never sees.

Text a browser does not show is a classic way to plant instructions for machines, so it is
never indexed. Hidden means: the ``hidden`` attribute or ``aria-hidden="true"``; an inline
``style`` (parsed with tinycss2, so comments and escapes do not disguise it) with
``display:none``, ``visibility:hidden``, near-zero ``opacity``, a font size of at most 1px,
a size of at most 1px with clipped overflow, off-screen positioning or text indent, clipping,
``transform: scale(0)``, or a text colour equal to the background it sits on (white by
default: white-on-white); the same hiding declarations in simple class/id/tag rules of the
page's own ``<style>`` blocks; and the hiding utility classes of common CSS frameworks, whose
stylesheets are external. One pass over the tree, parents before children.
"""

from __future__ import annotations

import re

import tinycss2
from bs4 import BeautifulSoup, Tag
from tinycss2.color3 import RGBA, parse_color

FRAMEWORK_HIDDEN_CLASSES = frozenset(
    {
        "hidden", "d-none", "is-hidden", "u-hidden", "hide", "invisible", "sr-only",
        "visually-hidden", "visuallyhidden", "screen-reader-text", "govuk-visually-hidden",
    }
)
WHITE = RGBA(1.0, 1.0, 1.0, 1.0)
_SIMPLE_SELECTOR = re.compile(r"^([a-z][a-z0-9-]*)?([.#][A-Za-z0-9_-]+)?$")
_OFF_SCREEN_PX = -500.0


def _declarations(css: str) -> dict[str, list]:
    """Property name -> its value tokens (whitespace dropped) for a declaration list."""
    out: dict[str, list] = {}
    for item in tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True):
        if item.type == "declaration":
            skip = ("whitespace", "comment")
            out[item.lower_name] = [t for t in item.value if t.type not in skip]
    return out


def _ident(tokens: list) -> str:
    return " ".join(
        str(getattr(t, "lower_value", getattr(t, "value", ""))) for t in tokens
    ).strip().lower()


def _length_px(tokens: list) -> float | None:
    """A single length (or unitless number) in px; em/rem as 16px; None when not a length."""
    if len(tokens) != 1:
        return None
    token = tokens[0]
    if token.type == "number":
        return float(token.value)
    if token.type == "percentage":
        return float(token.value) / 100.0 * 16.0
    if token.type == "dimension":
        unit = token.lower_unit
        scale = {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "ch": 8.0, "ex": 8.0,
                 "vw": 10.0, "vh": 10.0, "cm": 37.8, "mm": 3.78, "in": 96.0, "pc": 16.0}
        return float(token.value) * scale.get(unit, 1.0)
    return None


def _colour(tokens: list) -> RGBA | None:
    if not tokens:
        return None
    found = parse_color(tokens[0]) if len(tokens) == 1 else None
    if found is None:  # `background: #fff url(...) no-repeat`: the first colour token
        for token in tokens:
            found = parse_color(token)
            if isinstance(found, RGBA):
                break
    return found if isinstance(found, RGBA) else None


def hides(decls: dict[str, list]) -> bool:
    """Whether these declarations hide an element's content (colour aside)."""
    if _ident(decls.get("display", [])) == "none":
        return True
    if _ident(decls.get("visibility", [])) in ("hidden", "collapse"):
        return True
    opacity = decls.get("opacity")
    if opacity and len(opacity) == 1 and opacity[0].type in ("number", "percentage"):
        value = float(opacity[0].value) / (100.0 if opacity[0].type == "percentage" else 1.0)
        if value <= 0.05:
            return True
    size = _length_px(decls.get("font-size", []))
    if size is not None and size <= 1.0:
        return True
    clipped = _ident(decls.get("overflow", [])) in ("hidden", "clip")
    for prop in ("width", "height", "max-width", "max-height"):
        px = _length_px(decls.get(prop, []))
        if clipped and px is not None and px <= 1.0:
            return True
    positioned = _ident(decls.get("position", [])) in ("absolute", "fixed")
    for prop in ("left", "top", "right", "bottom", "margin-left", "margin-top"):
        px = _length_px(decls.get(prop, []))
        if positioned and px is not None and px <= _OFF_SCREEN_PX:
            return True
    indent = _length_px(decls.get("text-indent", []))
    if indent is not None and indent <= _OFF_SCREEN_PX:
        return True
    if positioned and "clip" in decls and "rect" in tinycss2.serialize(decls["clip"]).lower():
        return True
    clip_path = tinycss2.serialize(decls.get("clip-path", [])).lower().replace(" ", "")
    if re.search(r"inset\((50|[6-9]\d|100)%|circle\(0", clip_path):
        return True
    transform = tinycss2.serialize(decls.get("transform", [])).lower().replace(" ", "")
    return bool(re.search(r"scale[xy]?\(0(\.0+)?[,)]", transform))


def _rule_targets(soup: BeautifulSoup) -> tuple[set[str], set[str], set[str]]:
    """(classes, ids, tag names) hidden by simple rules in the page's ``<style>`` blocks."""
    classes: set[str] = set()
    ids: set[str] = set()
    names: set[str] = set()
    for style in soup.find_all("style"):
        rules = tinycss2.parse_stylesheet(style.get_text(), skip_comments=True,
                                          skip_whitespace=True)
        for rule in rules:
            if rule.type != "qualified-rule":
                continue  # @media print etc. do not apply on screen
            if not hides(_declarations(tinycss2.serialize(rule.content))):
                continue
            for selector in tinycss2.serialize(rule.prelude).split(","):
                m = _SIMPLE_SELECTOR.match(selector.strip())
                if not m or not (m.group(1) or m.group(2)):
                    continue
                part = m.group(2) or ""
                if part.startswith("."):
                    classes.add(part[1:])
                elif part.startswith("#"):
                    ids.add(part[1:])
                elif m.group(1):
                    names.add(m.group(1))
    return classes, ids, names


def _close(a: RGBA, b: RGBA) -> bool:
    return abs(a.red - b.red) + abs(a.green - b.green) + abs(a.blue - b.blue) < 0.12


def hidden_elements(soup: BeautifulSoup) -> list[Tag]:
    """The outermost hidden elements of the page, in document order."""
    classes, ids, names = _rule_targets(soup)
    classes |= FRAMEWORK_HIDDEN_CLASSES
    background: dict[int, RGBA] = {}
    dropped: set[int] = set()
    found: list[Tag] = []
    for tag in soup.find_all(True):  # parents come before their children
        parent = tag.parent
        if parent is not None and id(parent) in dropped:
            dropped.add(id(tag))
            continue
        inherited = background.get(id(parent), WHITE) if parent is not None else WHITE
        decls = _declarations(str(tag.get("style") or "")) if tag.get("style") else {}
        own_bg = _colour(decls.get("background-color", []) or decls.get("background", []))
        bg = own_bg if own_bg is not None and own_bg.alpha > 0.5 else inherited
        background[id(tag)] = bg
        colour = _colour(decls.get("color", []))
        is_hidden = (
            tag.has_attr("hidden")
            or str(tag.get("aria-hidden") or "").strip().lower() == "true"
            or bool(decls) and hides(decls)
            or colour is not None and (colour.alpha <= 0.05 or _close(colour, bg))
            or tag.name in names
            or str(tag.get("id") or "") in ids
            or any(c in classes for c in (tag.get("class") or []))
        )
        if is_hidden and tag.name not in ("html", "body", "head"):
            dropped.add(id(tag))
            found.append(tag)
    return found


def drop_hidden(soup: BeautifulSoup) -> int:
    """Remove every hidden element (with its content); returns how many were removed."""
    found = hidden_elements(soup)
    for tag in found:
        tag.decompose()
    return len(found)
