"""Feedback: the SQLite store, its export as evaluation cases, and `igr eval` refusing
cases until a person completes them; end to end through `igr serve` restarts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.feedback import (
    FeedbackIn,
    FeedbackStore,
    FeedbackStoreError,
    feedback_path,
    settings_fingerprint,
)
from assistant.models import Citation
from evals.dataset import DatasetError, incomplete_fields, load_dataset
from evals.feedback_export import export_cases
from tests.conftest import copy_store, make_settings
from tests.test_api_serve import ServeProcess

IGR = Path(sys.executable).with_name("igr")
CITE = Citation(n=1, doc_id="web/some-note", title="Some note", chunk_id="abc",
                quote="The board meets twice a year.", jurisdictions=["wales"]).model_dump()


def test_feedback_is_kept_across_store_instances(tmp_path):
    path = tmp_path / "fb" / "feedback.sqlite3"
    store = FeedbackStore(path)
    first = store.add(FeedbackIn(rating="down", question="How often does the board meet?",
                                 answer="Weekly. [1]", comment="It is twice a year.",
                                 citations=[CITE]), "fp1")
    store.add(FeedbackIn(rating="up", question="Who chairs it?"), "fp1")
    again = FeedbackStore(path)  # as after a restart
    assert again.count() == 2 and again.count("down") == 1
    kept = again.list("down")[0]
    assert kept.id == first.id and kept.comment == "It is twice a year."
    assert kept.citations[0].jurisdictions == ["wales"] and kept.server_fingerprint == "fp1"
    assert [r.question for r in again.list(limit=1, offset=1)] == ["Who chairs it?"]


def test_an_unusable_feedback_path_is_one_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(FeedbackStoreError, match="cannot open the feedback database"):
        FeedbackStore(blocker / "feedback.sqlite3")


def test_settings_fingerprint_ignores_keys_and_ports(tmp_path):
    base = make_settings(tmp_path)
    same = base.model_copy(update={"api_keys": ["k"], "port": 9999})
    other = base.model_copy(update={"top_k": 9})
    assert settings_fingerprint(base) == settings_fingerprint(same)
    assert settings_fingerprint(base) != settings_fingerprint(other)
    assert feedback_path(base) == Path(base.store_dir) / "feedback.sqlite3"


def test_exported_cases_are_refused_until_completed(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add(FeedbackIn(rating="down", question="How often does the board meet?",
                         answer="Weekly. [1]", comment="Wrong frequency", citations=[CITE]), "f")
    store.add(FeedbackIn(rating="up", question="Fine answer?"), "f")
    out = tmp_path / "cases.jsonl"
    assert export_cases(store, out) == 1
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line["sources"] == ["some-note"] and line["type"] == ""
    assert line["review"]["given_answer"] == "Weekly. [1]"
    with pytest.raises(DatasetError) as refused:
        load_dataset(out)
    assert "incomplete case from feedback: fill in type" in refused.value.problems[0]
    line["type"] = "factoid"
    out.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError) as still:
        load_dataset(out)
    assert "fill in answer, evidence, keywords" in still.value.problems[0]
    line.update(answer="Twice a year.", evidence=["The board meets twice a year."],
                keywords=["twice a year"])
    out.write_text(json.dumps(line) + "\n", encoding="utf-8")
    item = load_dataset(out)[0]
    assert item.review["comment"] == "Wrong frequency" and item.sources == ["some-note"]
    assert export_cases(store, out, include_up=True) == 2


def test_incomplete_fields_by_type():
    review = {"review": {}}
    assert incomplete_fields({"type": "factoid"}) == []  # not from feedback: not checked
    assert incomplete_fields({**review, "type": "unanswerable"}) == []
    assert incomplete_fields({**review, "type": "injection"}) == ["forbidden"]
    assert incomplete_fields({**review, "type": "list", "answer": "a", "sources": ["s"],
                              "evidence": ["e"]}) == ["keywords"]


@pytest.mark.slow
def test_feedback_survives_a_restart_and_becomes_an_eval_case(samples_settings, tmp_path):
    store = tmp_path / "store"
    copy_store(samples_settings.store_dir, store)
    keys = {"IGR_API_KEYS": "reader", "IGR_ADMIN_API_KEYS": "admin"}
    reader = {"Authorization": "Bearer reader"}
    admin = {"Authorization": "Bearer admin"}
    server = ServeProcess(store, **keys)
    try:
        server.wait_ready()
        answer = httpx.post(f"{server.url}/chat", headers=reader, timeout=180,
                            json={"question": "What is the Barnett formula?"}).json()
        assert answer["citations"]
        sent = httpx.post(f"{server.url}/feedback", headers=reader, timeout=30, json={
            "rating": "down", "question": answer["question"], "answer": answer["answer"],
            "answer_id": answer["id"], "citations": answer["citations"],
            "comment": "It should say who it is named after.",
        })
        assert sent.status_code == 201, sent.text
        assert httpx.get(f"{server.url}/feedback", headers=reader).status_code == 403
    finally:
        server.stop()
    again = ServeProcess(store, **keys)  # a new process over the same files
    try:
        again.wait_ready()
        listed = httpx.get(f"{again.url}/feedback", headers=admin, timeout=30)
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["total"] == 1 and body["items"][0]["answer_id"] == answer["id"]
        assert len(body["items"][0]["server_fingerprint"]) == 16
        far = httpx.get(f"{again.url}/feedback", headers=admin, timeout=30,
                        params={"offset": 2**63})  # past SQLite's integers: a clear 422
        assert far.status_code == 422, far.text
    finally:
        again.stop()

    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    env.update(IGR_STORE_DIR=str(store), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    cases = tmp_path / "cases.jsonl"
    run = subprocess.run([str(IGR), "feedback", "export", "--out", str(cases)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    refused = subprocess.run([str(IGR), "eval", str(cases), "--no-progress"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode == 2
    assert "incomplete case from feedback: fill in type" in refused.stderr
    assert "Traceback" not in refused.stderr
    line = json.loads(cases.read_text(encoding="utf-8"))
    quote = line["review"]["citations"][0]["quote"]
    line.update(type="factoid", answer=quote, evidence=[quote],
                keywords=[quote.split()[1]])
    cases.write_text(json.dumps(line) + "\n", encoding="utf-8")
    done = subprocess.run([str(IGR), "eval", str(cases), "--no-progress", "--out",
                           str(tmp_path / "eval-out")], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "eval-out" / "report.json").is_file()
