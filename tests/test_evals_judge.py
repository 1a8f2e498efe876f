"""The optional LLM judge against a tiny local stand-in OpenAI-compatible server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from evals.judge import Judge, JudgeError
from evals.models import QuestionResult
from evals.runner import add_judge
from ingest.settings import Settings

REPLIES = {
    "statements": {
        "statements": [
            {"text": "The group met.", "supported": True},
            {"text": "It met in Paris.", "supported": False},
            {"text": "Gove chaired it.", "supported": True},
            {"text": "It discussed levelling up.", "supported": True},
        ]
    },
    "questions": {
        "questions": ["Who chaired the group?", "Who chaired the first group?", "Who chaired it?"],
        "noncommittal": False,
    },
}


class StandIn(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions from the system prompt's kind; 'BROKEN' gives junk."""

    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        StandIn.requests.append(
            {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
        )
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        if self.path != "/v1/chat/completions":
            self.send_response(404)
            self.end_headers()
            return
        kind = "statements" if "statements" in system else "questions"
        content = "no json here" if "BROKEN" in user else "Sure:\n" + json.dumps(REPLIES[kind])
        reply = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def encode(texts: list[str]) -> np.ndarray:
    """Unit vectors: the question gets e0, generated questions lean towards it by wording."""
    rows = []
    for t in texts:
        v = np.array([1.0, 0.0]) if "first" not in t else np.array([0.6, 0.8])
        rows.append(v / np.linalg.norm(v))
    return np.array(rows)


def test_from_settings_needs_url_and_model() -> None:
    assert Judge.from_settings(Settings(judge_base_url=None, judge_model="m")) is None
    judge = Judge.from_settings(Settings(judge_base_url="http://x/v1/", judge_model="m"))
    assert judge is not None and judge.base_url == "http://x/v1"
    judge.close()


def test_faithfulness_and_relevancy(server: str) -> None:
    judge = Judge(server, "judge-model", api_key="sekret")
    assert judge.faithfulness("Gove chaired it [1].", ["passage one"]) == 0.75
    sent = StandIn.requests[-1]
    assert sent["auth"] == "Bearer sekret" and sent["body"]["model"] == "judge-model"
    assert sent["body"]["response_format"] == {"type": "json_object"}  # JSON mode by default
    assert sent["body"]["max_tokens"] == 1024
    assert "passage one" in sent["body"]["messages"][1]["content"]
    relevancy = judge.answer_relevancy("Who chaired the group?", "Gove chaired it.", encode)
    assert relevancy == pytest.approx((1.0 + 0.6 + 1.0) / 3)
    with pytest.raises(JudgeError, match="no JSON object"):
        judge.faithfulness("BROKEN", ["p"])
    judge.close()


def test_unreachable_and_http_errors(server: str) -> None:
    with pytest.raises(JudgeError, match="unreachable"):
        Judge("http://127.0.0.1:9/v1", "m", timeout_s=2).faithfulness("a", ["b"])
    with pytest.raises(JudgeError, match="HTTP 404"):
        Judge(server.removesuffix("/v1") + "/nope", "m").faithfulness("a", ["b"])


def test_add_judge_fills_metrics_and_counts_errors(server: str) -> None:
    results = [
        QuestionResult(
            id="a", type="factoid", question="Who chaired the group?", answer="Gove chaired it [1]."
        ),
        QuestionResult(id="b", type="factoid", question="q", answer="BROKEN"),
        QuestionResult(id="c", type="unanswerable", question="q", answer="x"),
        QuestionResult(id="d", type="factoid", question="q", answer="r", refused=True),
    ]
    status = add_judge(results, Judge(server, "m"), encode)
    assert status.status == "ok" and status.errors == 1
    assert results[0].metrics["judge_faithfulness"] == 0.75
    assert 0.0 < results[0].metrics["judge_answer_relevancy"] <= 1.0
    assert all("judge_faithfulness" not in r.metrics for r in results[1:])
    down = add_judge(
        [results[0].model_copy(deep=True)], Judge("http://127.0.0.1:9/v1", "m"), encode
    )
    assert down.status.startswith("failed: judge endpoint unreachable")
