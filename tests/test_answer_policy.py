"""The answer policy on text we wrote ourselves: one test per failure class of the old
sentence picker (real embedding model, real spaCy pipeline, the fitted weights)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.answer_spans import mark_answer_spans
from assistant.conversation import standalone_question
from assistant.gates import NO_ANSWER, UNMET, evidence_gate
from assistant.models import ChatMessage, Citation, Passage
from assistant.nlp import typed_spans
from assistant.question import profile_question
from assistant.selection import AnswerSelector
from ingest.settings import Settings

PORTS = (
    "Communiqué of the Joint Forum on Ports\n\n"
    "On 14 May 2025 the Joint Forum on Ports held its meeting by video link.\n"
    "Chair: Alys Pritchard, Minister for Harbours and Coasts\n"
    "Venue: Caernarfon harbour office\n"
    "The forum discussed dredging permits and pilotage fees, and agreed to publish a joint "
    "plan in the autumn."
)
REVIEW = (
    "Review of shared coastal work\n\n"
    "The review found that the shared concerns of the four governments fall into three "
    "headings:\n"
    "- water quality monitoring\n"
    "- coastal flood defences\n"
    "- fisheries licensing\n"
    "Further work on each heading is planned for next year."
)
MEETINGS = (
    "Annual report on the Coastal Standing Committee\n\n"
    "In 2023 the Coastal Standing Committee met six times, twice more than in 2022. "
    "Its members agreed a data-sharing protocol in March 2023 and reviewed harbour safety "
    "in November 2023."
)


def passage(n: int, text: str, title: str, date: str | None = None) -> Passage:
    return Passage(n=n, chunk_id=f"chunk-{n}", doc_id=f"own/{title.lower().replace(' ', '-')}",
                   title=title, date=date, text=text)


@pytest.fixture(scope="module")
def selector() -> AnswerSelector:
    from assistant.encoder import CachedEncoder
    from vectorstore.embeddings import get_embeddings

    settings = Settings()
    assert settings.answer.weights, "no fitted answer policy (ingest/answer_policy.json)"
    return AnswerSelector(settings.answer, CachedEncoder(get_embeddings(settings)).encode)


def exchange(question: str, reply: str) -> list[ChatMessage]:
    """A conversation of one question and its answer."""
    return [ChatMessage(role="user", content=question),
            ChatMessage(role="assistant", content=reply)]


def answer(selector: AnswerSelector, question: str, *passages: Passage) -> str:
    chosen = selector.select(question, list(passages), 60)
    return " ".join(w.text for w in chosen.windows)


@pytest.fixture
def corpus() -> list[Passage]:
    return [
        passage(1, PORTS, "Joint Forum on Ports communique", "2025-05-14"),
        passage(2, REVIEW, "Review of shared coastal work", "2024"),
        passage(3, MEETINGS, "Coastal Standing Committee annual report", "2023-12"),
    ]


def test_the_line_after_a_restatement_answers_who(selector, corpus) -> None:
    text = answer(selector, "who chaired the ports forum meeting in may 2025?", *corpus)
    assert "Alys Pritchard" in text


def test_a_label_line_answers_where(selector, corpus) -> None:
    text = answer(selector, "Where did the Joint Forum on Ports meet?", *corpus)
    assert "Caernarfon" in text


def test_a_lead_in_brings_its_items(selector, corpus) -> None:
    text = answer(selector, "what are the 3 headings the shared coastal concerns fall under?",
                  *corpus)
    for item in ("water quality", "flood defences", "fisheries licensing"):
        assert item in text, text


def test_a_count_answers_how_many(selector, corpus) -> None:
    text = answer(selector, "How many times did the coastal committee meet in 2023?", *corpus)
    assert "six times" in text


def test_a_year_the_documents_do_not_cover_is_refused(corpus) -> None:
    refusal = evidence_gate(
        profile_question("How many times did the Coastal Standing Committee meet in 2024?"),
        ["coastal", "committee"], [], corpus[2:], Settings().answer.model_copy(
            update={"unmet_kinds": ["year"]}),
    )
    assert refusal is not None and refusal.reason == UNMET and "2024" in refusal.detail


def test_a_question_nothing_answers_finds_nothing(selector, corpus) -> None:
    chosen = selector.select(
        "What annual budget did the Joint Forum on Ports receive?", corpus, 60
    )
    assert not chosen.windows, [w.text for w in chosen.windows]
    assert NO_ANSWER == "no_answer"


def test_each_part_of_a_two_part_question_gets_its_own_answer(selector, corpus) -> None:
    text = answer(
        selector,
        "Who chaired the ports forum, and how many times did the coastal committee meet in 2023?",
        *corpus,
    )
    assert "Alys Pritchard" in text and "six times" in text


@pytest.mark.parametrize(
    "name", ["Baroness Pryce of Amlwch", "Lord Tregaron", "the Earl of Moray", "Sir Ifor Pugh"]
)
def test_a_person_named_by_a_title_is_a_person(name: str) -> None:
    """The small model tags titled names as nothing or as a body; they still answer "who"
    and are what "he"/"she" in a follow-up stands for."""
    text = f"The motion on harbour levies was moved by {name}, who spoke for the committee."
    title = name.removeprefix("the ")
    assert ("person", title) in {(s.kind, s.text) for s in typed_spans(text)}
    history = exchange("Who moved the motion on harbour levies?", text)
    assert title in standalone_question("When did he first raise it?", history)


def test_a_follow_up_keeps_its_subject() -> None:
    history = exchange("What did the Coastal Standing Committee agree?",
                       "A data-sharing protocol, in March 2023.")
    standalone = standalone_question("And when did it review harbour safety?", history)
    assert "Coastal Standing Committee" in standalone
    assert "it" not in standalone.split()


def _marked(question: str, quote: str) -> str:
    """The part of `quote` marked as the answer to `question` (a span must be marked)."""
    cited = Citation(n=1, doc_id="own/ports", title="Ports", chunk_id="c", quote=quote)
    [marked] = mark_answer_spans(question, [cited])
    assert marked.answer_span is not None
    start, end = marked.answer_span
    return quote[start:end]


def test_the_answer_is_marked_inside_its_quote() -> None:
    quote = "Chair: Alys Pritchard, Minister for Harbours and Coasts"
    assert "Alys Pritchard" in _marked("Who chaired the ports forum?", quote)


def test_the_marked_answer_hangs_from_a_word_of_the_question_in_another_form() -> None:
    """"elected" meets "election" (and "mayor" "mayoral"): the date of the election is
    marked, not the year of the Act whose name holds the question's place."""
    quote = ("Greater Cardiff Authority: created by the Greater Cardiff Authority Act 1997; "
             "first mayoral election in June 2001.")
    marked = _marked("When was the first Mayor of Cardiff elected?", quote)
    assert "2001" in marked, marked


def test_the_marked_answer_is_not_the_question_s_own_words_nor_in_the_next_sentence() -> None:
    """"in the chair" restates "who chairs"; the office the chair hangs from answers, not
    the office named first in the next sentence."""
    quote = ("The forum met on 3 June 2025 in Oban, with the Harbours Minister in the chair. "
             "The First Minister of Wales, Owain Rees, sent apologies.")
    marked = _marked("Who chairs the ports forum?", quote)
    assert marked.endswith("Harbours Minister"), marked


def test_typed_spans_find_people_roles_dates_numbers_and_places() -> None:
    kinds = {s.kind for s in typed_spans(
        "On 3 March 2025 the Deputy First Minister, Owain Rees, opened 12 new offices in Wrexham."
    )}
    assert {"date", "role", "person", "number", "place"} <= kinds


def test_the_question_s_words_are_met_in_other_forms(selector) -> None:
    """"chairs" in the question is met by "chaired" in the text (Snowball stems), "meet" by
    "met" and "binding" by "bound" (irregular forms at their base)."""
    from assistant.window_features import FEATURES, match_terms

    assert match_terms("Who chairs it?") & match_terms("It was chaired by her.") == {"chair"}
    assert match_terms("When did the forum meet?") & match_terms("The forum met in May.") == {
        "forum", "meet"}
    assert "bind" in match_terms("Is it binding?") & match_terms("Nobody is bound by it.")
    question = "Who chairs the Harbour Liaison Group?"
    text = ("The Harbour Liaison Group met in Oban on 3 June 2025.\n"
            "It is chaired by Alys Pritchard, Minister for Harbours and Coasts.")
    scored, _ = selector.score(question, profile_question(question),
                               [passage(1, text, "Harbour notes")])
    ask = FEATURES.index("ask_overlap")
    chaired = [i for i, w in enumerate(scored.windows) if w.text.startswith("It is chaired")]
    assert chaired and scored.matrix[chaired[0], ask] > 0


def test_a_question_about_something_else_finds_nothing(selector, corpus) -> None:
    """Below `min_similarity` no sentence is close enough to the question to be quoted."""
    assert selector.policy.min_similarity > 0, "the fitted policy sets no similarity floor"
    assert not selector.select("Which football club won the cup in 1998?", corpus, 60).windows
    question = "Where did the Joint Forum on Ports meet?"
    assert selector.select(question, corpus, 60).windows
    strict = AnswerSelector(selector.policy.model_copy(update={"min_similarity": 0.99}),
                            selector.encode)
    assert not strict.select(question, corpus, 60).windows


SEASONS = (
    "Harbour levy statistics\n\n"
    "The Harbour Board collected levies from 412 vessels in 2021-22.\n"
    "Collections for later seasons will be published when the audit closes."
)


def test_another_span_of_years_does_not_answer(selector) -> None:
    """A figure for 2021-22 is no answer to a question about 2022-23."""
    stats = passage(1, SEASONS, "Harbour levy statistics")
    strict = AnswerSelector(selector.policy.model_copy(
        update={"conflict_kinds": ["period"], "window_kinds": []}), selector.encode)
    asked = "How many vessels paid the harbour levy in 2022-23?"
    assert not strict.select(asked, [stats], 60).windows
    assert "412" in answer(strict, "How many vessels paid the harbour levy in 2021-22?", stats)
    lenient = AnswerSelector(selector.policy.model_copy(
        update={"conflict_kinds": [], "window_kinds": []}), selector.encode)
    assert lenient.select(asked, [stats], 60).windows


def test_dates_are_read_however_typed() -> None:
    """Months abbreviated ("feb 2023", "Sept."), a day's ordinal, and days in figures are
    the question's dates; the day of a month is no ordinal of the question's own."""
    from assistant.evidence import is_met, names_other

    assert profile_question("where did the ports forum meet in feb 2023?").months == [
        "2023-02"]
    assert profile_question("Who chaired in Sept. 2024?").months == ["2024-09"]
    on_third = profile_question("what did the forum agree on 3rd Dec 2024?")
    assert on_third.days == ["2024-12-03"] and on_third.ordinals == []
    assert profile_question("what happened on December 3rd, 2024?").days == ["2024-12-03"]
    assert profile_question("who chaired the 3rd forum in May 2025?").ordinals == [3]
    assert profile_question("what was agreed on 20/11/2025?").days == ["2025-11-20"]
    assert profile_question("what was agreed on 2025-11-20?").months == ["2025-11"]
    assert profile_question("what was agreed on 31/02/2025?").days == []
    assert is_met("day:2024-10-11", "Date: Fri 11 Oct 2024")
    assert is_met("month:2023-09", "met in Sept 2023") and is_met("month:2023-02", "Feb. 2023")
    assert names_other("month:2023-02", "met on Tue 24 Oct 2023")


def test_spans_of_years_are_read_in_their_forms() -> None:
    from assistant.evidence import is_met, names_other

    assert profile_question("How many vessels paid in 2022-23?").periods == ["2022-2023"]
    assert profile_question("How many paid in 2022 to 2023?").periods == ["2022-2023"]
    assert is_met("period:2022-2023", "In 2022/23 the board ...")
    assert not is_met("period:2022-2023", "In 2021-22 the board ...")
    assert names_other("period:2022-2023", "levies in 2021 to 2022")
    assert not names_other("period:2022-2023", "levies in the year")


def test_specifics_set_side_by_side_are_answered_one_by_one(selector) -> None:
    from assistant.question import question_parts

    assert question_parts("Who chaired the second and the fifth harbour forums?") == [
        "Who chaired the second harbour forums?", "Who chaired the fifth harbour forums?"
    ]
    assert question_parts("What did the levy raise in Wales compared with Scotland?") == [
        "What did the levy raise in Wales?", "What did the levy raise in Scotland?"
    ]
    assert question_parts("What changed between 2019 and 2024?") == [
        "What changed between 2019 and 2024?"
    ]
    forums = passage(1, "The second harbour forum was chaired by Alys Pritchard.\n"
                        "Owain Rees chaired the fifth harbour forum in Wrexham.", "Forums")
    text = answer(selector, "Who chaired the second and the fifth harbour forums?", forums)
    assert "Alys Pritchard" in text and "Owain Rees" in text, text


def test_a_follow_up_subject_does_not_start_with_a_verb() -> None:
    history = exchange("Has the Harbour Liaison Group published a report?", "Yes, in June 2025.")
    standalone = standalone_question("What period did it cover?", history)
    assert "Has" not in standalone and "Harbour Liaison Group" in standalone, standalone


def test_that_meeting_keeps_its_noun_and_the_paper_is_not_a_pointer() -> None:
    history = exchange("Who chaired the Harbour Liaison Group in March?",
                       "The Minister for Harbours.")
    standalone = standalone_question("where was that meeting held?", history)
    assert "the Harbour Liaison Group meeting" in standalone, standalone
    standalone = standalone_question("what's the paper number on that report?", history)
    assert "the paper number" in standalone, standalone


def test_a_follow_up_subject_typed_in_lower_case_leaves_out_the_question_words() -> None:
    history = exchange("how many pilotage permits were issued in 2024",
                       "Forty, eight of them to new pilots.")
    standalone = standalone_question("who issued them?", history)
    assert "how many" not in standalone and "pilotage permits" in standalone, standalone


@pytest.mark.parametrize(
    ("asked", "said", "follow_up", "meant", "not_meant"),
    [  # "it" after "what's X's budget?" is that budget, not X
        ("what's the Orkney harbour budget after the ferry review?", "Two million a year.",
         "how much of it went on the north pier?", "Orkney harbour budget", None),
        # "them" after "how many pilot boats ...?" are the boats, not the board
        ("how many pilot boats did the Harbour Board buy in 2023", "Three, all built in Wales.",
         "which yards built them?", "pilot boats", "Harbour Board"),
        # a singular "it" skips a plural asked thing
        ("what were the Harbour Board's standing orders in 2019?",
         "Twelve rules on meetings and votes.", "who chaired it then?", "Harbour Board",
         "standing orders"),
    ],
)
def test_a_pronoun_stands_for_what_the_last_question_asked_about_when_numbers_agree(
    asked: str, said: str, follow_up: str, meant: str, not_meant: str | None
) -> None:
    standalone = standalone_question(follow_up, exchange(asked, said))
    assert meant in standalone, standalone
    assert not_meant is None or not_meant not in standalone, standalone


def test_a_window_beside_another_nation_does_not_answer(selector) -> None:
    """A rate set for Wales is no answer to a question about Northern Ireland."""
    levy = passage(1, "Harbour levy arrangements for Wales\n\n"
                      "The Welsh ports agreed a levy rate of 4% for coastal freight.\n"
                      "Scottish ports agreed a rate of 3% for the same freight.",
                   "Harbour levy arrangements")
    strict = AnswerSelector(selector.policy.model_copy(update={"conflict_kinds": ["nation"]}),
                            selector.encode)
    asked = "What levy rate did Northern Ireland ports agree for coastal freight?"
    assert not strict.select(asked, [levy], 60).windows
    assert "4%" in answer(strict, "What levy rate did Welsh ports agree for coastal freight?",
                          levy)
    lenient = AnswerSelector(selector.policy.model_copy(update={"conflict_kinds": []}),
                             selector.encode)
    assert lenient.select(asked, [levy], 60).windows


def test_a_short_follow_up_is_close_enough_through_its_context(selector) -> None:
    """"Was everyone actually there?" says little alone; with the question before it, the
    passage about that meeting is close enough to be read."""
    forum = passage(1, "The Harbour Forum first met in Oban on 3 June 2025. All four "
                       "ministers attended in person.", "Harbour Forum")
    question = "Was everyone actually there?"
    scored, _ = selector.score(question, profile_question(question), [forum])
    floored = AnswerSelector(selector.policy.model_copy(update={"min_similarity": 0.5}),
                             selector.encode)
    assert not floored._close(scored)
    assert floored._close(scored, f"{question} (Where did the Harbour Forum first meet?)")


def test_a_number_question_is_answered_by_what_it_counts(selector) -> None:
    """"How many moorings" is not answered by a count of something else."""
    from assistant.question import profile_question as profile

    assert profile("How many moorings did the harbour add?").focus == "moorings"
    assert profile("What share of vessels paid the levy?").focus == ""  # a measure word
    berths = passage(1, "The harbour added 40 new berths in 2024.\n"
                        "Its staff handled 300 vessel arrivals.", "Harbour works")
    strict = AnswerSelector(selector.policy.model_copy(update={"require_focus": True}),
                            selector.encode)
    assert not strict.select("How many moorings did the harbour add?", [berths], 60).windows
    assert "40" in answer(strict, "How many berths did the harbour add?", berths)
    lenient = AnswerSelector(selector.policy.model_copy(update={"require_focus": False}),
                             selector.encode)
    assert lenient.select("How many moorings did the harbour add?", [berths], 60).windows



def test_a_number_question_is_answered_by_what_narrows_it_too(selector) -> None:
    """"What limit on dredging spending" is not answered by the limit on mooring spending:
    the nouns narrowing what is measured must be named too."""
    from assistant.question import profile_question as profile

    asked = "What annual limit on dredging spending did the port board set?"
    assert profile(asked).focus == "limit"
    assert profile(asked).focus_terms == ["spending", "dredging"]
    assert profile("How many berth fees did it waive?").focus_terms == ["berth"]
    limits = passage(1, "The port board set an annual limit of £2m on mooring spending.\n"
                        "The board met monthly.", "Port board")
    strict = AnswerSelector(selector.policy.model_copy(update={"require_focus": True}),
                            selector.encode)
    assert not strict.select(asked, [limits], 60).windows
    assert "£2m" in answer(strict, asked.replace("dredging", "mooring"), limits)

def test_names_are_met_by_their_acronyms_and_absent_names_refuse(corpus) -> None:
    from assistant.evidence import is_met

    assert is_met("name:JFP", "the Joint Forum on Ports met")
    assert is_met("name:CSCs", "two coastal standing committees")
    assert not is_met("name:Trinity", "the Joint Forum on Ports met")
    assert is_met("name:MLAs", "Apologies: Ruth Keane MLA")  # a plural by its singular
    assert not is_met("name:MLAs", "the MLAX scheme")  # a whole word, not a prefix
    # a word read by its initials as the lexical index reads names: each capitalised part
    # of a hyphenated word, every letter of a word in capitals (five of them too)
    assert is_met("name:NWHF", "the North-West Harbours Forum")
    assert is_met("name:HLFSCA", "the HLFSC Act was passed")
    assert profile_question("What did the Dec 2024 forum at Westminster agree?").names == []
    # a later sentence's first word is no name, unless it is one
    assert profile_question("Who chairs the JFP? Then say when it met.").names == ["JFP"]
    assert profile_question("The JFP met. Rhodri Vale chaired. Who attended?").names == [
        "JFP", "Rhodri", "Vale"]
    policy = Settings().answer.model_copy(update={"unmet_kinds": ["name"]})
    absent = "What did the Trinity Lighthouse Board tell the JFP?"
    refusal = evidence_gate(profile_question(absent), ["lighthouse"], [], corpus, policy)
    assert refusal is not None and refusal.reason == UNMET and "Trinity" in refusal.detail
    present = "What did the JFP agree about pilotage fees?"
    assert evidence_gate(profile_question(present), ["pilotage"], [], corpus, policy) is None


def test_a_wh_word_s_noun_sets_the_kind_even_when_misparsed() -> None:
    """"In which town ..." asks for a place however the parser attaches "which"."""
    assert profile_question("In which town was the harbour forum of 3 June 2025 held?").kind == (
        "place"
    )


def test_a_share_or_a_sum_is_asked_for_by_its_noun() -> None:
    """"What percentage" wants a share, "what budget" a sum of money: the answer span is
    the figure of that unit, and other figures only stand in for it."""
    share = profile_question("What percentage of harbour pilots were trained in Wales?")
    money = profile_question("How much funding did the harbour forum receive?")
    assert (share.kind, share.unit) == ("number", "percent")
    assert (money.kind, money.unit) == ("number", "money")
    assert profile_question("How many pilots were trained?").unit == ""
    quote = "Of the 240 pilots surveyed in 2024, 38% were trained in Wales."
    cited = mark_answer_spans(share.text, [Citation(n=1, doc_id="own/x", title="x",
                                                    chunk_id="c1", quote=quote)])
    start, end = cited[0].answer_span
    assert quote[start:end] == "38%", quote[start:end]


def test_a_question_asking_on_what_date_wants_a_day(selector) -> None:
    """"On what date" and "what day" want the day, not the month: a passage naming the day
    answers over one naming only the month; "when", "what year", "by what date" and "the
    closing date" take any date, and only a date naming its day is one."""
    assert profile_question("On what date did the ferry panel first sit?").unit == "day"
    assert profile_question("what day did the warden open the quay?").unit == "day"
    for question in ("When did the ferry panel first sit?",
                     "In what year did the ferry panel first sit?",
                     "By what date must the quay plans be published?",
                     "What is the closing date for the quay consultation?"):
        assert profile_question(question).unit == "", question
    units = {s.text: s.unit for text in (
        "It sat on 14 March 2019, then in March 2020.", "Over 3 decades the quay grew.",
        "It meets every Tuesday.", "Time: 10.30-12.00", "Period: 2021/22-2023/24",
        "Date: 20/11/2025") for s in typed_spans(text)}
    assert units == {"14 March 2019": "day", "March 2020": "", "3 decades": "",
                     "every Tuesday": "", "10.30-12.00": "", "2021/22-2023/24": "",
                     "20/11/2025": "day"}, units
    month = passage(1, "The ferry panel first sat in March 2019, with the warden in the chair.",
                    "Ferry panel history")
    day = passage(2, "Its opening session was held at Northby on 14 March 2019.",
                  "Ferry panel minutes")
    assert "14 March 2019" in answer(selector, "On what date did the ferry panel first sit?",
                                     month, day)


def test_two_bodies_set_side_by_side_are_answered_one_by_one() -> None:
    from assistant.question import question_parts

    assert question_parts(
        "Who chairs the Harbour Liaison Group or the Coastal Standing Committee?"
    ) == ["Who chairs the Harbour Liaison Group?", "Who chairs the Coastal Standing Committee?"]
    assert question_parts(
        "How often does the Harbour Liaison Group meet, compared with the Coastal Standing "
        "Committee?"
    ) == ["How often does the Harbour Liaison Group meet?",
          "How often does the Coastal Standing Committee meet?"]
    assert question_parts(
        "What was agreed between the Harbour Liaison Group and the Coastal Standing Committee?"
    ) == ["What was agreed between the Harbour Liaison Group and the Coastal Standing "
          "Committee?"]


def test_two_sides_compared_each_with_its_own_specific_are_two_parts() -> None:
    """"X for A in 2019 and for B in 2023": each side is asked with the first side's lead;
    a name with "and" in it, a span "between", a "with" inside a noun phrase, or a second
    side with no phrase of the first standing where it would go, is not split."""
    from assistant.question import question_parts

    assert question_parts(
        "Compare the dredging levy set for Northby in 2019 and for Southmere in the 2023 review."
    ) == ["Compare the dredging levy set for Northby in 2019?",
          "Compare the dredging levy set for Southmere in the 2023 review?"]
    assert question_parts(
        "Did the same warden chair the March 2021 ferry panel and the quay forum in 2024?"
    ) == ["Did the same warden chair the March 2021 ferry panel?",
          "Did the same warden chair the quay forum in 2024?"]
    assert question_parts("compare the levy raised in 2019 with the one set in 2023") == [
        "compare the levy raised in 2019?", "compare the one set in 2023?"]
    for whole in ("What did the Welsh board say about the Wales and Borders rail line?",
                  "Who wrote the 2019 report on Harbours and Quays and Piers?",
                  "What did the harbour board say about the levy between 2019 and 2023?",
                  "Who met with the 2023 panel in 2019?",
                  "compare 2019 with 2023",
                  "Compare the 2019 agreement with Wales to the 2023 one",
                  "What did Scotland say in 2019 and Wales say in 2023?"):
        assert question_parts(whole) == [whole], whole


def test_question_words_set_side_by_side_share_the_predicate() -> None:
    """"When and where did ... meet?" asks two things with one verb: each part gets it,
    rather than a part reading "When?"."""
    from assistant.question import question_parts

    assert question_parts("When and where did the Harbour Liaison Group first meet?") == [
        "When did the Harbour Liaison Group first meet?",
        "where did the Harbour Liaison Group first meet?",
    ]
    assert question_parts("On what date and in which town was the ports forum held?") == [
        "On what date was the ports forum held?", "in which town was the ports forum held?",
    ]
    # a part with its own verb keeps its own question
    assert question_parts("Who chaired the ports forum, and when did it meet?") == [
        "Who chaired the ports forum?", "when did it meet?",
    ]


def test_a_part_is_not_answered_by_the_window_of_another_part(selector) -> None:
    """In "who chaired the first forum in 2019, and who chaired its sixth in 2025?", the
    window about the sixth forum in 2025 does not answer the first part."""
    sixth = passage(1, "The Harbour Forum's meeting was jointly chaired by Owain Rees and "
                       "Mairi Duncan.", "Harbour Forum sixth meeting 2025", "2025-04-02")
    first = passage(2, "Alys Pritchard and Eoin Kelly shared the chair when the forum opened.",
                    "Harbour Forum 2019", "2019-03-11")
    question = ("Who jointly chaired the Harbour Forum's first meeting in 2019, and who jointly "
                "chaired its sixth meeting in 2025?")
    times = ["year", "period", "month", "day", "ord"]
    # the years not required of the passage or next to the window either
    alone = {"passage_kinds": ["phrase"], "window_kinds": ["period", "ord"]}
    apart = AnswerSelector(selector.policy.model_copy(update={"sibling_kinds": times, **alone}),
                           selector.encode)
    text = answer(apart, question, sixth, first)
    assert "Alys Pritchard" in text and "Owain Rees" in text, text
    together = AnswerSelector(selector.policy.model_copy(update={"sibling_kinds": [], **alone}),
                              selector.encode)
    assert "Alys Pritchard" not in answer(together, question, sixth, first)


def test_an_answer_tied_to_the_question_s_words_is_marked(selector) -> None:
    """"Who chaired ...?": a person the sentence says chaired it is tied to the question; a
    person merely present is not."""
    from assistant.window_features import FEATURES, add_slots

    forum = passage(1, "Owain Rees welcomed the delegates to the Harbour Forum in Oban.\n\n"
                       "The Harbour Forum was chaired by Mairi Duncan.", "Harbour Forum")
    question = "Who chaired the Harbour Forum?"
    profile = profile_question(question)
    scored, _ = selector.score(question, profile, [forum])
    add_slots(profile, scored, list(range(len(scored.windows))))
    tied = {w.text: scored.matrix[i, FEATURES.index("slot_tied")]
            for i, w in enumerate(scored.windows) if w.kind == "single"}
    assert tied["The Harbour Forum was chaired by Mairi Duncan."] == 1.0, tied
    assert tied["Owain Rees welcomed the delegates to the Harbour Forum in Oban."] == 0.0, tied


def test_how_often_is_answered_by_a_frequency(selector) -> None:
    """"How often ...?" wants "twice a year" or "every three to four months", which spaCy
    does not always tag, not a sentence that merely mentions meetings."""
    assert profile_question("How often does the Harbour Forum meet?").kind == "frequency"
    spans = typed_spans("Officials meet every three to four months; ministers twice a year.")
    assert [s.text for s in spans if s.kind == "frequency"] == [
        "every three to four months", "twice a year"
    ]
    where = passage(1, "The Harbour Forum meets in Oban to discuss pilotage and dredging.",
                    "Harbour Forum")
    terms = passage(2, "Under its terms of reference the forum convenes quarterly.",
                    "Harbour Forum terms of reference")
    text = answer(selector, "How often does the Harbour Forum meet?", where, terms)
    assert text.startswith("Under its terms of reference the forum convenes quarterly."), text


def test_a_lead_in_ending_in_a_dash_or_a_footnote_mark_brings_its_items() -> None:
    from assistant.windows import windows

    for lead in ("The review named three harbour concerns:[7]",
                 "The review named three harbour concerns—",
                 "The review named three harbour concerns: (Page 12)"):
        text = f"{lead}\n- silting of channels\n- pilot shortages\n- levy arrears\n"
        found = windows(passage(1, text, "Harbour review"), 90, 8)
        lists = [w for w in found if w.kind == "list"]
        assert lists and lists[-1].text.endswith("levy arrears"), (lead, [w.text for w in found])


def test_a_lead_in_is_offered_with_each_run_of_its_first_items() -> None:
    """A short answer's budget may hold a lead-in and only its first items."""
    from assistant.windows import windows

    text = ("Its minutes record three concerns:\n"
            "- silting of the outer channel near the north breakwater\n"
            "- pilot shortages during the winter months\n- levy arrears\n")
    found = windows(passage(1, text, "Harbour minutes"), 90, 8)
    assert [len(w.units) - 1 for w in found if w.kind == "list"] == [1, 2, 3]
    assert [len(w.units) - 1 for w in windows(passage(1, text, "Harbour minutes"), 22, 8)
            if w.kind == "list"] == [1, 2]


def test_a_heading_brings_the_items_under_it() -> None:
    """A heading with no colon, or a numbered line over dashed items, introduces them; a
    sentence before a numbered heading, or an item before the next heading, does not."""
    from assistant.windows import windows

    text = ("The board met four times.\n\n3. Aims for next year\n\n- dredge the outer "
            "channel;\n- recruit two pilots;\n- clear the levy arrears.\n\n4. Next steps\n\n"
            "The board meets in June.")
    found = [w.text for w in windows(passage(1, text, "Harbour plan"), 90, 8) if w.kind == "list"]
    assert found == ["3. Aims for next year\n\n- dredge the outer channel;",
                     "3. Aims for next year\n\n- dredge the outer channel;\n- recruit two "
                     "pilots;",
                     "3. Aims for next year\n\n- dredge the outer channel;\n- recruit two "
                     "pilots;\n- clear the levy arrears."], found
    heading = "Aims for next year\n- dredge the outer channel;\n- recruit two pilots;\n"
    found = [w.text for w in windows(passage(1, heading, "Harbour plan"), 90, 8)
             if w.kind == "list"]
    assert found[-1].endswith("recruit two pilots;"), found


def test_a_part_naming_what_no_passage_has_is_left_out_not_the_whole_question(
    selector, corpus
) -> None:
    """"Where did the forum meet, and what did the Trinity Board say?": the first part is
    answered, the second reported unanswered; a part pointing back ("who chaired it?")
    misses what the part before it misses."""
    from assistant.gates import unmet_parts
    from assistant.question import question_parts

    policy = selector.policy.model_copy(update={"unmet_kinds": ["name", "year"]})
    strict = AnswerSelector(policy, selector.encode)
    question = ("Where did the Joint Forum on Ports hold its meeting, and what did the "
                "Trinity Lighthouse Board tell it?")
    parts = [profile_question(p) for p in question_parts(question)]
    assert unmet_parts(parts, corpus, policy) == [False, True]
    assert evidence_gate(profile_question(question), ["ports", "trinity"], [], corpus, policy,
                         parts) is None
    chosen = strict.select(question, corpus, 60)
    assert chosen.windows and "Trinity" in " ".join(chosen.unanswered_parts)
    both = ("Where did the Coastal Standing Committee meet in 2019, and which minister chaired "
            "that meeting?")
    parts = [profile_question(p) for p in question_parts(both)]
    assert unmet_parts(parts, corpus, policy) == [True, True]
    refusal = evidence_gate(profile_question(both), ["coastal"], [], corpus, policy, parts)
    assert refusal is not None and refusal.reason == UNMET


def test_a_number_not_tied_to_the_question_does_not_answer_how_many(selector) -> None:
    """With "number" in `tied_kinds`, "how many meetings did it hold?" is not answered by a
    sentence whose only figure counts something else."""
    members = passage(1, "The Harbour Forum meetings in its first year drew 12 members from "
                         "the four governments.", "Harbour Forum")
    question = "How many meetings did the Harbour Forum hold in its first year?"
    tied = AnswerSelector(selector.policy.model_copy(update={"tied_kinds": ["number"]}),
                          selector.encode)
    untied = AnswerSelector(selector.policy.model_copy(update={"tied_kinds": []}),
                            selector.encode)
    assert not tied.select(question, [members], 60).windows
    assert untied.select(question, [members], 60).windows
    held = passage(2, "The Harbour Forum held nine meetings in its first year.", "Harbour Forum")
    assert "nine meetings" in answer(tied, question, members, held)


def test_a_body_s_name_is_met_by_its_initials_and_a_bill_by_its_act() -> None:
    from assistant.evidence import is_met

    assert is_met("phrase:Harbour Levy Bill", "the Harbour Levy Act 2024 passed")
    assert is_met("phrase:Coastal Standing Committee", "the CSC met in Oban")
    assert not is_met("phrase:Coastal Standing Committee", "the Harbour Board met")
    assert not is_met("phrase:Harbour Levy Bill", "the Harbour Fees Act")


def test_a_body_s_name_is_met_by_initials_that_keep_its_small_words() -> None:
    """"MoU" and "IfG" style shorthand: the joining words' letters in lower case, or the
    whole in capitals; nothing else with those letters."""
    from assistant.evidence import is_met

    assert is_met("phrase:Office for Harbours", "the OfH said the levy was fair")
    assert is_met("phrase:Office for Harbours", "the OFH said the levy was fair")
    assert is_met("phrase:Accord of Understanding", "both boards signed AoUs in May")
    assert is_met("phrase:Office For Harbours", "the OfH said the levy was fair")
    for other in ("the ofh tally", "the Ofh said", "the TOFH list", "the OfHx rule",
                  "the FoH said", "the OH and the FH met"):
        assert not is_met("phrase:Office for Harbours", other), other


def test_a_place_of_several_words_is_met_as_written(selector) -> None:
    """"the South Coast's harbour deal" is not answered from a passage that has "South" and
    "Coast" in it but is about the West Coast's deal."""
    asked = "When was the South Coast's harbour deal signed?"
    assert "South Coast" in profile_question(asked).phrases
    assert "south coast" in profile_question(asked.lower()).phrases
    west = passage(1, "The West Coast harbour deal was signed on 4 May 2024 in Oban. "
                      "Ministers from the South attended. The Coast Guard was not consulted.",
                   "Harbour deals")
    assert not selector.select(asked, [west], 60).windows
    south = passage(2, "The South Coast harbour deal was signed on 9 June 2025.", "Harbour deals")
    assert "9 June 2025" in answer(selector, asked, west, south)


def test_a_year_setting_when_is_told_from_a_year_naming_a_thing() -> None:
    """"Held in 2024" sets when the asked matter happened; "the 2022 Harbours Act" names a
    thing; a year in a sentence before the question, or in a clause describing a noun, sets
    neither."""
    assert profile_question("How many harbour forums were held in 2024?").scopes == ["2024"]
    assert profile_question("Where did the Harbour Forum of 7 May 2019 meet?").scopes == ["2019"]
    assert profile_question("What did the 2022 Harbours Act set?").scopes == []
    assert profile_question("Ann Bell left the forum in 2021. Who replaced her?").scopes == []
    named = profile_question("What threshold did the 2022 Harbours Act set?")
    assert named.years == ["2022"] and named.scopes == []


def test_nations_are_read_however_typed() -> None:
    """Users type "scottish" and "NI"; a name merely spelt with "Ni" is no nation."""
    assert profile_question("which scottish minister went?").nations == ["scotland"]
    assert profile_question("what was the NI sample size?").nations == ["northern-ireland"]
    assert profile_question("Who is Ni Chonaill?").nations == []


def test_a_question_saying_how_many_it_asks_for_needs_that_many_named(selector) -> None:
    """"Which seven authorities?" is not answered by a sentence saying there are seven."""
    assert profile_question("Which three groups met most often?").count == 3
    assert profile_question("name the 8 councils in the harbour partnership").count == 8
    assert profile_question("How many port authorities are in the partnership?").count == 0
    assert profile_question("Which post stood vacant for six years?").count == 0
    question = "Which seven port authorities make up the harbour partnership?"
    counted = passage(1, "Harbour partnership review\n\nThe harbour partnership now brings "
                      "together seven port authorities along the west coast. Its secretariat "
                      "is hosted in Oban.", "Harbour partnership review", "2025")
    named = passage(2, "Harbour partnership members\n\nThe harbour partnership is made up of "
                    "the port authorities of Oban, Mallaig, Ullapool, Stornoway, Kyle, "
                    "Tobermory and Campbeltown.", "Harbour partnership members", "2025")
    assert not selector.select(question, [counted], 60).windows
    assert "Tobermory" in answer(selector, question, counted, named)


@pytest.mark.parametrize("number", ["", "12. "])
def test_a_long_sentence_is_answered_by_its_clause_within_the_budget(selector, number) -> None:
    """A sentence longer than a single fact may be quoted whole is quoted by the run of its
    clauses that answers; a numbered paragraph too, though it reads as a list item."""
    from assistant.windows import clauses, units_of

    text = ("Harbour review 2025\n\n" + number +
            "After three years of talks between the port authorities, the coastguard, the "
            "fishing associations and the four governments about dredging, pilotage and the "
            "shared costs of keeping the western channels open, the review panel, chaired by "
            "Morag Lindsay of the Clyde Port Authority, agreed in March 2025 that the costs "
            "would be split by tonnage landed, with a further review after five years and a "
            "report to ministers every spring.")
    long = next(u for u in units_of(text) if u is not None and u.words > 60)
    assert long.item is bool(number)
    pieces = clauses(text, long, 30)
    assert pieces and all(6 <= p.words <= 30 for p in pieces)
    assert all(text[p.start:p.end] == p.text for p in pieces)  # verbatim spans
    found = answer(selector, "Who chaired the harbour review panel?",
                   passage(1, text, "Harbour review 2025", "2025"))
    assert "Morag Lindsay" in found and len(found.split()) <= 60, found


def test_a_long_label_line_is_not_cut_into_clauses() -> None:
    """Its clauses would read as the whole of its list."""
    from assistant.windows import clauses, units_of

    names = ["Ann Reid", "Ewan Bain", "Mairi Ross", "Iain Kerr", "Flora Munro", "Neil Grant",
             "Kirsty Shaw", "Alan Baird", "Morag Craig", "Hugh Fraser", "Catriona Bell"]
    text = "Members: " + ", ".join(f"{n} of the Skye ferry users' group" for n in names) + "."
    line = next(u for u in units_of(text) if u is not None)
    assert line.label and line.words > 60
    assert clauses(text, line, 30) == []


def test_a_calendar_date_is_a_date_whatever_the_tagger_calls_it() -> None:
    """spaCy's small model labels some written-out dates as events; they still answer
    "when"."""
    from assistant.nlp import parse

    text = "The Bill was introduced on 9 September 2020."
    assert [e.label_ for e in parse(text).ents if e.text == "9 September 2020"] != ["DATE"]
    assert [s.kind for s in typed_spans(text) if s.text == "9 September 2020"] == ["date"]


def test_further_windows_come_from_the_best_window_s_document(selector) -> None:
    """With `gather_same_document`, a list is gathered from the best window's document, not
    topped up from another source."""
    members = passage(1, "Harbour partnership members\n\nThe harbour partnership is made up of "
                      "the port authorities of Oban, Mallaig and Ullapool. Its secretariat is "
                      "hosted in Oban.", "Harbour partnership members", "2025")
    bulletin = passage(2, "Coastal bulletin\n\nThe harbour partnership's port authorities "
                       "include Stornoway and Kyle, according to a local newsletter. The "
                       "bulletin also covers ferry timetables.", "Coastal bulletin", "2024")
    question = "Which port authorities are in the harbour partnership?"
    docs = {}
    for same in (False, True):
        policy = selector.policy.model_copy(update={"gather_same_document": same})
        chosen = AnswerSelector(policy, selector.encode).select(question, [members, bulletin], 60)
        docs[same] = {w.passage.doc_id for w in chosen.windows}
    assert docs[False] == {members.doc_id, bulletin.doc_id}
    assert docs[True] == {members.doc_id}


class _FixedScores(AnswerSelector):
    """The selector with each window's probability set by its text (0.01 for the rest), so a
    test of the policy does not hang on the fitted weights."""

    def __init__(self, policy, encode, probabilities: dict[str, float]) -> None:
        super().__init__(policy, encode)
        self.probabilities = probabilities

    def score(self, question, profile, passages):
        scored, _ = super().score(question, profile, passages)
        return scored, np.array([self.probabilities.get(w.text, 0.01) for w in scored.windows])


def test_near_delta_shortens_a_single_fact_and_never_a_list(selector) -> None:
    """Among windows close to the best, a single fact quotes the shortest; a list question
    keeps the lead-in with all its items however close its shorter runs score. (Parts of a
    multi-part question are not shortened either: see the side-by-side test above.)"""
    minutes = passage(1, "Harbour minutes\n\nIts minutes record three concerns:\n"
                      "- silting of the outer channel near the north breakwater\n"
                      "- pilot shortages during the winter months\n- levy arrears\n"
                      "The minutes were taken by Ceri Morgan, clerk to the harbour board. "
                      "She circulated them to members a week later.", "Harbour minutes")
    loose = AnswerSelector(selector.policy.model_copy(update={"near_delta": 1.0}),
                           selector.encode)
    items = answer(loose, "Which concerns do the harbour minutes record?", minutes)
    for item in ("silting", "pilot shortages", "levy arrears"):
        assert item in items, items
    single = "The minutes were taken by Ceri Morgan, clerk to the harbour board."
    pair = f"{single} She circulated them to members a week later."
    quoted = {}
    for delta in (0.0, 0.05):
        policy = selector.policy.model_copy(update={"near_delta": delta, "extra_ratio": 1.1})
        chosen = _FixedScores(policy, selector.encode, {pair: 0.90, single: 0.87}).select(
            "Who took the harbour minutes?", [minutes], 60)
        quoted[delta] = [w.text for w in chosen.windows]
    assert quoted == {0.0: [pair], 0.05: [single]}, quoted


def test_a_runner_up_continuing_the_best_window_is_quoted_with_it(selector) -> None:
    """A runner-up right after the best window is not a second quote; one right before it,
    or elsewhere in the passage, still is, after the best (whose citation comes first)."""
    first = "The harbour board met in Oban on 3 March."
    second = "Its chair, Ceri Morgan, opened the meeting."
    third = "Pilotage fees were left unchanged."
    board = passage(1, f"Harbour board\n\n{first} {second} {third}", "Harbour board")
    policy = selector.policy.model_copy(update={"near_delta": 0.0, "extra_ratio": 0.2})

    def quoted(question: str, probabilities: dict[str, float], source=board) -> list[str]:
        chosen = _FixedScores(policy, selector.encode, probabilities).select(
            question, [source], 60)
        return [w.text for w in chosen.windows]

    where = "Where did the harbour board meet?"
    assert quoted(where, {first: 0.9, second: 0.5}) == [f"{first} {second}"]
    assert quoted(where, {first: 0.9, third: 0.5}) == [first, third]
    who = "Who chaired the harbour board meeting?"
    assert quoted(who, {second: 0.9, first: 0.5}) == [second, first]
    # chosen as first, third, second: the second joins the first, then the third them
    assert quoted(where, {first: 0.9, third: 0.6, second: 0.5}) == [f"{first} {second} {third}"]
    # a short lead-in joined at the end, its items not quoted, is left off as before
    lead_in = "Ministers present were:"
    council = passage(2, f"Harbour council\n\n{first} {lead_in}\n- Alys Pritchard\n",
                      "Harbour council")
    assert quoted(where, {first: 0.9, lead_in: 0.5}, council) == [first]
    # ... but joined with an item after it, it stays, with the item, as one run
    pair = f"{first} {lead_in}"
    assert quoted(where, {pair: 0.9, "- Alys Pritchard": 0.5}, council) == [
        f"{pair}\n- Alys Pritchard"]


def test_a_pronoun_pointing_inside_its_own_question_is_left_alone() -> None:
    history = exchange("Who chairs the Harbour Liaison Group?", "The Minister for Harbours.")
    question = "which adviser told the panel the Harbour Board could set its own fees?"
    assert standalone_question(question, history) == question
    question = "and the Pilotage Council's first sitting - where was it and who chaired?"
    assert standalone_question(question, history) == question
    assert "Harbour Liaison Group" in standalone_question("when was it set up?", history)


def test_a_demonstrative_takes_the_earlier_phrase_with_that_noun() -> None:
    history = exchange("Who chaired the first meeting of the Forum for Harbour Pilots?",
                       "The Minister for Harbours.")
    standalone = standalone_question("When was the note of that meeting published?", history)
    assert "the first meeting of the Forum for Harbour Pilots" in standalone, standalone
    history = exchange("morag lindsay sat on the coastal review panel in 2025 - who else did?",
                       "Two harbour masters.")
    standalone = standalone_question("and who chaired that panel?", history)
    assert "coastal review panel" in standalone, standalone


@pytest.mark.parametrize(
    ("previous", "follow_up", "meant"),
    [
        ("which harbour sub-committees sat in 2022?", "how often does the pilots one meet?",
         "the pilots sub-committee meet"),
        ("what did the board promise about monthly harbour bulletins?",
         "and what about a yearly one?", "a yearly harbour bulletin"),
        ("what did the review say about dredging?",
         "it says dredging went through stages - what was the third one about?",
         "the third stage about"),
    ],
)
def test_one_standing_for_a_noun_takes_the_plural_named_before_it(
    previous: str, follow_up: str, meant: str
) -> None:
    standalone = standalone_question(follow_up, exchange(previous, "Several."))
    assert meant in standalone, standalone


def test_one_counting_something_is_left_alone() -> None:
    history = exchange("which harbour boards met in 2024?", "Three.")
    assert "did one minister" in standalone_question("did one minister attend?", history)


def test_a_follow_up_naming_no_date_keeps_the_previous_question_s_dates() -> None:
    history = exchange("Where did the Joint Forum on Ports meet in March 2025?", "In Oban.")
    assert "March 2025" in standalone_question("who chaired it?", history)
    own = standalone_question("and who chaired it in June 2025?", history)
    assert "June 2025" in own and "March 2025" not in own, own


def test_a_later_part_pointing_back_is_scored_with_the_first_part_s_dates(
    selector, monkeypatch
) -> None:
    from assistant.conversation import with_dates_of

    assert with_dates_of("where did it meet?", "Who chaired it in May 2025?") == (
        "where did it meet? (May 2025)")
    assert with_dates_of("where did it meet in 2024?", "Who chaired it in May 2025?") == (
        "where did it meet in 2024?")
    scored: list[str] = []
    score = AnswerSelector.score
    monkeypatch.setattr(AnswerSelector, "score",
                        lambda self, q, *a: scored.append(q) or score(self, q, *a))
    question = "Who chaired the Joint Forum on Ports in May 2025, and where did it meet?"
    chosen = selector.select(question, [passage(1, PORTS, "Ports communique", "2025-05-14")], 60)
    assert scored == ["Who chaired the Joint Forum on Ports in May 2025?",
                      "where did it meet? (May 2025)"], scored
    assert all("(" not in part for part in chosen.unanswered_parts)


def test_a_bare_yes_or_no_of_the_document_s_own_question_is_not_quoted() -> None:
    from assistant.windows import windows

    faq = passage(1, "Q3. Does the forum have a budget?\nNo. The forum is funded by its "
                  "members, who share the costs equally.", "Harbour forum FAQ")
    quoted = [w.text for w in windows(faq, 100, 8)]
    assert "The forum is funded by its members, who share the costs equally." in quoted
    assert not any(q.startswith("No") for q in quoted)


def test_a_sentence_two_overlapping_chunks_share_is_quoted_once() -> None:
    """Chunks overlap: a window of the second chunk repeating a sentence of a chosen window
    of the first is cut to what it adds, or left out when it adds nothing."""
    from assistant.selection import _unquoted
    from assistant.windows import windows

    first = passage(1, "The forum met in Oban. It agreed a dredging plan.", "Harbour forum")
    second = passage(2, "It agreed a dredging plan. Pilotage fees were frozen.", "Harbour forum")
    chosen = [w for w in windows(first, 100, 8) if w.kind == "pair"]
    pair = next(w for w in windows(second, 100, 8) if w.kind == "pair")
    cut = _unquoted(pair, chosen)
    assert cut is not None and cut.text == "Pilotage fees were frozen."
    repeat = next(w for w in windows(second, 100, 8) if w.text == "It agreed a dredging plan.")
    assert _unquoted(repeat, chosen) is None


def test_a_follow_up_to_a_follow_up_keeps_the_conversation_s_subject() -> None:
    """After "what is the Harbour Forum?" and "how often does it meet?", "who chaired its
    first meeting?" is about the forum, not about what the last answer happened to name."""
    history = [
        ChatMessage(role="user", content="What is the Harbour Forum?"),
        ChatMessage(role="assistant", content="A forum of the four governments on ports."),
        ChatMessage(role="user", content="how often does it meet?"),
        ChatMessage(role="assistant", content="Twice a year, alongside the Coastal Council."),
    ]
    assert "Harbour Forum" in standalone_question("who chaired its first meeting?", history)
    acronym = [
        ChatMessage(role="user", content="what is the HPF?"),
        ChatMessage(role="assistant", content="The ports forum of the four governments."),
    ]
    assert "HPF" in standalone_question("how often does it meet?", acronym)
    assert "HPF" in standalone_question(
        "who chaired its first meeting?",
        [*acronym, ChatMessage(role="user", content="how often does it meet?"),
         ChatMessage(role="assistant", content="Twice a year, with the Coastal Council.")])


def test_a_short_lead_in_whose_items_are_not_quoted_is_left_off() -> None:
    from assistant.selection import _without_dangling
    from assistant.windows import windows

    minutes = passage(1, "Alys Pritchard took the chair. Ministers present were:\n"
                      "- Ian Rowe\n- Mairi Dunn", "Harbour forum minutes")
    pair = next(w for w in windows(minutes, 100, 8) if w.kind == "pair")
    assert _without_dangling(pair).text == "Alys Pritchard took the chair."
    said = passage(2, "The forum met in Oban. The forum agreed a revised plan on 3 May 2025:\n"
                   "- dredging\n- fees", "Harbour forum notes")
    pair = next(w for w in windows(said, 100, 8) if w.kind == "pair")
    assert _without_dangling(pair) is pair  # a lead-in saying something of its own stays


def test_a_long_conversation_costs_a_bounded_number_of_rewrites(monkeypatch) -> None:
    """Earlier questions are read as rewritten only a few turns back: the work does not
    grow with the conversation (a fuzzed history of many turns once took minutes)."""
    from assistant import conversation

    calls = []
    real = conversation._with_subject

    def counted(question, history):
        calls.append(question)
        return real(question, history)

    monkeypatch.setattr(conversation, "_with_subject", counted)
    history = []
    for year in range(1960, 2020):
        history += [ChatMessage(role="user", content=f"and what about it in {year}?"),
                    ChatMessage(role="assistant", content="The harbour forum met twice.")]
    standalone_question("who chaired it?", history)
    assert len(calls) <= conversation._RESOLVE_TURNS + 1
