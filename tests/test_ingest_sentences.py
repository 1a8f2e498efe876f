"""The sentence splitter shared by chunking, answerers and the verifier."""

from __future__ import annotations

import pytest

from ingest.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr Gove met Dr Smith. They agreed on e.g. budgets. It cost 3.5 million.",
            ["Mr Gove met Dr Smith.", "They agreed on e.g. budgets.", "It cost 3.5 million."],
        ),
        (
            "See Cm 7864 and s.28 of the Act. Then s. 28(8) applies. No. 10 said so.",
            ["See Cm 7864 and s.28 of the Act.", "Then s. 28(8) applies.", "No. 10 said so."],
        ),
        (
            "Knight, D. May, C. Ellis, H. (2026) wrote it. It was i.e. a report.",
            ["Knight, D. May, C. Ellis, H. (2026) wrote it.", "It was i.e. a report."],
        ),
        ("Is it agreed? Yes! It is.", ["Is it agreed?", "Yes!", "It is."]),
        (
            '"Good faith" matters. “Quoted.” Then more.',
            ['"Good faith" matters.', "“Quoted.”", "Then more."],
        ),
        ("It is the UK's. Next one.", ["It is the UK's.", "Next one."]),
        (
            "1. Make it routine. 2. Invest in it. 274. The memorandum says so. IV. Fourth.",
            [
                "1. Make it routine.",
                "2. Invest in it.",
                "274. The memorandum says so.",
                "IV. Fourth.",
            ],
        ),
        ("It rose by 5. Then it fell.", ["It rose by 5.", "Then it fell."]),
        # a footnote mark after the stop, bracketed or in plain digits, ends the sentence
        (
            "The review ended in 2022.[12] The panel met in Oban.4 Its report followed.",
            ["The review ended in 2022.[12]", "The panel met in Oban.4", "Its report followed."],
        ),
        # ... but not after an abbreviation, nor in a decimal
        ("See the No.2 Committee papers. Then s.28 Notes. And e.g.[3] Skye. Turnout 65.4 Rose.",
         ["See the No.2 Committee papers.", "Then s.28 Notes.", "And e.g.[3] Skye.",
          "Turnout 65.4 Rose."]),
    ],
)
def test_split_sentences_handles_abbreviations_numbers_and_initials(text, expected):
    assert split_sentences(text) == expected


def test_lines_headings_and_bullets_are_their_own_sentences():
    text = (
        "Key facts\n\n- first item without stop\n- second item. With two sentences.\n"
        "1. numbered item\nA wrapped line that\ncontinues here. End.\n\n## Heading two\nBody."
    )
    assert split_sentences(text) == [
        "Key facts",
        "- first item without stop",
        "- second item.",
        "With two sentences.",
        "1. numbered item",
        "A wrapped line that\ncontinues here.",
        "End.",
        "## Heading two",
        "Body.",
    ]


def test_spans_are_exact_stripped_and_ordered():
    text = "  First sentence here.   Second one!\n\n  Third line without stop  \n"
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "First sentence here.",
        "Second one!",
        "Third line without stop",
    ]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_empty_and_blank_text():
    assert sentence_spans("") == []
    assert split_sentences(" \n\n \t") == []


def test_lower_case_after_full_stop_does_not_split():
    assert split_sentences("The committee met on 3 Jan. in London. It agreed.") == [
        "The committee met on 3 Jan. in London.",
        "It agreed.",
    ]
