"""Cleaning on the real shared files: junk never reaches a chunk, body sentences do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.cleaning import (
    clean_web_text,
    find_running_lines,
    join_pdf_lines,
    strip_markup,
    strip_page_furniture,
)
from ingest.loaders import load_document
from ingest.models import SourceFile
from ingest.settings import Settings

SEEDS: dict[str, dict[str, list[str]]] = {
    "pse-igr-annual-report-2021": {
        "junk": [
            "Woman on a panel talking at a meeting",
            "Register your interest here",
            "Cost of living crisis",
            "PSE Jan/Dec 22",
            "Our December/January 2022 edition of PSE brings you expert comment",
            "View all videos",
            "Be A Part Of It!",
            "Upcoming Webinar",
            "Join us on 13 September between 2:00pm-2:45pm",
            "Guest Panellists:",
            "Ben Tongue, Digital Net Zero Lead",
            "More articles...",
        ],
        "body": [
            "there were more than 440 ministerial meetings between the UK Government and the "
            "devolved administrations held during 2021",
            "with the first – chaired by Mr Gove – meeting last week to discuss the global "
            "political situation and levelling up",
            "As part of a commitment to transparency, the UK Government is to publish reports",
            "This new structure has also seen a new mechanism introduced for avoiding, "
            "escalating and resolving disputes",
            "Prepared by the Department for Levelling Up, Housing and Communities",
        ],
    },
    "pse-weak-local-central-relations-devolution-deals": {
        "junk": [
            "Latest Public Sector News",
            "There are no comments. Why not be the first?",
            "Add your comment",
            "public sector executive tv",
            "more videos >",
            "Prevention: Investing for the future",
            "Rob Whiteman, CEO at the Chartered Institute",
            "View all News",
            "Peter Kyle MP",
            "How community-led initiatives can help save the housing shortage",
            "Artificial intelligence: the devil is in the data",
        ],
        "body": [
            "many councillors having to rush over the summer to prepare their bids ahead of the "
            "September deadline",
            "Whitehall will need to come to terms with its new role.",
            "Dr Jo Casebourne, IfG’s programme director, argued now is the “best chance we have”",
            "PSE has asked the Treasury for comment on its long-term relationship with the "
            "devolution process, but has not yet heard back.",
            "Sustainable devolution could be at risk due to weak central-local relations",
        ],
    },
    "cadence-central-local-relations-and-trust": {
        "junk": [
            "More on cadence",
            "your comments",
            "Write a comment",
            "Required fields are marked with *.",
            "If you have trouble reading the code",
        ],
        "body": [
            "The new Communities and Local Government Secretary John Denham has pledged",
            "launched a new Asset Transfer Unit, to support councils and other public bodies to "
            "transfer more buildings into community ownership",
            "signed ten Multi-Area Agreements between neighbouring councils",
            "12 Jun 2009 by Karl Hallam",
            "announced two City-Region pilots which will give new powers to Greater Manchester "
            "and Leeds",
        ],
    },
    "anderson-igr-promising-steps-cultural-change": {
        "junk": ["](#)", "**Council of the Nations", "*Dr Paul Anderson", "\\["],
        "body": [
            "to stymie its ingrained power-hoarding impulse. Labour, however, must also guard "
            "against its entrenched centralist instincts.",
            "two new intergovernmental bodies were established: the Council of the Nations and "
            "Regions and the Mayoral Council.",
            "signalling the Government's commitment to a sustained dialogue",
            "ensures \"mayors have a proper seat at the table [to] shape the future of English "
            "devolution\".",
            "Dr Paul Anderson is Senior Lecturer in Politics at Liverpool John Moores University.",
        ],
    },
}

PDF_BODY = [
    '"Good faith" political disclosure and a "disposition to cooperate" were considered at the '
    "roundtable to be more influential in the success of IGR than formal codification.",
    "Each of these issues would benefit from a greater sense of shared endeavour, of mutual "
    "understanding across governments, and collaborative action where it can be agreed.",
    "This system allows nation-building infrastructure projects to be discussed in a shared "
    "forum.",
    "1,035 were polled in Scotland, and 806 in Wales.",
    "The Open University has been awarded £1m in funding from Dangoor Education to establish "
    "and run PolicyWISE.",
    "everyone who has shared insights with us as part of our ongoing work",
]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _chunks(path: Path, root: Path) -> list[str]:
    settings = Settings()
    source = SourceFile(path=path, root=root, doc_id=path.stem)
    doc = load_document(source, settings)
    return [_flat(c.page_content) for c in chunk_document(doc, settings)]


@pytest.mark.parametrize("stem", sorted(SEEDS))
def test_seed_junk_is_dropped_and_body_kept(shared_corpus, stem):
    chunks = _chunks(shared_corpus / "seeds" / f"{stem}.txt", shared_corpus)
    raw = (shared_corpus / "seeds" / f"{stem}.txt").read_text(encoding="utf-8")
    for junk in SEEDS[stem]["junk"]:
        assert junk in raw or junk == "\\[", f"test junk line not in the source: {junk}"
        assert not any(junk.lower() in c.lower() for c in chunks), junk
    for body in SEEDS[stem]["body"]:
        assert any(_flat(body) in c for c in chunks), body


def test_pdf_running_header_footer_and_page_numbers_are_dropped(shared_corpus):
    path = shared_corpus / "pdf" / "policywise-strength-to-cooperate-2026.pdf"
    settings = Settings()
    doc = load_document(SourceFile(path=path, root=shared_corpus, doc_id="pdf/x"), settings)
    header = (
        "The strength to co-operate: the case for collaborative governance to achieve shared "
        "policy goals across the United Kingdom, 2026-2029"
    )
    assert doc.meta.title == header  # the running header is the title, and only metadata
    assert header not in doc.text
    assert not re.search(r"(?m)^Page \d+$", doc.text)
    assert "**" not in doc.text
    chunks = [_flat(c.page_content) for c in chunk_document(doc, settings)]
    assert not any(re.search(r"\bPage \d+\b", c) for c in chunks)
    for body in PDF_BODY:
        assert any(_flat(body) in c for c in chunks), body
    # hyphens at line ends: compounds kept, words joined
    assert "cross-nation roundtables" in doc.text and "co-ordinated strategic attention" in doc.text


def test_running_lines_detection():
    words = ["alpha", "beta", "gamma", "delta"]
    pages = [
        [
            "Report title 2024",
            f"Opening {w} sentence of the page.",
            f"Middle {w} sentence.",
            f"Closing {w} sentence of the page.",
            f"Page {i}",
        ]
        for i, w in enumerate(words, start=1)
    ]
    assert find_running_lines(pages) == {"report title #", "page #"}
    cleaned, header = strip_page_furniture(["\n".join(p) for p in pages])
    assert header == "Report title 2024"
    assert cleaned[0] == (
        "Opening alpha sentence of the page.\nMiddle alpha sentence.\n"
        "Closing alpha sentence of the page."
    )
    assert find_running_lines(pages[:1]) == set()


def test_join_pdf_lines_paragraphs_headings_bullets_and_hyphens():
    text = (
        "A long line of body text that wraps around at the right margin of the page and\n"
        "continues here with a govern-\n"
        "ment decision about co-\n"
        "operation. Short last line.\n"
        "Heading Here\n"
        "- a bullet item\n"
        "- another bullet item"
    )
    joined = join_pdf_lines(text)
    assert joined.split("\n\n") == [
        "A long line of body text that wraps around at the right margin of the page and "
        "continues here with a government decision about co-operation. Short last line.",
        "Heading Here",
        "- a bullet item",
        "- another bullet item",
    ]


def test_strip_markup():
    assert strip_markup("See [the report](https://x.org/a_(b)) and **bold** *it*.") == (
        "See the report and bold it."
    )
    assert strip_markup("* a bullet stays\n# heading stays") == "* a bullet stays\n# heading stays"


def test_clean_web_text_generic_rules():
    text = (
        "Skip to main content\nHome\nBanner caption line\nMy article title\n"
        "First paragraph of real prose that says something useful about devolution.\n"
        "Related box\nSecond real paragraph, again with enough words to be prose.\n"
        "Related box\nShare this article\nThird paragraph of prose, which ends the article.\n"
        "There are no comments yet.\nA promo paragraph that should go with the tail."
    )
    cleaned = clean_web_text(text, title="My article title").split("\n")
    assert cleaned == [
        "My article title",
        "First paragraph of real prose that says something useful about devolution.",
        "Second real paragraph, again with enough words to be prose.",
        "Third paragraph of prose, which ends the article.",
    ]


def test_tail_marker_early_in_a_page_only_drops_its_line():
    text = (
        "Latest news\nThe article body starts here with a full sentence of prose.\n"
        + "More prose follows in this paragraph, which is long enough to count. " * 5
    )
    cleaned = clean_web_text(text)
    assert cleaned.startswith("The article body starts here")
    assert cleaned.endswith("long enough to count.")


def test_repeated_data_lines_and_adjacent_duplicates_are_kept_once():
    text = (
        "Greater Manchester\nParty in control: Labour\nInvestment fund: £900m\n"
        "Sheffield City Region\nParty in control: Labour\nInvestment fund: £900m\n"
        "West Yorkshire\n\nWest Yorkshire\nMember councils include Leeds and Wakefield.\n"
        "Image caption,\nA figure.\nImage caption,\nAnother figure."
    )
    cleaned = clean_web_text(text).split("\n")
    assert cleaned.count("Party in control: Labour") == 2
    assert cleaned.count("Investment fund: £900m") == 2
    assert cleaned.count("West Yorkshire") == 1
    assert "Image caption," not in cleaned


def test_wiki_headings_become_markdown_headings():
    assert strip_markup("==Background==\nText.\n= Title =") == "## Background\nText.\n# Title"


def test_dev_evidence_survives_cleaning_in_the_kept_copy(shared_corpus):
    """Every evidence string of the shared dev set is in the cleaned text of its source
    (for a report held twice, in the copy dedup keeps), so cleaning loses no answer."""
    import json

    from ingest.dedup import find_duplicates
    from ingest.discovery import discover

    settings = Settings()
    sources, _ = discover([shared_corpus], settings)
    docs = [load_document(s, settings) for s in sources]
    dropped = {doc_id for doc_id, _ in find_duplicates(docs)}
    by_stem: dict[str, list[str]] = {}
    for doc in docs:
        if doc.meta.doc_id not in dropped:
            by_stem.setdefault(Path(doc.meta.path).stem, []).append(_flat(doc.text))
    lines = (shared_corpus.parent / "evals" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    checked = 0
    for item in map(json.loads, filter(str.strip, lines)):
        for evidence in item.get("evidence", []):
            texts = [t for stem in item["sources"] for t in by_stem.get(stem, [])]
            assert any(_flat(evidence) in t for t in texts), (item["id"], evidence)
            checked += 1
    assert checked >= 20


def test_tail_markers_inside_body_sentences_do_not_cut():
    body = [
        "The first paragraph of the article explains the new arrangements in detail.",
        "Ministers may post a reply to the committee within two months of the report.",
        "Members said there are no comments yet from the Treasury on the proposals.",
        "The final paragraph closes the article with a summary of what happens next.",
    ]
    assert clean_web_text("\n".join(body)).split("\n") == body
