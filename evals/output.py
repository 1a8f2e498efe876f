"""Write an evaluation's files: report.json, results.jsonl and report.html."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from evals.html import render_html
from evals.models import QuestionResult, Report


def default_out_dir(dataset_path: Path, base: Path = Path("eval-out")) -> Path:
    """eval-out/<dataset-stem>-<UTC timestamp>."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return base / f"{Path(dataset_path).stem}-{stamp}"


def write_outputs(out_dir: Path, results: list[QuestionResult], report: Report) -> dict[str, Path]:
    """Write the three files into `out_dir` (created) and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "report.json": out_dir / "report.json",
        "results.jsonl": out_dir / "results.jsonl",
        "report.html": out_dir / "report.html",
    }
    paths["report.json"].write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    with paths["results.jsonl"].open("w", encoding="utf-8") as fh:
        for r in results:
            fh.write(json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n")
    paths["report.html"].write_text(render_html(report, results), encoding="utf-8")
    return paths


def load_report(path: Path) -> Report:
    """Read a report.json (raises ValueError with one line when it is not one)."""
    try:
        return Report.model_validate_json(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise ValueError(f"{path} is not an igr eval report.json") from exc
