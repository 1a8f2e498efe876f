"""The CI gate: the harness on the held-out test split (evals/datasets/test.jsonl, never used
for tuning) must not regress against the committed baseline `evals/baselines/test-report.json`;
and the CLI's exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evals.baseline import changed_questions, compare, mismatches, regressed, results_beside
from evals.cli import register
from evals.dataset import load_dataset, select
from evals.output import load_report, write_outputs
from evals.runner import evaluate
from evals.targets import METRIC_BY_KEY
from ingest.settings import PROJECT_ROOT, Settings
from tests.conftest import SAMPLES_DIR, SHARED_EVALS_DIR

TEST_SPLIT = PROJECT_ROOT / "evals" / "datasets" / "test.jsonl"
BASELINE = PROJECT_ROOT / "evals" / "baselines" / "test-report.json"
REFRESH = "refresh it as evals/baselines/README.md says"


@pytest.mark.slow
@pytest.mark.shared
def test_test_split_does_not_regress(shared_settings: Settings, shared_assistant, tmp_path: Path):
    assert BASELINE.is_file(), f"no committed baseline at {BASELINE}: {REFRESH}"
    baseline = load_report(BASELINE)
    per_type = baseline.dataset.get("selection", {}).get("per_type")
    path = TEST_SPLIT
    items = select(load_dataset(path), per_type=per_type)
    results, report = evaluate(
        items,
        shared_settings,
        dataset_path=path,
        selection={"per_type": per_type, "limit": None},
        k=int(baseline.config["k"]),
        assistant=shared_assistant,
        progress=False,
    )
    write_outputs(tmp_path / "gate", results, report)
    assert report.errors == 0, [r.error for r in results if r.error]
    assert report.fingerprints["dataset"] == baseline.fingerprints["dataset"], (
        f"the gate's questions ({path.name}, per type {per_type}) changed since the baseline: "
        f"{REFRESH}"
    )
    rows = compare(report, baseline)
    table = "\n".join(
        f"{r.label}: baseline {r.baseline} now {r.current} ({r.status})" for r in rows
    )
    notes = "\n".join(mismatches(report, baseline))
    changed = "\n".join(changed_questions(results, results_beside(BASELINE)))
    assert not regressed(rows), (
        f"regression against {BASELINE.name}:\n{table}\n{notes}\n{changed}\n"
        f"(full report in {tmp_path / 'gate'})"
    )


def _shifted(report_path: Path, out: Path, towards: str) -> Path:
    """A copy of a report whose headline values are 0.2 better or worse than measured."""
    data = json.loads(report_path.read_text(encoding="utf-8"))
    for row in data["headline"]:
        if row["value"] is None:
            continue
        step = 0.2 if METRIC_BY_KEY[row["key"]].unit == "rate" else 10.0
        higher = METRIC_BY_KEY[row["key"]].better == "higher"
        row["value"] += step if (towards == "better") == higher else -step
    out.write_text(json.dumps(data), encoding="utf-8")
    return out


@pytest.mark.slow
@pytest.mark.shared
def test_cli_exit_codes(shared_settings: Settings, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("ingest.settings.get_settings", lambda: shared_settings)
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """igr (test shell)."""

    register(app)
    dev = str(SHARED_EVALS_DIR / "dev.jsonl")
    common = [dev, "--limit", "2", "--no-progress"]
    run = CliRunner().invoke(app, ["eval", *common, "--out", str(tmp_path / "a")])
    assert run.exit_code == 0, run.output
    assert "doc hit@k" in run.stdout and "wrote" in run.stdout
    report = tmp_path / "a" / "report.json"
    assert len((tmp_path / "a" / "results.jsonl").read_text().splitlines()) == 2

    better = _shifted(report, tmp_path / "better.json", "better")
    run = CliRunner().invoke(
        app, ["eval", *common, "--baseline", str(better), "--out", str(tmp_path / "b")]
    )
    assert run.exit_code == 1, run.output
    assert "regressed" in run.stdout and "regression against the baseline" in run.stderr

    worse = _shifted(report, tmp_path / "worse.json", "worse")
    run = CliRunner().invoke(
        app, ["eval", *common, "--baseline", str(worse), "--out", str(tmp_path / "c")]
    )
    assert run.exit_code == 0, run.output
    assert "improved" in run.stdout and "regressed" not in run.stdout


@pytest.mark.slow
@pytest.mark.shared
def test_cli_exit_2_when_every_question_fails(shared_settings: Settings, tmp_path, monkeypatch):
    """An answerer that cannot run (openai without a URL) fails every question: exit 2."""
    broken = shared_settings.model_copy(update={"llm_base_url": None})
    monkeypatch.setattr("ingest.settings.get_settings", lambda: broken)
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """igr (test shell)."""

    register(app)
    dev = str(SHARED_EVALS_DIR / "dev.jsonl")
    args = ["eval", dev, "--answerer", "openai", "--limit", "2", "--no-progress"]
    run = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "x")])
    assert run.exit_code == 2, run.output
    assert run.stderr.startswith("error: every question failed; the first with ")
    assert "IGR_LLM_BASE_URL" in run.stderr and "Traceback" not in run.output
    assert len((tmp_path / "x" / "results.jsonl").read_text().splitlines()) == 2


def test_cli_warns_when_gold_sources_are_not_indexed(
    samples_settings: Settings, tmp_path: Path, monkeypatch
) -> None:
    """A dataset written over documents the store lacks is evaluated, with a warning naming
    them (a wrong store is otherwise only seen in low figures); none when all are indexed.
    Sources are compared by file stem, as the metrics compare them."""
    monkeypatch.setattr("ingest.settings.get_settings", lambda: samples_settings)
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """igr (test shell)."""

    register(app)

    def item(n: int, source: str) -> str:
        return json.dumps({
            "id": f"q{n}", "type": "factoid", "question": "What is the Sewel convention?",
            "answer": "A convention.", "sources": [source], "evidence": [], "keywords": ["1998"],
        })

    sewel = "sewel-convention-and-legislative-consent"
    absent = [f"web/report-nobody-indexed-{n}" for n in range(6)]
    runs = {}
    for name, sources in (("indexed", [sewel, f"samples/{sewel}"]),
                          ("missing", [f"web/{sewel}", *absent, f"pdf/{absent[0]}"])):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(item(n, s) for n, s in enumerate(sources)) + "\n",
                        encoding="utf-8")
        runs[name] = CliRunner().invoke(
            app, ["eval", str(path), "--no-progress", "--out", str(tmp_path / name)])
        assert runs[name].exit_code == 0, runs[name].output
    files = len([p for p in SAMPLES_DIR.iterdir()
                 if p.is_file() and not p.name.startswith((".", "README"))])
    assert f"index: {files} documents, " in runs["indexed"].stdout
    assert "warning" not in runs["indexed"].stderr
    assert load_report(tmp_path / "indexed" / "report.json").dataset["unindexed_sources"] == []
    warning = " ".join(runs["missing"].stderr.split())
    assert "6 gold source document(s) of missing.jsonl are not in collection" in warning
    assert ", ".join(absent[:5]) + ", ..." in warning and sewel not in warning
    report = load_report(tmp_path / "missing" / "report.json")
    assert report.dataset["unindexed_sources"] == absent
    assert report.dataset["indexed_documents"] == files
