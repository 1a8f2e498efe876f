"""Capitalised names by their initials (`vectorstore.initials`), on text written here."""

from __future__ import annotations

from vectorstore.initials import MAX_RUN, names


def _by_letters(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for letters, name in names(text):
        found.setdefault(letters, set()).add(name)
    return found


def test_initials_of_capitalised_words_joiners_commas_and_hyphens() -> None:
    found = _by_letters(
        "The Harbour, Rivers and Canals Oversight Panel met the Anglo-Welsh Board and "
        "the UK Treasury's team."
    )
    assert found["HRCOP"] == {"Harbour, Rivers and Canals Oversight Panel"}
    assert found["AWB"] == {"Anglo-Welsh Board"}
    assert found["UKT"] == {"UK Treasury"}  # a word in capitals gives every letter
    assert "Harbour, Rivers and Canals Oversight Panel met" not in str(found)
    assert found["THRCOP"] == {"The Harbour, Rivers and Canals Oversight Panel"}


def test_no_name_across_a_line_or_a_lower_case_word() -> None:
    found = _by_letters("Chair: Ada Quill\nBoard Secretary Tom Reed, then Lower Deck")
    assert "CAQ" not in found and "AQBS" not in found
    assert found["AQ"] == {"Ada Quill"} and found["BSTR"] == {"Board Secretary Tom Reed"}
    assert "LD" in found and not any("then" in n for ns in found.values() for n in ns)
    assert _by_letters("one Word only, and Another") == {}


def test_a_long_run_in_capitals_costs_a_bounded_number_of_names() -> None:
    run = " ".join(f"Alpha{i}" for i in range(200))  # 200 distinct capitalised words
    found = names(run)
    assert 200 < len(found) <= (200 // MAX_RUN + 1) * MAX_RUN * 7
    assert max(len(letters) for letters, _ in found) == 8
