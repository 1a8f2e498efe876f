"""Hostile files at ingest (issue 10): bounded cost, limits checked while reading, hidden
HTML dropped, alternatives for one doc_id, symbolic links, rich markup in titles.

Every input is written here. Timing goals live in bench/hostile.py; these tests check the
bounds (lengths, counts, reasons), and the old quadratic code would run past the suite's
timeout on the sizes used.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from pypdf import PdfWriter

from ingest.chunking import chunk_document
from ingest.errors import UnreadableFile
from ingest.loaders import load_document
from ingest.models import SourceFile
from ingest.sentences import sentence_spans
from ingest.settings import Settings
from tests.conftest import make_settings
from tests.hostile_files import (
    unpunctuated_lines,
    write_declared_size_bomb,
    write_docx_bomb,
    write_unpunctuated,
)


def _source(path: Path) -> SourceFile:
    return SourceFile(path=path, root=path.parent, doc_id=path.stem)


def _reason(path: Path, settings: Settings) -> str:
    with pytest.raises(UnreadableFile) as info:
        load_document(_source(path), settings)
    reason = str(info.value)
    assert reason and "\n" not in reason and len(reason) < 200
    return reason


# --- 1. sentence splitting and chunking: linear, every piece capped ----------------------


def test_unpunctuated_lines_split_into_capped_sentences() -> None:
    text = unpunctuated_lines(50_000)  # 4 MB; 4k lines took 49 s before
    spans = sentence_spans(text, max_chars=900)
    assert all(0 < e - s <= 900 for s, e in spans)
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    covered = sum(e - s for s, e in spans)
    assert covered >= 0.95 * len(text.replace("\n", " ").strip())
    assert len(spans) >= len(text) // 900


@pytest.mark.parametrize(
    "text",
    ["x" * 50_000, "a" + "." * 100_000 + " b", "**a " * 50_000, "__a " * 50_000,
     "word " * 40_000],
    ids=["no-spaces", "dots", "bold-openers", "underscore-openers", "one-long-sentence"],
)
def test_pathological_lines_are_cut_at_the_cap(text: str) -> None:
    spans = sentence_spans(text, max_chars=500)
    assert spans and all(e - s <= 500 for s, e in spans)
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


def test_a_hostile_text_file_becomes_bounded_chunks(tmp_path: Path) -> None:
    path = write_unpunctuated(tmp_path / "notes.txt", 20_000)
    settings = Settings()
    chunks = chunk_document(load_document(_source(path), settings), settings)
    assert len(chunks) > 500
    assert max(len(c.page_content) for c in chunks) <= settings.max_sentence_chars


def test_document_text_over_the_limit_is_skipped(tmp_path: Path) -> None:
    path = write_unpunctuated(tmp_path / "long.txt", 2000)
    assert "max_document_chars=10000" in _reason(path, Settings(max_document_chars=10_000))


# --- 2. limits checked while reading ----------------------------------------------------


def test_docx_zip_bomb_is_refused_before_python_docx_parses_it(tmp_path: Path) -> None:
    bomb = write_docx_bomb(tmp_path / "bomb.docx", 300_000)  # ~10 KB on disk
    assert bomb.stat().st_size < 100_000
    assert "max_docx_paragraphs=50000" in _reason(bomb, Settings())


def test_docx_declaring_a_huge_part_is_refused_unread(tmp_path: Path) -> None:
    bomb = write_declared_size_bomb(tmp_path / "declared.docx", 900)
    assert "max_docx_unpacked_mb=40" in _reason(bomb, Settings())


def test_docx_within_the_limits_still_loads(tmp_path: Path) -> None:
    path = write_docx_bomb(tmp_path / "fine.docx", 2_000, text="A line about harbour boards.")
    doc = load_document(_source(path), Settings())
    assert doc.text.count("A line about harbour boards.") == 2_000


def _pdf(pages: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for n in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Page {n + 1} of a note about shared harbour boards. " * 20)
    return bytes(pdf.output())


def test_pdf_page_and_text_limits(tmp_path: Path) -> None:
    path = tmp_path / "pages.pdf"
    path.write_bytes(_pdf(4))
    assert "max_pdf_pages=3" in _reason(path, Settings(max_pdf_pages=3))
    assert "max_document_chars=2000" in _reason(path, Settings(max_document_chars=2000))
    assert load_document(_source(path), Settings()).meta.pages == 4


def test_html_over_its_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<html><body>" + "<p>A paragraph of notes.</p>" * 5000 + "</body></html>")
    assert "max_html_mb=0.05" in _reason(path, Settings(max_html_mb=0.05))


def test_the_per_file_time_budget_skips_the_file_and_not_the_run(tmp_path: Path) -> None:
    from vectorstore.indexer import index_paths

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_unpunctuated(corpus / "slow.txt", 5000)
    settings = make_settings(tmp_path / "store", ingest_file_seconds=1e-9)
    report = index_paths([corpus], settings)
    assert report.added == 0
    assert "ingest_file_seconds" in report.skipped[0].reason


# --- hidden HTML -------------------------------------------------------------------------

HIDDEN_PAGE = """<html><head><title>Harbour note</title>
<style>.ghost { display : none } #gone{visibility:hidden}
@media print {.paper{display:none}}</style>
</head><body><main>
<h1>Harbour note</h1>
<p>The harbour board meets every six weeks in Oban.</p>
<p style="display:none">PLANTED-ONE display none.</p>
<p style="display: /* disguised */ n\\one">PLANTED-TWO escaped.</p>
<p hidden>PLANTED-THREE hidden attribute.</p>
<div aria-hidden="true"><p>PLANTED-FOUR aria hidden.</p></div>
<p style="color:#FFFFFF">PLANTED-FIVE white on white.</p>
<p style="color: rgb(254, 254, 254); background-color: white">PLANTED-SIX near white.</p>
<p style="font-size:0px">PLANTED-SEVEN zero size.</p>
<p style="position:absolute; left:-9999px">PLANTED-EIGHT off screen.</p>
<p class="ghost">PLANTED-NINE class rule.</p>
<p id="gone">PLANTED-TEN id rule.</p>
<p style="opacity:0">PLANTED-ELEVEN transparent.</p>
<span style="width:0;height:0;overflow:hidden">PLANTED-TWELVE zero box.</span>
<div style="background:#003366"><p style="color:#fff">White on navy is visible.</p></div>
<p class="paper">Print-only rules do not hide on screen.</p>
<p style="color:#444">Grey text is visible.</p>
</main></body></html>"""


def test_hidden_html_content_is_dropped_at_load(tmp_path: Path) -> None:
    path = tmp_path / "harbour.html"
    path.write_text(HIDDEN_PAGE)
    text = load_document(_source(path), Settings()).text
    assert "PLANTED" not in text
    for visible in ("meets every six weeks", "White on navy is visible",
                    "Print-only rules do not hide", "Grey text is visible"):
        assert visible in text


# --- 6. two files with one doc_id: the readable one is indexed -------------------------


def test_an_unreadable_pdf_does_not_hide_a_good_text_of_the_same_name(tmp_path: Path) -> None:
    from vectorstore.indexer import index_paths

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)  # no text layer
    buffer = io.BytesIO()
    writer.write(buffer)
    (corpus / "kite.pdf").write_bytes(buffer.getvalue())
    (corpus / "kite.txt").write_text("Kite flying on the common is allowed after 10am on weekdays.")
    settings = make_settings(tmp_path / "store")
    report = index_paths([corpus], settings)
    assert report.added == 1
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert "no extractable text" in reasons["kite.pdf"]
    from vectorstore.catalog import list_documents
    from vectorstore.store import open_store

    assert [d.doc_id for d in list_documents(open_store(settings))] == ["kite"]
    again = index_paths([corpus], settings)
    assert again.unchanged == 1 and again.added == 0 and again.chunks_embedded == 0


# --- 8. symbolic links in a folder are not followed ------------------------------------


def test_a_symlink_in_a_folder_is_skipped_not_followed(tmp_path: Path) -> None:
    from ingest.discovery import discover

    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("The private key of the harbour master is HUNTER2.")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text("The ferry leaves at noon.")
    os.symlink(secret, corpus / "linked.txt")
    os.symlink(secret.parent, corpus / "linked-folder")
    sources, skipped = discover([corpus], Settings())
    assert [s.doc_id for s in sources] == ["note"]
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert "not followed" in reasons["linked.txt"] and "not followed" in reasons["linked-folder"]
    assert [s.doc_id for s in discover([corpus / "linked.txt"], Settings())[0]] == ["linked"]


# --- 7. titles are data, not rich markup ------------------------------------------------


@pytest.mark.slow
def test_igr_docs_prints_markup_and_emoji_codes_in_titles_literally(tmp_path: Path) -> None:
    from tests.test_cli_ingest import igr

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    title = "Plan [/bold] for [red]ports[/red] :x: :thumbs_up:"
    (corpus / "plan.txt").write_text(
        f"Title: {title}\nDate: 2024-05-01\n---\nThe ports plan covers three harbours.\n"
    )
    store = tmp_path / "store"
    assert igr(store, "ingest", str(corpus)).returncode == 0
    listed = igr(store, "docs")
    assert listed.returncode == 0, listed.stderr
    assert "[/bold]" in listed.stdout and "[red]ports[/red]" in listed.stdout
    assert ":x:" in listed.stdout and "❌" not in listed.stdout
    assert json.loads(igr(store, "docs", "--json").stdout)[0]["title"] == title
