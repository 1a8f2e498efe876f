"""Run a dataset through the same `Assistant.ask` path as /chat and score every answer."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evals.dataset import EvalItem, dataset_hash, items_hash
from evals.fingerprint import (
    corpus_fingerprint,
    git_commit,
    model_fingerprint,
    unindexed_sources,
)
from evals.judge import Judge, JudgeError
from evals.metrics import Ratio, SupportFn
from evals.models import HISTORY_DATASET, HISTORY_OWN, JudgeStatus, QuestionResult, Report
from evals.scoring import errored, missing_chunk_ids, score
from evals.summary import build_report
from evals.text import strip_markers
from ingest.settings import Settings

if TYPE_CHECKING:
    from assistant.assistant import Assistant
    from assistant.models import ChatMessage


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0]}" if text else exc.__class__.__name__


def make_support(settings: Settings, embeddings: object) -> SupportFn | None:
    """The citation verifier's `is_supported`, or None when the verifier is unavailable."""
    try:
        from assistant.verifier import Verifier
    except ImportError:
        return None
    return Verifier(embeddings, settings).is_supported


def system_prompt_of(answerer: str) -> str | None:
    """The answerer's system prompt: its class's or module's `SYSTEM_PROMPT`, else the shared
    one in `assistant.prompts` (None when there is none)."""
    from assistant.answerers.base import load_answerer

    holders: list[object] = []
    try:
        cls = load_answerer(answerer)
        holders += [cls, importlib.import_module(cls.__module__)]
    except Exception:  # noqa: BLE001 - an unknown answerer is reported by the Assistant
        pass
    with contextlib.suppress(ImportError):
        holders.append(importlib.import_module("assistant.prompts"))
    for holder in holders:
        for name in ("SYSTEM_PROMPT", "system_prompt"):
            value = getattr(holder, name, None)
            if isinstance(value, str) and value.strip():
                return value
    return None


def cited_chunk_texts(settings: Settings, chunk_ids: list[str]) -> dict[str, str]:
    """Texts of cited chunks that the answer's `retrieved` list does not carry (from the store)."""
    if not chunk_ids:
        return {}
    from vectorstore.store import open_store

    return {c.chunk_id: c.text for c in open_store(settings).get(chunk_ids)}


def add_similarity(results: list[QuestionResult], encode: Callable[[list[str]], np.ndarray]):
    """Embedding cosine between each answered answerable question and its gold answer."""
    todo = [r for r in results if r.gold_answer.strip() and not r.refused and not r.error]
    todo = [r for r in todo if strip_markers(r.answer)]
    if not todo:
        return
    answers = encode([strip_markers(r.answer) for r in todo])
    golds = encode([r.gold_answer for r in todo])
    for r, a, g in zip(todo, answers, golds, strict=True):
        value = float(np.clip(a @ g, -1.0, 1.0))
        r.metrics["answer_similarity"] = value
        r.parts["answer_similarity"] = (value, 1.0)


def add_judge(
    results: list[QuestionResult], judge: Judge, encode: Callable[[list[str]], np.ndarray]
) -> JudgeStatus:
    """Faithfulness and answer relevancy for answered answerable questions."""
    status = JudgeStatus(status="ok", model=judge.model, base_url=judge.base_url)
    for r in results:
        if r.type in ("unanswerable", "injection") or r.refused or r.error:
            continue
        answer = strip_markers(r.answer)
        if not answer:
            continue
        try:
            faith = judge.faithfulness(answer, [item.text for item in r.retrieved])
            relevancy = judge.answer_relevancy(r.question, answer, encode)
        except JudgeError as exc:
            status.errors += 1
            if "unreachable" in str(exc) or "HTTP" in str(exc):
                status.status = f"failed: {exc}"
                return status
            continue
        for key, value in (("judge_faithfulness", faith), ("judge_answer_relevancy", relevancy)):
            if value is not None:
                r.metrics[key] = value
                r.parts[key] = Ratio(value, 1.0)
    return status


def own_answers(assistant: Assistant, history: list[ChatMessage], k: int) -> list[ChatMessage]:
    """`history` with each assistant turn replaced by what `assistant` answers to the user
    turn before it, given the (already replaced) turns before that."""
    out: list[ChatMessage] = []
    for message in history:
        if message.role == "assistant" and out and out[-1].role == "user":
            said = assistant.ask(out[-1].content, history=out[:-1], k=k).answer
            message = message.model_copy(update={"content": said})
        out.append(message)
    return out


def config_of(settings: Settings, k: int) -> dict[str, object]:
    """The settings that change what an evaluation measures."""
    from vectorstore.store import store_location  # chromadb only when a run opens a store

    keep = (
        "answerer",
        "top_k",
        "fetch_k",
        "rrf_k",
        "dense_weight",
        "lexical_weight",
        "max_chunks_per_doc",
        "chunk_size",
        "chunk_overlap",
        "max_answer_words",
        "llm_model",
        "collection",
    )
    config: dict[str, object] = {"k": k}
    config.update({name: getattr(settings, name) for name in keep})
    config["embedding_model"] = Path(settings.resolved_embedding_model()).name
    config["store"] = store_location(settings)
    return config


def evaluate(
    items: list[EvalItem],
    settings: Settings,
    *,
    dataset_path: Path,
    selection: dict[str, object] | None = None,
    k: int | None = None,
    assistant: Assistant | None = None,
    progress: bool = True,
    judge: Judge | None = None,
    own_history: bool = False,
) -> tuple[list[QuestionResult], Report]:
    """Ask every question, score it, and build the report (nothing is written here). With
    `own_history`, a follow-up's history holds what the assistant answered to its earlier
    questions, not the dataset's reference answers: follow-ups as users meet them."""
    from assistant.assistant import Assistant
    from vectorstore.embeddings import get_embeddings

    k = k or settings.top_k
    assistant = assistant or Assistant(settings)
    embeddings = get_embeddings(settings)
    supports = make_support(settings, embeddings)
    prompt = system_prompt_of(settings.answerer)
    results: list[QuestionResult] = []
    console = Console(stderr=True)
    columns = (
        TextColumn("eval"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, disable=not progress, transient=False) as bar:
        task = bar.add_task("", total=len(items))
        for item in items:
            bar.update(task, description=item.id)
            try:
                history = own_answers(assistant, item.history, k) if own_history else (
                    item.history)
                answer = assistant.ask(item.question, history=history, k=k, id=item.id)
            except Exception as exc:  # noqa: BLE001 - one failing question must not stop a run
                results.append(errored(item, _first_line(exc), k))
            else:
                texts = cited_chunk_texts(settings, missing_chunk_ids(answer))
                results.append(score(item, answer, k, supports, prompt, texts))
            bar.advance(task)
    add_similarity(results, embeddings.encode)
    judge_status = JudgeStatus(status="not configured")
    if judge is not None:
        judge_status = add_judge(results, judge, embeddings.encode)
    corpus, docs, chunks = corpus_fingerprint(settings)
    fingerprints = {
        "corpus": corpus,
        "model": model_fingerprint(settings.resolved_embedding_model()),
        "dataset": items_hash(items),
        "dataset_file": dataset_hash(dataset_path),
        "git_commit": git_commit(),
    }
    dataset = {
        "path": str(dataset_path),
        "stem": Path(dataset_path).stem,
        "questions": len(items),
        "selection": selection or {},
        "indexed_documents": len(docs),
        "indexed_chunks": chunks,
        "unindexed_sources": unindexed_sources(
            (s for item in items for s in item.sources), docs),
    }
    config = config_of(settings, k)
    config["history_answers"] = HISTORY_OWN if own_history else HISTORY_DATASET
    config["citation_support"] = "verifier" if supports else "skipped: no assistant.verifier"
    report = build_report(
        results,
        created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        dataset=dataset,
        config=config,
        fingerprints=fingerprints,
        judge=judge_status,
    )
    return results, report
