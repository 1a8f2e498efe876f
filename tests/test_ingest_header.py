"""The corpus header block and date inference."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.header import find_date, normalise_date, parse_header
from ingest.loaders import load_document
from ingest.models import SourceFile
from ingest.settings import SAMPLES_DIR, Settings

HEADER = (
    "Title: A test paper\nSource: https://example.org/paper\nPublisher: Example Unit\n"
    "Date: 2023-07\nType: briefing\nNote: our own words\n---\nBody starts here.\n"
)


def _load(path: Path):
    return load_document(SourceFile(path=path, root=path.parent, doc_id=path.stem), Settings())


def test_parse_header_fields_and_body_offset():
    header = parse_header(HEADER)
    assert header is not None
    assert header.title == "A test paper"
    assert header.source == "https://example.org/paper"
    assert header.publisher == "Example Unit"
    assert header.date == "2023-07"
    assert header.doc_type == "briefing"
    assert header.note == "our own words"
    assert HEADER[header.body_start :] == "Body starts here.\n"


@pytest.mark.parametrize(
    "text",
    [
        "Body without any header.\n---\n",
        "Title: never closed\nPublisher: x\nBody text here.\n",
        "Publisher: x\nTitle: wrong order\n---\nBody.\n",
        "Title: x\nColour: blue\n---\nBody.\n",
    ],
)
def test_not_a_header(text):
    assert parse_header(text) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("unknown", None),
        ("", None),
        ("2024", "2024"),
        ("2024-09-27", "2024-09-27"),
        ("2024-13", None),
        ("12 June 2009", "2009-06-12"),
        ("June 2026", "2026-06"),
    ],
)
def test_normalise_date(value, expected):
    assert normalise_date(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A report\n\nJune 2026\n\nAuthors", "2026-06"),
        ("Published on 23 April 2024: the committee said", "2024-04-23"),
        ("12 Jun 2009 by Karl", "2009-06-12"),
        ("Posted March 3, 2021 by staff", "2021-03-03"),
        ("Nothing dated here, only the year 2024 in passing.", None),
    ],
)
def test_find_date(text, expected):
    assert find_date(text) == expected


def test_header_becomes_metadata_and_is_not_text(tmp_path):
    path = tmp_path / "paper.txt"
    path.write_text(HEADER, encoding="utf-8")
    doc = _load(path)
    assert doc.meta.title == "A test paper"
    assert doc.meta.publisher == "Example Unit"
    assert doc.meta.date == "2023-07"
    assert doc.meta.doc_type == "briefing"
    assert doc.meta.source == "https://example.org/paper"
    assert doc.text == "Body starts here."


def test_unknown_header_date_is_not_guessed_from_text(tmp_path):
    path = tmp_path / "undated.txt"
    path.write_text(
        HEADER.replace("Date: 2023-07", "Date: unknown")
        + "\nThe first mayor was elected in May 2000.\n",
        encoding="utf-8",
    )
    assert _load(path).meta.date is None


def test_without_header_title_and_date_are_inferred(tmp_path):
    md = tmp_path / "no-header.md"
    md.write_text("# Devolution in brief\n\n23 April 2024\n\nThe body of the note.\n")
    doc = _load(md)
    assert doc.meta.title == "Devolution in brief"
    assert doc.meta.date == "2024-04-23"
    plain = tmp_path / "plain-note_2.txt"
    plain.write_text("This note starts with a sentence. It has no date at all.\n")
    doc = _load(plain)
    assert doc.meta.title == "Plain note 2"
    assert doc.meta.date is None


def test_every_sample_header_is_parsed_and_kept_out_of_the_text():
    for path in sorted(SAMPLES_DIR.glob("*.*")):
        if path.suffix not in {".txt", ".md"}:
            continue
        doc = _load(path)
        assert doc.meta.publisher == "igr-assistant project", path.name
        assert doc.meta.doc_type == "primer", path.name
        assert "Publisher:" not in doc.text and "\n---\n" not in doc.text, path.name


def test_yaml_front_matter_is_accepted(tmp_path):
    path = tmp_path / "front.md"
    path.write_text(
        '---\ntitle: "Front matter note"\ndate: 2021-06-30\ntags: [igr]\n---\n# Heading\n\nBody.\n'
    )
    doc = _load(path)
    assert doc.meta.title == "Front matter note" and doc.meta.date == "2021-06-30"
    assert doc.text == "# Heading\n\nBody."
    assert parse_header("---\nnot: closed\nBody text here that is prose.\n") is None
    assert parse_header("---\n---\nBody.\n") is None
