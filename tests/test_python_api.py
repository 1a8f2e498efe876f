"""The Python API: `from assistant import Assistant`, its curated names, and the README's
example, run as a user would (a fresh interpreter over a store of the samples)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import assistant
from ingest.settings import PROJECT_ROOT

MARKER = "<!-- python-api-example"


def readme_example() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    after = text[text.index(MARKER):]
    found = re.search(r"```python\n(.*?)```", after, re.S)
    assert found, "the README lost its Python API example"
    return found.group(1)


def run_python(code: str, env: dict[str, str], cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IGR_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", **extra)
    return env


def test_curated_names_import_and_stay_light(tmp_path) -> None:
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None, name
    assert assistant.Assistant.__module__ == "assistant.assistant"
    assert assistant.HybridRetriever.__doc__ and "Runnable" in assistant.HybridRetriever.__doc__
    light = run_python("import sys, assistant; print('chromadb' in sys.modules, "
                       "'torch' in sys.modules)", clean_env(), tmp_path)
    assert light.stdout.strip() == "False False", light.stderr


def test_readme_python_example_runs(samples_settings, tmp_path) -> None:
    env = clean_env(IGR_STORE_DIR=str(samples_settings.store_dir))
    done = run_python(readme_example(), env, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    first_source = next(i for i, line in enumerate(lines) if line.startswith("[1] "))
    answer = "\n".join(lines[:first_source])
    assert "Barnett" in answer and "[1]" in answer
    assert "Barnett formula" in lines[first_source] and ": " in lines[first_source]
    titles = ast.literal_eval(lines[-1])  # the example prints a list of titles
    assert titles and "The Sewel convention and legislative consent" in titles


def test_retriever_is_a_runnable_with_filters(samples_assistant) -> None:
    from assistant import SearchFilters

    retriever = samples_assistant.retriever(k=2, filters=SearchFilters(doc_ids=[
        "sewel-convention-and-legislative-consent"]))
    batches = retriever.batch(["How is legislative consent given?", "Who was Lord Sewel?"])
    assert [len(docs) for docs in batches] == [2, 2]
    for docs in batches:
        assert {d.metadata["doc_id"] for d in docs} == {"sewel-convention-and-legislative-consent"}
        assert all(d.id == d.metadata["chunk_id"] and d.metadata["score"] > 0 for d in docs)
