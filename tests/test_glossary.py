"""The glossary: terms found from the text, verbatim cited quotes, trainer additions, lookup."""

from __future__ import annotations

import pytest

from assistant.glossary import (
    GlossaryError,
    TrainerAdditions,
    TrainerTerm,
    abbreviates,
    build_glossary,
    definition_tier,
    load_additions,
)
from ingest.models import ChunkMetadata
from ingest.settings import Settings
from vectorstore.models import StoredChunk

# Our own writing, about an imaginary federation, so no answer can come from elsewhere.
DOCS = {
    "alpha": [
        "The Harbour Compact is a written agreement between the four island councils on how "
        "fishing quotas are shared. Councils meet each spring to review it.",
        "The Joint Tidal Board (JTB) brings together the ministers of every island council "
        "twice a year. Dr Mira Olsen is a senior adviser to the board.",
    ],
    "beta": [
        "Under the Harbour Compact, each island council keeps its own licensing rules. The "
        "Joint Tidal Board met in Portmere last May.",
        "A tidal levy is a charge on each vessel that lands fish in a council harbour. Dr Mira "
        "Olsen said the levy was fair.",
    ],
    "gamma": [
        "Disputes about the tidal levy go first to the Joint Tidal Board. The practice that "
        "grew from these meetings is known as the Quay Convention.",
        "This informal rule lets any council ask for a pause before a new levy applies. The "
        "Quay Convention has no legal force.",
    ],
    "delta": [
        "Nothing in the Quay Convention binds the courts. Island councils publish a yearly "
        "report on levies. Devolution of harbours began in 1990.",
    ],
}


def _chunks() -> list[StoredChunk]:
    chunks = []
    for doc, texts in DOCS.items():
        start = 0
        for i, text in enumerate(texts):
            meta = ChunkMetadata(chunk_id=f"{doc}-{i}", doc_id=f"web/{doc}", title=f"On {doc}",
                                 start=start, end=start + len(text), jurisdictions="uk")
            chunks.append(StoredChunk(text=text, metadata=meta))
            start += len(text) + 1
    return chunks


SETTINGS = Settings(glossary_min_documents=2)


def test_recurring_defined_terms_are_found_with_verbatim_cited_quotes():
    glossary = build_glossary(_chunks(), SETTINGS)
    by_term = {e.term: e for e in glossary.entries}
    assert "Harbour Compact" in by_term and "Joint Tidal Board" in by_term
    compact = by_term["Harbour Compact"]
    assert compact.definition.startswith("The Harbour Compact is a written agreement")
    texts = {c.metadata.chunk_id: c.text for c in _chunks()}
    for entry in glossary.entries:
        assert entry.definition in texts[entry.citation.chunk_id]  # verbatim
        assert entry.citation.quote == entry.definition
        assert entry.jurisdictions == ["uk"] and entry.documents >= 2
    assert by_term["Joint Tidal Board"].aliases == ["JTB"]
    assert by_term["tidal levy"].definition.startswith("A tidal levy is a charge")


def test_known_as_quotes_the_sentence_it_refers_back_to():
    convention = build_glossary(_chunks(), SETTINGS).lookup("quay convention")[0]
    assert convention.definition.startswith("Disputes about the tidal levy go first")
    assert convention.definition.endswith("is known as the Quay Convention.")


def test_people_one_off_terms_and_ordinary_words_are_not_terms():
    terms = {e.term.lower() for e in build_glossary(_chunks(), SETTINGS).entries}
    assert "mira olsen" not in terms and "dr mira olsen" not in terms  # a person
    assert "devolution" not in terms  # one ordinary word, written with a capital once
    assert "portmere" not in terms
    strict = build_glossary(_chunks(), Settings(glossary_min_documents=3))
    assert {e.term for e in strict.entries} == {"Joint Tidal Board"}  # in three documents


def test_definition_tiers():
    assert definition_tier("tidal levy", "A tidal levy is a charge on vessels.") == 3
    assert definition_tier("Quay Convention", "This is known as the Quay Convention.") == 3
    assert definition_tier("Joint Tidal Board", "The Joint Tidal Board brings together "
                           "ministers.") == 2
    assert definition_tier("Joint Tidal Board", "The Joint Tidal Board met in May.") == 0
    assert definition_tier("tidal levy", "A tidal levy is a charge on vessels") == 0  # heading


def test_acronyms_must_abbreviate_the_full_name():
    assert abbreviates("JTB", "Joint Tidal Board")
    assert abbreviates("IMSC", "Interministerial Standing Committee")
    assert abbreviates("MOU", "Memorandum of Understanding")
    assert not abbreviates("EN", "Joint Ministerial Committee")
    assert not abbreviates("Plenary", "Joint Ministerial Committee")


def test_lookup_by_term_alias_part_and_spelling():
    glossary = build_glossary(_chunks(), SETTINGS)
    assert [e.term for e in glossary.lookup("JTB")] == ["Joint Tidal Board"]
    assert [e.term for e in glossary.lookup("harbour compact")] == ["Harbour Compact"]
    assert [e.term for e in glossary.lookup("Tidal Board")] == ["Joint Tidal Board"]
    assert [e.term for e in glossary.lookup("Quay Convension")] == ["Quay Convention"]
    assert glossary.lookup("weather") == []


def test_trainer_terms_pinned_quotes_and_exclusions():
    additions = TrainerAdditions(
        terms=[
            TrainerTerm(term="island council", aliases=["council"]),
            TrainerTerm(term="licensing rules", doc_id="web/beta",
                        quote="each island council keeps its own licensing rules."),
        ],
        exclude=["Harbour Compact"],
    )
    glossary = build_glossary(_chunks(), SETTINGS, additions)
    by_term = {e.term: e for e in glossary.entries}
    assert "Harbour Compact" not in by_term
    assert by_term["licensing rules"].origin == "trainer"
    assert by_term["licensing rules"].citation.doc_id == "web/beta"
    assert by_term["island council"].origin == "trainer"
    assert "island council" in by_term["island council"].definition.lower()
    wrong = TrainerAdditions(terms=[TrainerTerm(term="x rule", doc_id="web/beta",
                                                quote="a sentence no document has")])
    with pytest.raises(GlossaryError, match="not in document 'web/beta'"):
        build_glossary(_chunks(), SETTINGS, wrong)
    unknown = TrainerAdditions(terms=[TrainerTerm(term="moon treaty")])
    with pytest.raises(GlossaryError, match="no document uses the term 'moon treaty'"):
        build_glossary(_chunks(), SETTINGS, unknown)


def test_the_additions_file_is_read_and_checked(tmp_path):
    good = tmp_path / "terms.yaml"
    good.write_text("terms:\n  - term: tidal levy\n    aliases: [levy]\nexclude: [JTB]\n",
                    encoding="utf-8")
    additions, digest = load_additions(good)
    assert additions.terms[0].aliases == ["levy"] and additions.exclude == ["JTB"]
    assert len(digest) == 64
    assert load_additions(None) == (TrainerAdditions(), "")
    bad = tmp_path / "bad.yaml"
    bad.write_text("terms:\n  - name: oops\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"terms\.0\.term"):
        load_additions(bad)
    half = tmp_path / "half.yaml"
    half.write_text("terms:\n  - term: tidal levy\n    quote: A tidal levy is a charge\n",
                    encoding="utf-8")
    with pytest.raises(GlossaryError, match="quote and doc_id together"):
        load_additions(half)
    with pytest.raises(GlossaryError, match="not found"):
        load_additions(tmp_path / "missing.yaml")
