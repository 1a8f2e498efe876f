"""Optional LLM-judge metrics (RAGAS-style faithfulness and answer relevancy).

Used only when an OpenAI-compatible endpoint is configured (`IGR_JUDGE_BASE_URL`,
`IGR_JUDGE_MODEL`, optional `IGR_JUDGE_API_KEY`); otherwise the report says "not configured".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import numpy as np

from assistant.llm_client import ChatEndpoint, LLMError
from ingest.settings import Settings

FAITHFULNESS_PROMPT = """You check answers against source passages.
Split the ANSWER into short standalone factual statements. For each statement decide whether
it can be inferred from the PASSAGES alone. Reply with JSON only:
{"statements": [{"text": "...", "supported": true}]}"""

RELEVANCY_PROMPT = """Write 3 questions that the ANSWER below answers directly, and say whether
the answer is noncommittal (evasive, "I don't know", a refusal). Reply with JSON only:
{"questions": ["...", "...", "..."], "noncommittal": false}"""


class JudgeError(RuntimeError):
    """The judge endpoint failed or replied with something unusable (one line)."""


def _first_json(text: str) -> dict:
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        raise JudgeError("judge reply has no JSON object")
    try:
        value = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise JudgeError(f"judge reply is not valid JSON ({exc.msg})") from exc
    if not isinstance(value, dict):
        raise JudgeError("judge reply is not a JSON object")
    return value


class Judge:
    """A chat-completions client for one judge model (the official `openai` client, with the
    timeout and retries of IGR_LLM_TIMEOUT_S and IGR_LLM_MAX_RETRIES)."""

    def __init__(
        self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 120.0,
        max_retries: int = 2, json_mode: bool = True, max_tokens: int = 1024,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.json_mode = json_mode
        self.max_tokens = max_tokens
        self._endpoint = ChatEndpoint(
            self.base_url, model, api_key=api_key, timeout_s=timeout_s,
            max_retries=max_retries, what=f"the judge endpoint at {self.base_url}",
            key_setting="IGR_JUDGE_API_KEY",
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Judge | None:
        """The configured judge, or None when `judge_base_url`/`judge_model` are unset."""
        if not settings.judge_base_url or not settings.judge_model:
            return None
        return cls(settings.judge_base_url, settings.judge_model, settings.judge_api_key,
                   timeout_s=settings.llm_timeout_s, max_retries=settings.llm_max_retries,
                   json_mode=settings.judge_json_mode, max_tokens=settings.judge_max_tokens)

    def close(self) -> None:
        self._endpoint.close()

    def complete_json(self, system: str, user: str) -> dict:
        """One chat completion at temperature 0, parsed as a JSON object (asked for in JSON
        mode, `response_format: json_object`, unless `json_mode` is off)."""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        params: dict = {"temperature": 0, "max_tokens": self.max_tokens}
        if self.json_mode:
            params["response_format"] = {"type": "json_object"}
        try:
            content = self._endpoint.complete(messages, **params)
        except LLMError as exc:
            prefix = "judge endpoint unreachable: " if exc.kind == "unreachable" else ""
            raise JudgeError(f"{prefix}{exc}") from exc
        return _first_json(content or "")

    def faithfulness(self, answer: str, passages: list[str]) -> float | None:
        """Share of the answer's statements the judge finds supported by the passages."""
        joined = "\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, start=1))
        reply = self.complete_json(FAITHFULNESS_PROMPT, f"PASSAGES:\n{joined}\n\nANSWER:\n{answer}")
        statements = reply.get("statements")
        if not isinstance(statements, list):
            raise JudgeError("judge reply lacks a 'statements' list")
        flags = [bool(s.get("supported")) for s in statements if isinstance(s, dict)]
        return sum(flags) / len(flags) if flags else None

    def answer_relevancy(
        self, question: str, answer: str, encode: Callable[[list[str]], np.ndarray]
    ) -> float:
        """RAGAS answer relevancy: mean cosine between the question and questions generated
        from the answer (0 when the judge calls the answer noncommittal)."""
        reply = self.complete_json(RELEVANCY_PROMPT, f"ANSWER:\n{answer}")
        questions = [q for q in reply.get("questions", []) if isinstance(q, str) and q.strip()]
        if not questions:
            raise JudgeError("judge reply lacks generated questions")
        if reply.get("noncommittal"):
            return 0.0
        vectors = encode([question, *questions])
        return float(np.clip(vectors[1:] @ vectors[0], 0.0, 1.0).mean())
