"""Sentence sets for measuring the injection detector (tests and bench/injection.py): our own
hostile sentences in tests/data, and every sentence of a corpus read at run time."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"


def read_sentences(name: str) -> list[str]:
    """The non-comment lines of a tests/data file."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def hostile_sets() -> dict[str, list[str]]:
    """"development" (the detector was built on it) and each held-out set, by name."""
    sets = {"development": read_sentences("hostile_sentences.txt")}
    for path in sorted(DATA.glob("hostile_sentences_heldout*.txt")):
        sets[path.stem.removeprefix("hostile_sentences_")] = read_sentences(path.name)
    return sets


def corpus_sentences(corpus: Path) -> list[str]:
    """Every sentence of every readable document under `corpus` (never stored)."""
    from ingest.discovery import discover
    from ingest.errors import UnreadableFile
    from ingest.loaders import load_document
    from ingest.sentences import split_sentences
    from ingest.settings import Settings

    settings = Settings()
    found: list[str] = []
    for source in discover([corpus], settings)[0]:
        try:
            found.extend(split_sentences(load_document(source, settings).text))
        except UnreadableFile:
            continue
    return found
