"""Small corpora of our own writing for the vector-store tests (plus checks of the helpers)."""

from __future__ import annotations

import random
from pathlib import Path

from ingest.settings import Settings

DOCS: dict[str, tuple[str, str, str, str, str]] = {
    # name: (title, publisher, date, type, body)
    "council-minutes": (
        "Minutes of the Joint Ministerial Forum, spring session",
        "Forum Secretariat",
        "2022-04-12",
        "minutes",
        "The forum met in Cardiff to review the common frameworks programme. Ministers from "
        "the four governments agreed that officials would prepare a shared work plan before "
        "the summer recess. The chair noted that the dispute avoidance protocol had not been "
        "used during the period. Members asked the secretariat to publish a summary of each "
        "meeting within four weeks, so that the legislatures could scrutinise the forum's "
        "work more easily.\n\nA paper on the Quillborough Accord on shared fisheries data was "
        "tabled and discussed at length; the accord sets out how catch statistics are pooled "
        "between the administrations and who may publish them.",
    ),
    "funding-note": (
        "A note on block grant adjustments",
        "Treasury Analysis Unit",
        "2019-11",
        "briefing",
        "Block grants for the devolved governments change each year in line with spending "
        "decisions for comparable English services. When a tax is devolved, the grant is "
        "reduced by an amount that is meant to reflect the revenue given up, and that "
        "adjustment is then indexed over time. The fiscal framework for each nation sets "
        "out the indexation method and the borrowing limits that apply. Disputes about "
        "adjustments are resolved through the finance ministers' quadrilateral.",
    ),
    "legislative-consent": (
        "Legislative consent in practice",
        "Parliament Research Service",
        "2021",
        "research-paper",
        "By convention the UK Parliament does not normally legislate on devolved matters "
        "without the consent of the devolved legislature concerned. Consent motions are "
        "debated in Holyrood, the Senedd and the Assembly. Since 2018 consent has been "
        "withheld on several occasions, and the convention has come under strain. Committees "
        "have recommended that the reasons for proceeding without consent be set out in a "
        "statement to Parliament.",
    ),
    "ireland-cooperation": (
        "North-South cooperation after 1998",
        "Institute for Cross-Border Studies",
        "2015-06-30",
        "report",
        "The Belfast/Good Friday Agreement created the North South Ministerial Council to "
        "develop co-operation across the island of Ireland. Implementation bodies work in "
        "areas such as waterways, food safety and trade promotion. The council meets in "
        "plenary and sectoral formats, and its activity has varied with the operation of "
        "the Northern Ireland Executive.",
    ),
    "undated-guidance": (
        "Guidance for officials on intergovernmental correspondence",
        "Civil Service Learning",
        "",
        "guidance",
        "Officials writing to counterparts in another administration should copy the "
        "intergovernmental relations team, keep a record of the exchange, and check whether "
        "the matter is reserved or devolved before making any commitment. Where a request "
        "touches more than one department, a lead department should be agreed early.",
    ),
}


def doc_text(title: str, publisher: str, date: str, doc_type: str, body: str) -> str:
    """A corpus file: header block, `---`, body."""
    header = [f"Title: {title}", "Source: https://example.org/" + title.lower().replace(" ", "-")]
    header.append(f"Publisher: {publisher}")
    if date:
        header.append(f"Date: {date}")
    header += [f"Type: {doc_type}", "Note: written for the igr-assistant tests", "---", ""]
    return "\n".join(header) + body + "\n"


def write_corpus(folder: Path) -> dict[str, Path]:
    """Write the small hand-written corpus; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, fields in DOCS.items():
        path = folder / f"{name}.txt"
        path.write_text(doc_text(*fields), encoding="utf-8")
        paths[name] = path
    return paths


_SUBJECTS = """the council|the forum|each minister|the secretariat|a joint committee|officials|
the review|the framework|every department|the treasury|the assembly|a working group|the chair|
local leaders|the commissioner""".replace("\n", "").split("|")
_VERBS = """considered|rejected|published|amended|endorsed|questioned|delayed|funded|audited|
reorganised|consulted on|scrutinised|welcomed|criticised|extended""".replace("\n", "").split("|")
_OBJECTS = """the annual plan|a new protocol|the borrowing limits|its terms of reference|
the data sharing arrangements|a draft concordat|the transport settlement|the dispute procedure|
a skills strategy|the housing allocation|the ports agreement|an evidence paper|
the rural payments scheme|the health compact|a set of shared principles""".replace(
    "\n", ""
).split("|")
_WHEN = """in March|after the election|before the budget|during the recess|at short notice|
with some reluctance|after a long debate|without a vote|in the autumn|for the third time""".replace(
    "\n", ""
).split("|")


def write_generated(folder: Path, n_docs: int, sentences: int, seed: int = 7) -> list[Path]:
    """`n_docs` distinct documents of random (seeded) sentences; several chunks each."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_docs):
        body = []
        for j in range(sentences):
            s = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}"
            ref = rng.randint(1000, 99999)
            body.append(f"In item {i}.{j}, {s} {rng.choice(_WHEN)} (ref {ref}).")
            if j % 6 == 5:
                body.append("\n\n")
        year = 2000 + i % 25
        text = doc_text(f"Generated record {i}", "Test Press", str(year), "record", " ".join(body))
        path = folder / f"gen-{i:03d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_write_corpus_loads_with_header_metadata(tmp_path: Path) -> None:
    from ingest.discovery import discover
    from ingest.loaders import load_document

    write_corpus(tmp_path)
    sources, skipped = discover([tmp_path], Settings())
    assert not skipped and len(sources) == len(DOCS)
    doc = load_document(next(s for s in sources if s.doc_id == "funding-note"), Settings())
    assert doc.meta.publisher == "Treasury Analysis Unit"
    assert doc.meta.date == "2019-11"
    assert "indexed over time" in doc.text


def test_generated_documents_are_not_duplicates(tmp_path: Path) -> None:
    from ingest.dedup import find_duplicates
    from ingest.discovery import discover
    from ingest.loaders import load_document

    write_generated(tmp_path, 6, 30)
    settings = Settings()
    sources, _ = discover([tmp_path], settings)
    docs = [load_document(s, settings) for s in sources]
    assert find_duplicates(docs) == []
    assert all(len(d.text) > 2000 for d in docs)
