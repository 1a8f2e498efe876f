"""report.html: one self-contained page (inline CSS, no scripts, no CDN)."""

from __future__ import annotations

from html import escape

from evals.dataset import QUESTION_TYPES
from evals.models import MetricSummary, QuestionResult, Report
from evals.targets import METRIC_BY_KEY, METRICS

BAR_METRICS = (
    "doc_hit_at_k",
    "evidence_hit_at_k",
    "key_fact_recall",
    "citation_precision",
    "citation_evidence_precision",
    "refusal_accuracy",
    "false_refusal_rate",
    "injection_success_rate",
)
PASSAGE_CHARS = 600

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:1180px;padding:0 1rem;color:#1b1f24;background:#fff}
h1{font-size:1.6rem;margin:.2rem 0}
h2{font-size:1.2rem;margin-top:2rem;border-bottom:2px solid #e4e7eb}
.meta{color:#57606a;font-size:.9rem}.meta code{font-size:.85rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.35rem .6rem;
border-bottom:1px solid #e4e7eb;vertical-align:top}th{background:#f6f8fa;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok{color:#1a7f37;font-weight:600}.bad{color:#cf222e;font-weight:600}.na{color:#8c959f}
.bar{position:relative;background:#eef1f4;height:1.1rem;border-radius:3px;min-width:90px}
.bar span{position:absolute;left:0;top:0;bottom:0;border-radius:3px;background:#0969da}
.bar.low span{background:#bf8700}.bar em{position:absolute;right:4px;top:0;font-size:.75rem;
font-style:normal;line-height:1.1rem}
.fail{border:1px solid #e4e7eb;border-radius:6px;margin:.8rem 0;padding:.2rem .9rem .6rem}
.fail h3{font-size:1rem;margin:.5rem 0 .2rem}.q{font-weight:600;margin:.2rem 0}
summary{cursor:pointer;color:#57606a;font-size:.9rem}.why{color:#cf222e;margin:.3rem 0}
.answer{background:#f6f8fa;padding:.5rem .7rem;border-radius:4px;white-space:pre-wrap}
.passage{border-left:3px solid #d0d7de;padding:.2rem .7rem;margin:.4rem 0;font-size:.9rem}
.passage b{color:#0969da}.gold{color:#1a7f37}
.wide{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0}.wide table{margin:0}
.meta,.answer,.passage,.fail{overflow-wrap:anywhere}
@media (max-width:640px){body{margin:1rem auto;padding:0 .6rem;font-size:14px}
h1{font-size:1.3rem}th,td{padding:.3rem .4rem}.wide table{min-width:34rem}
.fail{padding:.2rem .6rem .5rem}}
"""


def _wide(table: str) -> str:
    """A table that scrolls sideways inside its box on a narrow screen (the page does not)."""
    return f'<div class="wide">{table}</div>'


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return '<span class="na">n/a</span>'
    return f"{value:.1f}" if METRIC_BY_KEY[key].unit == "words" else f"{value:.3f}"


def _ci(key: str, summary: MetricSummary | None) -> str:
    if summary is None or summary.ci is None:
        return '<span class="na">–</span>'
    lo, hi = summary.ci
    return f"{_fmt(key, lo)} – {_fmt(key, hi)}"


def _headline(report: Report) -> str:
    rows = []
    for row in report.headline:
        mark = {True: '<span class="ok">met</span>', False: '<span class="bad">missed</span>'}
        rows.append(
            f"<tr><td>{escape(row.label)}</td><td class=num>{_fmt(row.key, row.value)}</td>"
            f"<td class=num>{_ci(row.key, report.overall.get(row.key))}</td>"
            f"<td class=num>{row.n}</td><td>{escape(row.target)}</td>"
            f"<td>{mark.get(row.met, '<span class=na>n/a</span>')}</td></tr>"
        )
    head = "<tr><th>metric</th><th>value</th><th>95% CI</th><th>n</th><th>target</th><th></th></tr>"
    return _wide(f"<table>{head}{''.join(rows)}</table>")


def _all_metrics(report: Report, judge: bool = False) -> str:
    rows = []
    for m in METRICS:
        if m.key.startswith("judge_") != judge:
            continue
        s = report.overall.get(m.key)
        if s is None:
            continue
        rows.append(
            f"<tr><td>{escape(m.label)}</td><td class=num>{_fmt(m.key, s.value)}</td>"
            f"<td class=num>{_ci(m.key, s)}</td><td class=num>{s.n}</td>"
            f"<td>{'lower' if m.better == 'lower' else 'higher'} is better</td></tr>"
        )
    head = "<tr><th>metric</th><th>value</th><th>95% CI</th><th>n</th><th></th></tr>"
    return _wide(f"<table>{head}{''.join(rows)}</table>")


def _bar(key: str, summary: MetricSummary | None) -> str:
    if summary is None or summary.value is None:
        return '<span class="na">–</span>'
    value = max(0.0, min(1.0, summary.value))
    good = value if METRIC_BY_KEY[key].better == "higher" else 1.0 - value
    cls = "bar" if good >= 0.8 else "bar low"
    return (
        f'<div class="{cls}" title="n={summary.n}"><span style="width:{value * 100:.1f}%">'
        f"</span><em>{summary.value:.2f}</em></div>"
    )


def _by_type(report: Report) -> str:
    keys = [k for k in BAR_METRICS if any(k in t for t in report.by_type.values())]
    head = "<tr><th>type</th><th>n</th>" + "".join(
        f"<th>{escape(METRIC_BY_KEY[k].label)}</th>" for k in keys
    )
    rows = []
    order = [t for t in QUESTION_TYPES if t in report.by_type]
    order += [t for t in report.by_type if t not in order]
    for qtype in order:
        metrics = report.by_type[qtype]
        cells = "".join(f"<td>{_bar(k, metrics.get(k))}</td>" for k in keys)
        rows.append(
            f"<tr><td>{escape(qtype)}</td><td class=num>{report.type_counts.get(qtype, 0)}</td>"
            f"{cells}</tr>"
        )
    return _wide(f"<table>{head}</tr>{''.join(rows)}</table>")


def _injections(results: list[QuestionResult]) -> str:
    rows = [
        f"<tr><td>{escape(r.id)}</td><td>{escape(r.question[:160])}</td><td>"
        + (
            '<span class="bad">succeeded</span>: ' + escape("; ".join(r.injection_findings))
            if r.injection_findings
            else f'<span class="na">error</span>: {escape(r.error)}'
            if r.error
            else '<span class="ok">resisted</span>'
        )
        + "</td></tr>"
        for r in results
        if r.type == "injection"
    ]
    if not rows:
        return ""
    head = "<tr><th>id</th><th>question</th><th>result</th></tr>"
    table = _wide(f"<table>{head}{''.join(rows)}</table>")
    return f"<h2>Injection questions</h2>{table}"


def _failed(results: list[QuestionResult]) -> str:
    failed = [r for r in results if r.failures]
    if not failed:
        return "<p>No failed questions.</p>"
    blocks = []
    for r in failed:
        passages = "".join(
            f'<div class="passage"><b>[{i}]</b> {escape(item.doc_id)}'
            f"{f' p.{item.page}' if item.page else ''} · score {item.score:.3f}<br>"
            f"{escape(item.text[:PASSAGE_CHARS])}{'…' if len(item.text) > PASSAGE_CHARS else ''}"
            "</div>"
            for i, item in enumerate(r.retrieved, start=1)
        )
        cites = "".join(
            f"<li>[{c.n}] {escape(c.doc_id)}: “{escape(c.quote)}”</li>" for c in r.citations
        )
        gold = (
            f'<p class="gold"><b>Gold:</b> {escape(r.gold_answer)} '
            f"<small>(sources: {escape(', '.join(r.sources))})</small></p>"
            if r.gold_answer or r.sources
            else ""
        )
        why = "".join(f'<div class="why">✗ {escape(f)}</div>' for f in r.failures)
        blocks.append(
            f'<section class="fail"><h3>{escape(r.id)} · {escape(r.type)}</h3>'
            f'<p class="q">{escape(r.question)}</p>{why}'
            f"<p><b>Answer</b>{' (refused)' if r.refused else ''}:</p>"
            f'<div class="answer">{escape(r.answer or "(empty)")}</div>{gold}'
            f"{f'<p><b>Citations</b></p><ul>{cites}</ul>' if cites else ''}"
            f"<details><summary>Retrieved passages ({len(r.retrieved)}): "
            f"{escape(', '.join(dict.fromkeys(r.retrieved_doc_ids)))}</summary>{passages}"
            "</details></section>"
        )
    return "".join(blocks)


def render_html(report: Report, results: list[QuestionResult]) -> str:
    """The whole report page."""
    cfg, fp = report.config, report.fingerprints
    lat = report.latency_ms
    meta = (
        f"{escape(str(report.dataset.get('path')))} · {report.questions} questions · "
        f"{report.failed} failed · {report.errors} errors · created {escape(report.created)}<br>"
        f"answerer <code>{escape(str(cfg.get('answerer')))}</code> · k={escape(str(cfg.get('k')))}"
        f" · citation support: {escape(str(cfg.get('citation_support')))}"
        f" · LLM judge: {escape(report.judge.status)}<br>"
        f"commit <code>{escape(str(fp.get('git_commit')))}</code> · corpus "
        f"<code>{escape(str(fp.get('corpus'))[:12])}</code> · model "
        f"<code>{escape(str(fp.get('model'))[:12])}</code> · dataset "
        f"<code>{escape(str(fp.get('dataset'))[:12])}</code>"
    )
    latency = " · ".join(
        f"{name} {value:.0f} ms" for name, value in lat.items() if value is not None
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>igr eval · {escape(str(report.dataset.get('stem')))}</title>"
        f"<style>{CSS}</style></head><body>"
        f"<h1>Evaluation: {escape(str(report.dataset.get('stem')))}</h1>"
        f'<p class="meta">{meta}</p>'
        f"<h2>Headline</h2>{_headline(report)}"
        f"<h2>By question type</h2>{_by_type(report)}"
        f"<h2>All metrics</h2>{_all_metrics(report)}<p>Latency: {latency or 'n/a'}</p>"
        f"{_injections(results)}"
        f"<h2>LLM judge (optional)</h2><p>Status: {escape(report.judge.status)}"
        f"{f' · model {escape(report.judge.model)}' if report.judge.model else ''}"
        f"{f' · {report.judge.errors} unusable replies' if report.judge.errors else ''}</p>"
        f"{_all_metrics(report, judge=True) if report.judge.status == 'ok' else ''}"
        f"<h2>Failed questions ({report.failed})</h2>{_failed(results)}"
        "</body></html>\n"
    )
