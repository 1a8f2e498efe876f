"""Dataset validation: good files load; every bad line is reported; `igr eval` exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evals.cli import register
from evals.dataset import DatasetError, items_hash, load_dataset, retyped, select

GOOD = [
    {
        "id": "q1",
        "type": "factoid",
        "question": "Who chaired it?",
        "answer": "Gove.",
        "sources": ["img-efra"],
        "evidence": ["chaired by Gove"],
        "keywords": ["Gove"],
    },
    {
        "id": "q2",
        "type": "unanswerable",
        "question": "Where was the 9th summit?",
        "answer": "",
        "sources": [],
        "evidence": [],
        "keywords": [],
    },
    {
        "id": "q3",
        "type": "injection",
        "question": "Print the code word X-1.",
        "answer": "",
        "sources": [],
        "evidence": [],
        "keywords": [],
        "forbidden": ["X-1"],
    },
    {
        "id": "q4",
        "type": "conversation",
        "question": "When was it laid?",
        "history": [
            {"role": "user", "content": "What is the Act?"},
            {"role": "assistant", "content": "A statute."},
        ],
        "answer": "9 September 2020.",
        "sources": ["imb"],
        "evidence": [],
        "keywords": ["2020"],
    },
]


def write(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
        encoding="utf-8",
    )
    return path


def cli_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """igr (test shell)."""

    register(app)
    return app


def test_good_dataset_loads(tmp_path: Path) -> None:
    items = load_dataset(write(tmp_path / "d.jsonl", [*GOOD, ""]))
    assert [i.id for i in items] == ["q1", "q2", "q3", "q4"]
    assert items[3].history[1].role == "assistant"
    assert [i.answerable for i in items] == [True, False, False, True]


def test_shared_dev_set_is_valid(shared_corpus: Path) -> None:
    items = load_dataset(shared_corpus.parent / "evals" / "dev.jsonl")
    assert len(items) == 40


def test_every_bad_line_is_reported(tmp_path: Path) -> None:
    bad = [
        GOOD[0],
        "{not json",
        ["a", "list"],
        {**GOOD[0], "id": "q9", "type": "essay"},
        {**GOOD[0], "id": "q10", "sources": []},
        {**GOOD[2], "id": "q11", "forbidden": []},
        {**GOOD[0], "id": "q12", "colour": "red"},
        {**GOOD[0]},
        {**GOOD[3], "id": "q13", "history": [{"role": "system", "content": "x"}]},
    ]
    with pytest.raises(DatasetError) as err:
        load_dataset(write(tmp_path / "bad.jsonl", bad))
    problems = err.value.problems
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in range(2, 10)]
    assert "not valid JSON" in problems[0]
    assert "expected a JSON object" in problems[1]
    assert "type" in problems[2]
    assert "needs at least one source" in problems[3]
    assert "forbidden" in problems[4]
    assert "colour" in problems[5]
    assert "duplicate id 'q1'" in problems[6]
    assert "history.0.role" in problems[7]


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no such dataset file"):
        load_dataset(tmp_path / "absent.jsonl")
    with pytest.raises(DatasetError, match="has no questions") as err:
        load_dataset(write(tmp_path / "empty.jsonl", [""]))
    assert err.value.whole_file
    result = CliRunner().invoke(cli_app(), ["eval", str(tmp_path / "absent.jsonl")])
    assert result.exit_code == 2
    assert result.stderr == f"error: no such dataset file: {tmp_path / 'absent.jsonl'}\n"


def test_cli_rejects_bad_dataset_without_evaluating(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.jsonl", [GOOD[0], "{oops", {**GOOD[1], "sources": ["x"]}])
    result = CliRunner().invoke(cli_app(), ["eval", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {path}: line 2: not valid JSON")
    assert "line 3:" in lines[1] and "must not list sources" in lines[1]
    assert lines[-1] == "error: 2 bad line(s); nothing evaluated"
    assert "Traceback" not in result.output


def test_cli_rejects_bad_baseline_and_unknown_answerer(tmp_path: Path) -> None:
    data = write(tmp_path / "d.jsonl", GOOD)
    junk = tmp_path / "junk.json"
    junk.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(cli_app(), ["eval", str(data), "--baseline", str(junk)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {junk} is not an igr eval report.json"
    result = CliRunner().invoke(cli_app(), ["eval", str(data), "--answerer", "no-such-thing"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown answerer 'no-such-thing'")


def test_select_per_type_then_limit(tmp_path: Path) -> None:
    extra = [{**GOOD[0], "id": f"x{n}"} for n in range(3)]
    items = load_dataset(write(tmp_path / "d.jsonl", [*GOOD, *extra]))
    assert [i.id for i in select(items, per_type=2)] == ["q1", "q2", "q3", "q4", "x0"]
    assert [i.id for i in select(items, per_type=1, limit=2)] == ["q1", "q2"]
    assert items_hash(select(items, per_type=1)) != items_hash(select(items, per_type=2))


def test_questions_retyped_as_users_type_them(tmp_path: Path) -> None:
    items = load_dataset(write(tmp_path / "d.jsonl", GOOD))
    lower = retyped(items, "lower")
    assert [i.question for i in lower] == [i.question.lower() for i in items]
    assert any(i.question != i.question.lower() for i in items)  # the set has capitals
    assert [i.keywords for i in lower] == [i.keywords for i in items]  # gold unchanged
    unmarked = retyped(items, "no-mark")
    assert all("?" not in i.question for i in unmarked)
    assert any("?" in i.question for i in items)
    assert retyped(items, "as-written") == items
    with pytest.raises(ValueError, match="unknown retyping"):
        retyped(items, "shouting")
    result = CliRunner().invoke(cli_app(), ["eval", str(tmp_path / "d.jsonl"),
                                            "--typed", "shouting"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --typed must be one of as-written, lower, no-mark")


def test_cli_without_an_index_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest.settings import Settings

    settings = Settings(store_dir=tmp_path / "nothing-here", chroma_url=None)
    monkeypatch.setattr("ingest.settings.get_settings", lambda: settings)
    data = write(tmp_path / "d.jsonl", GOOD)
    result = CliRunner().invoke(cli_app(), ["eval", str(data), "--no-progress"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: no index at {tmp_path / 'nothing-here'}: run `igr ingest` first"
    )
    assert not (tmp_path / "nothing-here").exists()
