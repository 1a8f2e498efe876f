"""Where an answer applies: the citations' union and the nation-mismatch note or refusal."""

from __future__ import annotations

from assistant.jurisdiction import check_jurisdiction
from assistant.models import AnswerResult, Citation, Passage


def _passage(n: int, codes: list[str], doc: str) -> Passage:
    return Passage(n=n, chunk_id=f"c{n}", doc_id=doc, title=f"Paper {doc}",
                   text="Some text about budgets.", jurisdictions=codes)


def _answer(question: str, cited: list[Passage]) -> AnswerResult:
    citations = [
        Citation(n=i, doc_id=p.doc_id, title=p.title, chunk_id=p.chunk_id, quote="Some text.",
                 jurisdictions=p.jurisdictions)
        for i, p in enumerate(cited, start=1)
    ]
    return AnswerResult(question=question, answer="Some text. [1]", refused=False,
                        citations=citations, answerer="extractive")


def test_the_answer_carries_the_union_of_its_citations():
    scot, wide = _passage(1, ["scotland"], "a"), _passage(2, ["uk", "wales"], "b")
    result = check_jurisdiction("What changed?", _answer("What changed?", [scot, wide]),
                                [scot, wide])
    assert result.jurisdictions == ["uk", "scotland", "wales"]
    assert result.answer == "Some text. [1]"


def test_asked_about_wales_answered_from_scotland_says_so_in_one_line():
    scot, welsh = _passage(1, ["scotland"], "a"), _passage(2, ["wales"], "b")
    question = "How did the review change borrowing in Wales?"
    result = check_jurisdiction(question, _answer(question, [scot]), [scot, welsh])
    assert not result.refused
    note = result.answer.split("\n\n")[-1]
    assert note == "Note: the sources cited concern Scotland, not Wales."
    assert result.jurisdictions == ["scotland"]


def test_nothing_about_the_asked_nation_found_is_a_refusal():
    scot, other = _passage(1, ["scotland"], "a"), _passage(2, ["england"], "b")
    question = "What does the Senedd do about this?"
    result = check_jurisdiction(question, _answer(question, [scot]), [scot, other])
    assert result.refused and result.citations == [] and result.jurisdictions == []
    assert "Nothing found concerns Wales" in result.answer
    assert "concern England and Scotland" in result.answer
    assert "“Paper a”" in result.answer  # the closest documents are still named


def test_a_quote_naming_the_asked_nation_is_no_mismatch_whatever_its_chunk_is_tagged():
    welsh, scot = _passage(1, ["wales"], "a"), _passage(2, ["scotland"], "b")
    question = "Who spoke for Northern Ireland at the harbour forum?"
    answer = _answer(question, [welsh])
    answer.citations[0].quote = "Northern Ireland was represented by officials."
    result = check_jurisdiction(question, answer, [welsh, scot])
    assert not result.refused and "Note:" not in result.answer
    answer = _answer(question, [welsh])  # the quote says nothing of Northern Ireland
    assert check_jurisdiction(question, answer, [welsh, scot]).refused


def test_uk_wide_or_untagged_evidence_is_no_mismatch():
    wide, plain = _passage(1, ["uk"], "a"), _passage(2, [], "b")
    question = "How are Welsh ministers consulted?"
    for cited in ([wide], [plain]):
        result = check_jurisdiction(question, _answer(question, cited), [wide, plain])
        assert not result.refused and "Note:" not in result.answer


def test_questions_naming_no_nation_and_refusals_are_left_alone():
    scot = _passage(1, ["scotland"], "a")
    general = check_jurisdiction("What is a block grant?", _answer("What is a block grant?",
                                                                   [scot]), [scot])
    assert "Note:" not in general.answer
    refused = AnswerResult(question="Wales?", answer="The documents do not say.", refused=True,
                           answerer="extractive")
    assert check_jurisdiction("What about Wales?", refused, [scot]).answer == refused.answer
