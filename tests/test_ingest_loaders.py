"""Each loader on the bundled samples and on generated .docx/.html files."""

from __future__ import annotations

from pathlib import Path

import docx

from ingest.loaders import load_document
from ingest.models import SourceFile
from ingest.settings import SAMPLES_DIR, Settings


def _load(path: Path):
    return load_document(SourceFile(path=path, root=path.parent, doc_id=path.stem), Settings())


def test_markdown_sample_keeps_headings_and_drops_decoration():
    doc = _load(SAMPLES_DIR / "igr-structures-2022.md")
    assert doc.meta.title.startswith("How UK intergovernmental relations are organised")
    assert doc.meta.date == "2025-03" and doc.page_starts is None and doc.meta.pages is None
    assert "## The three tiers" in doc.text
    assert "13 January 2022" in doc.text
    assert len(doc.content_hash) == 64


def test_text_sample():
    doc = _load(SAMPLES_DIR / "sewel-convention-and-legislative-consent.txt")
    assert doc.meta.date == "2025-02-14"
    assert "s.28(8) into the Scotland Act 1998" in doc.text
    assert doc.text.startswith("The Sewel convention and legislative consent")


def test_html_sample_metadata_body_and_no_furniture():
    doc = _load(SAMPLES_DIR / "barnett-formula-in-outline.html")
    assert doc.meta.title == "The Barnett formula in outline"
    assert doc.meta.date == "2025-01-20"
    assert doc.meta.publisher == "igr-assistant project"
    assert doc.meta.doc_type == "primer"
    for body in [
        "The formula is named after Joel Barnett, who was Chief Secretary to the Treasury",
        "with a floor set at 115 per cent of comparable spending per head in England",
        "- a comparability percentage, which measures how far",
        "## How the calculation works",
        "This effect is often called the Barnett squeeze.",
    ]:
        assert body in doc.text, body
    for junk in [
        "cookies",
        "Skip to main content",
        "Home",
        "Share on",
        "newsletter",
        "Your email address will not be published",
        "There are no comments",
        "More articles",
        "Ten things you never knew",
        "Copyright",
        "Privacy policy",
        "window.analytics",
        "font-family",
    ]:
        assert junk not in doc.text, junk


def test_html_without_metadata_infers_title_and_date(tmp_path):
    path = tmp_path / "bare.htm"
    path.write_text(
        "<html><body><nav><a href='/'>Home</a></nav><h1>A bare page</h1>"
        "<p>Published 5 May 2021.</p><p>Some <b>bold</b> and <a href='#'>linked</a> words "
        "in one sentence.</p></body></html>"
    )
    doc = _load(path)
    assert doc.meta.title == "A bare page"
    assert doc.meta.date == "2021-05-05"
    assert "Some bold and linked words in one sentence." in doc.text
    assert "Home" not in doc.text


def test_html_article_header_is_kept_but_site_header_dropped(tmp_path):
    path = tmp_path / "article.html"
    path.write_text(
        "<html><body><header><p>Site banner text</p></header><article><header>"
        "<h1>The article heading</h1><p>By a named author.</p></header>"
        "<p>The first paragraph of the article body is here.</p></article></body></html>"
    )
    doc = _load(path)
    assert doc.text.startswith("# The article heading")
    assert "The first paragraph of the article body is here." in doc.text
    assert "Site banner" not in doc.text


def test_pdf_sample_pages_title_and_furniture():
    doc = _load(SAMPLES_DIR / "dispute-resolution-in-igr.pdf")
    assert doc.meta.title == "Dispute resolution in UK intergovernmental relations"
    assert doc.meta.pages == 3 and len(doc.page_starts) == 3 and doc.page_starts[0] == 0
    assert doc.meta.date == "2025-03"
    assert "Page 1 of 3" not in doc.text and "igr-assistant primer -" not in doc.text
    page2 = doc.text[doc.page_starts[1] : doc.page_starts[2]]
    assert "independent third-party advice, mediation or facilitation" in page2
    page1 = doc.text[: doc.page_starts[1]]
    assert "Treasury acted as both a party" in page1 and "Treasury acted" not in page2
    # wrapped lines are joined into paragraphs
    assert (
        "Before 2022, disputes were handled under a protocol attached to the Memorandum of "
        "Understanding that set up the Joint Ministerial Committee in 1999." in doc.text
    )


def _docx(path: Path, with_header: bool) -> None:
    document = docx.Document()
    document.core_properties.title = "Core title of the note"
    document.core_properties.author = "Docx Author"
    if with_header:
        for line in ["Title: Header title", "Publisher: Header Unit", "Date: 2022-02", "---"]:
            document.add_paragraph(line)
    document.add_heading("Funding disputes", level=1)
    document.add_paragraph("The Finance committee considers funding disputes first.")
    document.add_paragraph("First bullet point", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Council"
    table.rows[0].cells[1].text = "Top tier"
    document.save(str(path))


def test_docx_paragraphs_headings_lists_and_tables(tmp_path):
    path = tmp_path / "note.docx"
    _docx(path, with_header=False)
    doc = _load(path)
    assert doc.meta.title == "Core title of the note"
    assert doc.meta.publisher == "Docx Author"
    assert "# Funding disputes" in doc.text
    assert "The Finance committee considers funding disputes first." in doc.text
    assert "- First bullet point" in doc.text
    assert "Council | Top tier" in doc.text


def test_docx_with_header_block(tmp_path):
    path = tmp_path / "headed.docx"
    _docx(path, with_header=True)
    doc = _load(path)
    assert doc.meta.title == "Header title"
    assert doc.meta.publisher == "Header Unit" and doc.meta.date == "2022-02"
    assert "Title:" not in doc.text


def test_loading_is_deterministic():
    path = SAMPLES_DIR / "dispute-resolution-in-igr.pdf"
    assert _load(path) == _load(path)
