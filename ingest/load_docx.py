"""Load .docx with python-docx: headings, list items, paragraphs and table rows.

A .docx is a zip of XML parts, so a small file can unpack to gigabytes or hold millions of
empty paragraphs. Before python-docx builds its tree the package is checked while it is
read: the declared sizes of all parts (zip reads stop at them) against
``max_docx_unpacked_mb``, only stored/deflated parts, then the main document's XML is
streamed, counting paragraphs and table cells against ``max_docx_paragraphs``.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO

from ingest.assemble import build, check_length
from ingest.budget import check_budget
from ingest.cleaning import normalise_whitespace
from ingest.errors import UnreadableFile
from ingest.header import parse_header
from ingest.models import LoadedDocument, SourceFile
from ingest.settings import Settings

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAIN_PART = re.compile(r'PartName="/?([^"]+)"[^>]*ContentType="[^"]*document\.main\+xml"')


def _paragraph_line(style: str, text: str) -> str:
    m = re.match(r"heading (\d)", style.lower())
    if m:
        return "#" * int(m.group(1)) + " " + text
    if style.lower() == "title":
        return "# " + text
    if "list" in style.lower():
        return "- " + text
    return text


def _main_part(package: zipfile.ZipFile) -> str:
    """The member name of the main document part (``word/document.xml`` as a rule)."""
    try:
        types = package.open("[Content_Types].xml").read(1 << 20).decode("utf-8", "replace")
    except KeyError:
        return "word/document.xml"
    m = _MAIN_PART.search(types) or re.search(
        r'ContentType="[^"]*document\.main\+xml"[^>]*PartName="/?([^"]+)"', types
    )
    return m.group(1) if m else "word/document.xml"


def check_package(data: bytes, settings: Settings) -> None:
    """Raise UnreadableFile when the package is over the unpacked-size or paragraph limits;
    reads stop as soon as a limit is passed."""
    from lxml import etree

    try:
        package = zipfile.ZipFile(BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile(f"not a readable .docx file ({type(exc).__name__})") from exc
    limit = settings.max_docx_unpacked_mb * 1024 * 1024
    unpacked = sum(info.file_size for info in infos)
    if unpacked > limit:
        raise UnreadableFile(
            f".docx unpacks to {unpacked / 1048576:.0f} MB > max_docx_unpacked_mb="
            f"{settings.max_docx_unpacked_mb:g}"
        )
    if any(i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in infos):
        raise UnreadableFile(".docx uses a compression method Word never writes")
    try:
        stream = package.open(_main_part(package))
    except KeyError as exc:
        raise UnreadableFile("not a readable .docx file (no main document part)") from exc
    counted = seen = 0
    cap = settings.max_docx_paragraphs
    counted_tags = {f"{_W}p", f"{_W}tc"}
    try:
        for _, element in etree.iterparse(
            stream, events=("end",), resolve_entities=False, no_network=True, huge_tree=False
        ):
            if element.tag in counted_tags:
                counted += 1
                if counted > cap:
                    raise UnreadableFile(
                        f".docx has more than max_docx_paragraphs={cap} paragraphs and table cells"
                    )
            element.clear(keep_tail=False)  # finished: free it and its earlier siblings
            while element.getprevious() is not None:
                del element.getparent()[0]
            seen += 1
            if seen % 8192 == 0:
                check_budget()
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"not a readable .docx file (XML: {exc.msg})") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UnreadableFile(f"not a readable .docx file ({type(exc).__name__})") from exc


def _style_names(document) -> tuple[dict[str, str], str]:
    """Style id -> style name, and the default paragraph style's name (read once)."""
    from docx.enum.style import WD_STYLE_TYPE

    names = {style.style_id: style.name or "" for style in document.styles if style.style_id}
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    return names, (default.name or "") if default is not None else ""


def load_docx(source: SourceFile, data: bytes, settings: Settings) -> LoadedDocument:
    """Paragraphs in order (tables after them), header block honoured if present."""
    import docx
    from docx.table import _Cell

    check_package(data, settings)
    try:
        document = docx.Document(BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"not a readable .docx file ({type(exc).__name__})") from exc
    except Exception as exc:  # python-docx raises assorted errors on corrupt packages
        raise UnreadableFile(f"not a readable .docx file ({type(exc).__name__})") from exc
    lines = []
    styles, default_style = _style_names(document)
    for n, para in enumerate(document.paragraphs):
        if n % 2048 == 0:
            check_budget()
        text = " ".join(para.text.split())
        if text:
            style_id = para._p.style  # python-docx's `para.style` scans every style: slow
            lines.append(_paragraph_line(styles.get(style_id or "", default_style), text))
    for table in document.tables:
        check_budget()
        for row in table._tbl.tr_lst:  # `row.cells` rebuilds the whole table's grid each time
            cells = [" ".join(_Cell(tc, table).text.split()) for tc in row.tc_lst]
            if any(cells):
                lines.append(" | ".join(cells))
    raw = normalise_whitespace(check_length("\n".join(lines), settings))
    header = parse_header(raw)
    body = raw[header.body_start :].strip() if header else raw
    text = "\n\n".join(x for x in body.split("\n") if x.strip())
    props = document.core_properties
    if header:
        return build(
            source, text, title=header.title, date=header.date, source_url=header.source,
            publisher=header.publisher, doc_type=header.doc_type, infer_date=False,
            jurisdiction=header.jurisdiction,
        )
    return build(source, text, title=(props.title or "").strip() or None,
                 publisher=(props.author or "").strip() or None)
