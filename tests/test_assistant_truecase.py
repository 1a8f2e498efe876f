"""Capitals given back to a question typed in lower case (`assistant.truecase`)."""

from __future__ import annotations

from assistant.models import Passage
from assistant.question import profile_question
from assistant.truecase import truecase

HARBOUR = Passage(
    n=1, chunk_id="c1", doc_id="own/harbour", title="Harbour Liaison Group notes",
    text="In May the Harbour Liaison Group met in Oban. Ministers said the Harbour Liaison "
         "Group would meet again. The group reviewed the HLMA rules, and the HLMA was "
         "praised. A group of councils sent evidence.",
)


def test_words_are_written_as_the_passages_write_them() -> None:
    typed = "what did the harbour liaison group say about hlma?"
    [cased] = truecase([typed], [HARBOUR])
    assert cased == "what did the Harbour Liaison Group say about HLMA?"
    assert len(cased) == len(typed)
    assert "Harbour Liaison Group" in profile_question(cased).phrases
    # "group" is written in lower case as often as with a capital: left as typed
    assert truecase(["which group met?"], [HARBOUR])[0] == "which group met?"


def test_an_english_word_alone_keeps_its_case() -> None:
    """The passages write "Ministers" mid-sentence once, "Oban" twice: "oban" is no English
    word, "ministers" is, and is left as typed; a word the passages never write is too."""
    passage = Passage(n=2, chunk_id="c2", doc_id="own/oban", title="Oban notes",
                      text="Both Ministers met at Oban. The forum returned to Oban in May.")
    assert truecase(["when did ministers meet in oban?"], [passage])[0] == (
        "when did ministers meet in Oban?")
    assert truecase(["when did the kestlemoor forum meet?"], [passage])[0] == (
        "when did the kestlemoor forum meet?")


def test_a_question_typed_with_capitals_is_left_as_typed() -> None:
    typed = "When did the harbour liaison group meet in Oban?"
    assert truecase([typed], [HARBOUR])[0] == typed


def test_an_opening_word_s_capital_is_no_evidence() -> None:
    """"Ministers" opens a sentence: its capital says nothing about "ministers"."""
    assert truecase(["what did ministers say?"], [HARBOUR])[0] == "what did ministers say?"
