"""Jurisdiction tagging at ingest: mentions, decision rules, header override, filters."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.cli.ask_cmd import parse_filters
from assistant.models import SearchFilters
from ingest.chunking import chunk_document
from ingest.errors import UnreadableFile
from ingest.jurisdiction import (
    JurisdictionRules,
    count_mentions,
    decide,
    find_bodies,
    named_jurisdictions,
    parse_codes,
    tag_document,
)
from ingest.loaders import load_document
from ingest.models import SourceFile
from ingest.settings import Settings
from vectorstore.filters import ChunkFilter, jurisdiction_flags

RULES = JurisdictionRules(min_mentions=2, min_share=0.5, uk_min_wide=1,
                          uk_government_weight=0.34, uk_government_alone=True,
                          uk_min_nations=2, inherit="untagged")


def test_mentions_count_nations_bodies_and_uk_wide_phrases():
    found = count_mentions(
        "The Welsh Government wrote to the Senedd. Cardiff agreed. Across the UK, the "
        "Interministerial Standing Committee met; HM Treasury attended."
    )
    assert found.nations["wales"] == 3
    assert found.uk_wide == 2 and found.uk_government == 1
    assert found.bodies["Welsh Government"] == 1 and found.bodies["Senedd"] == 1


def test_the_longest_overlapping_term_wins():
    bodies = find_bodies("Later the UK Parliament and New South Wales officials met.")
    assert [b.body for b in bodies] == ["UK Parliament"]
    found = count_mentions("Officials from New South Wales and Northern Ireland met.")
    assert "wales" not in found.nations  # "New South Wales" is outside the UK
    assert found.nations["international"] == 1 and found.nations["northern-ireland"] == 1


def test_explicit_only_phrases_tag_the_nation_and_rule_out_uk_wide():
    found = count_mentions("This change applies only to England. Across the UK nothing moves.")
    assert found.only == {"england"}
    assert decide(found, RULES) == {"england"}


def test_a_passing_mention_beside_the_main_subject_is_not_a_tag():
    text = ("The Scottish Government and the Scottish Parliament agreed the Scottish budget; "
            "Holyrood voted. Australia was mentioned once.")
    assert decide(count_mentions(text), RULES) == {"scotland"}


def test_uk_government_beside_one_nation_is_bilateral_not_uk_wide():
    bilateral = "The UK Government and the Welsh Government agreed; the Welsh Government said."
    assert decide(count_mentions(bilateral), RULES) == {"wales"}
    alone = "The UK Government said so. The UK Government and HM Treasury agreed."
    assert decide(count_mentions(alone), RULES) == {"uk"}


def test_chunks_naming_nothing_take_their_document_context():
    tags = tag_document(
        ["Officials met twice and agreed a plan.", "Scotland and the Scottish Government."],
        RULES, title="A note on Welsh budgets", publisher="Welsh Government",
    )
    assert tags.chunks == [["wales"], ["scotland"]]
    assert tags.document == ["scotland", "wales"]
    override = tag_document(["Anything at all."], RULES, override=["northern-ireland"])
    assert override.chunks == [["northern-ireland"]]


def test_parse_codes_accepts_names_and_lists_and_rejects_unknown_ones():
    assert parse_codes("England and Wales") == ["england", "wales"]
    assert parse_codes(["Northern Ireland", "UK-wide"]) == ["uk", "northern-ireland"]
    assert parse_codes("ni, scotland") == ["scotland", "northern-ireland"]
    with pytest.raises(ValueError, match="unknown jurisdiction 'Narnia'"):
        parse_codes("Narnia")


def test_question_names_its_jurisdictions():
    assert named_jurisdictions("How is the Senedd consulted on Welsh bills?") == ["wales"]
    assert named_jurisdictions("What is a legislative consent motion?") == []


def _write(tmp_path: Path, header_value: str) -> Path:
    path = tmp_path / "note.txt"
    path.write_text(
        f"Title: A short note\nPublisher: Example Unit\nDate: 2024\nType: briefing\n"
        f"Jurisdiction: {header_value}\n---\nThe Welsh Government and the Senedd agreed a new "
        "budget process. Cardiff officials will report twice a year.\n",
        encoding="utf-8",
    )
    return path


def test_header_jurisdiction_overrides_the_tagger(tmp_path):
    path = _write(tmp_path, "Scotland")
    settings = Settings(store_dir=tmp_path / "store")
    doc = load_document(SourceFile(path=path, root=tmp_path, doc_id="note"), settings)
    assert doc.meta.jurisdiction == ["scotland"]
    chunks = chunk_document(doc, settings)
    assert {c.metadata["jurisdictions"] for c in chunks} == {"scotland"}
    assert {c.metadata["doc_jurisdictions"] for c in chunks} == {"scotland"}


def test_without_the_header_the_text_decides(tmp_path):
    path = _write(tmp_path, "UK-wide")
    text = path.read_text(encoding="utf-8").replace("Jurisdiction: UK-wide\n", "")
    path.write_text(text, encoding="utf-8")
    settings = Settings(store_dir=tmp_path / "store")
    doc = load_document(SourceFile(path=path, root=tmp_path, doc_id="note"), settings)
    chunks = chunk_document(doc, settings)
    assert chunks[0].metadata["jurisdictions"] == "wales"
    assert "acting" not in chunks[0].metadata  # each body named once: none stands out


def test_the_acting_body_is_the_one_named_most():
    from ingest.jurisdiction import acting_body

    twice = count_mentions("The Welsh Government proposed it; the Senedd debated; the Welsh "
                           "Government then agreed.")
    assert acting_body(twice) == "Welsh Government"
    assert acting_body(count_mentions("The Welsh Government and the Senedd.")) is None


def test_an_unknown_header_jurisdiction_makes_the_file_unreadable(tmp_path):
    path = _write(tmp_path, "Atlantis")
    with pytest.raises(UnreadableFile, match="header Jurisdiction: unknown jurisdiction"):
        load_document(SourceFile(path=path, root=tmp_path, doc_id="note"), Settings())


def test_chunk_filter_where_and_python_predicate_agree():
    one = ChunkFilter(jurisdictions=["Scotland"])
    assert one.to_where() == {"jur_scotland": True}
    two = ChunkFilter(jurisdictions=["wales", "northern ireland"], doc_types=["report"])
    assert two.to_where() == {"$and": [
        {"doc_type": {"$in": ["report"]}},
        {"$or": [{"jur_wales": True}, {"jur_northern_ireland": True}]},
    ]}
    scottish = {"doc_type": "report", **jurisdiction_flags("uk,scotland")}
    welsh = {"doc_type": "report", **jurisdiction_flags("wales")}
    assert one.matches(scottish) and not one.matches(welsh)
    assert two.matches(welsh) and not two.matches(scottish)
    assert not one.matches({"doc_type": "report"})  # untagged chunks do not match
    with pytest.raises(ValidationError):
        ChunkFilter(jurisdictions=["Mars"])


def test_search_filters_and_the_cli_take_jurisdictions():
    assert SearchFilters(jurisdiction=["Northern Ireland"]).jurisdiction == ["northern-ireland"]
    with pytest.raises(ValidationError, match="unknown jurisdiction"):
        SearchFilters(jurisdiction=["Gondor"])
    parsed = parse_filters(["jurisdiction=scotland,wales", "type=report"])
    assert parsed is not None and parsed.jurisdiction == ["scotland", "wales"]
