"""Issue 11 over the shared corpus: jurisdiction on answers and filters, the hand-labelled
tagging measure, the glossary and the quiz (skipped where ../shared is absent)."""

from __future__ import annotations

import pytest

from assistant.models import SearchFilters
from assistant.quiz import GAP
from assistant.training import training_service
from evals.jurisdiction_tagging import LABELS_PATH, load_labels, predict, resolve, score
from ingest.jurisdiction import JurisdictionRules

pytestmark = pytest.mark.shared


def test_a_scotland_only_question_gets_scotland_tagged_citations(shared_assistant):
    result = shared_assistant.ask(
        "How much has the Scottish Government committed to investing in the Aberdeen and "
        "Aberdeenshire deal?"
    )
    assert not result.refused and result.citations
    assert all("scotland" in c.jurisdictions for c in result.citations)
    assert "scotland" in result.jurisdictions
    assert "£125 million" in result.answer


def test_the_jurisdiction_filter_excludes_other_nations(shared_assistant):
    question = "How is a block grant adjusted when a tax is devolved?"
    everything = shared_assistant.ask(question)
    assert any("wales" not in r.jurisdictions for r in everything.retrieved)
    welsh = shared_assistant.ask(question, filters=SearchFilters(jurisdiction=["Wales"]))
    assert welsh.retrieved and all("wales" in r.jurisdictions for r in welsh.retrieved)
    assert all("wales" in c.jurisdictions for c in welsh.citations)


def test_hand_labels_cover_sixty_chunks_and_every_locator_resolves(shared_corpus):
    items = load_labels(LABELS_PATH)
    assert len(items) >= 60
    held_out = [i for i in items if i.split == "held-out"]
    fit = [i for i in items if i.split == "fit"]
    assert held_out and fit and not {i.doc for i in held_out} & {i.doc for i in fit}
    for item in items:
        resolve(item, shared_corpus)


def test_held_out_precision_and_recall_per_jurisdiction(shared_corpus, shared_settings):
    held_out = [i for i in load_labels(LABELS_PATH) if i.split == "held-out"]
    rules = JurisdictionRules.from_settings(shared_settings)
    scores = {s.code: s for s in score(held_out, predict(held_out, rules, shared_corpus))}
    for code, s in scores.items():
        print(f"{code}: n={s.support} precision={s.precision} recall={s.recall}")
    # Floors well under the measured values (see evals/jurisdiction/README.md): a change
    # that breaks tagging fails here.
    assert scores["uk"].precision >= 0.8 and scores["uk"].recall >= 0.8
    for code in ("england", "scotland", "northern-ireland", "international"):
        assert scores[code].precision >= 0.6 and scores[code].recall >= 0.6, code
    assert scores["wales"].precision >= 0.4 and scores["wales"].recall >= 0.4


def test_the_glossary_quotes_and_cites_the_sewel_convention(shared_assistant):
    service = training_service(shared_assistant.store, shared_assistant.settings)
    entries = service.glossary().lookup("Sewel convention")
    assert entries, "no glossary entry for the Sewel convention"
    entry = entries[0]
    assert entry.term.lower() == "sewel convention"
    chunk = shared_assistant.store.get([entry.citation.chunk_id])[0]
    assert entry.definition in chunk.text  # verbatim
    assert "sewel convention" in entry.definition.lower()
    assert entry.citation.doc_id == chunk.metadata.doc_id and entry.citation.title
    assert entry.jurisdictions  # where it applies


@pytest.mark.slow
def test_ten_quiz_questions_each_answerable_from_its_cited_quote(shared_assistant):
    service = training_service(shared_assistant.store, shared_assistant.settings)
    quiz = service.quiz(lambda: shared_assistant.verifier, n=10, seed=3)
    assert len(quiz.items) == 10
    assert len({i.citation.doc_id for i in quiz.items}) == 10  # one per document
    verifier = shared_assistant.verifier
    for item in quiz.items:
        chunk = shared_assistant.store.get([item.citation.chunk_id])[0]
        assert item.citation.quote in chunk.text
        assert item.options[item.answer_index] == item.answer
        assert len(item.options) == shared_assistant.settings.quiz_options
        assert len(set(item.options)) == len(item.options)
        assert GAP in item.passage
        answered = item.passage.replace(GAP, item.answer)
        assert verifier.is_supported(answered, [item.citation.quote]) or (
            answered.lower() == item.citation.quote.lower()
        )
        for wrong in item.options:
            if wrong != item.answer:  # the quote names the answer, not the wrong choices
                assert wrong.lower() not in item.citation.quote.lower()
    again = service.quiz(lambda: shared_assistant.verifier, n=10, seed=3)
    assert again == quiz  # the same seed, the same quiz
    about = service.quiz(lambda: shared_assistant.verifier, n=5, seed=1, topic="Barnett")
    assert about.items and all(
        "barnett" in (i.answer + i.citation.quote + i.citation.title).lower() for i in about.items
    )
