"""report.html and plots/*.png for one run, rebuilt from the run directory alone (`ladder report RUN`).

One function per section, each returning its HTML, so that a section can be added without touching the
others. Everything shown that came from a model (prompts, metric names, reasoning) is escaped: model
output is data.
"""

from __future__ import annotations

import html
from pathlib import Path

from autolibra.jsonl import atomic_write_text
from autolibra.meta_metrics import Ratio
from optimizer.reporting.plots import plot_run
from optimizer.reporting.stats import format_rate
from optimizer.reporting.summary import IterationSummary, RoleUsage, RunSummary, summarize_run
from optimizer.rundir import RunDir

esc = html.escape

STYLE = """body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px}pre{white-space:pre-wrap;background:#f6f6f6;padding:8px}
img{max-width:540px;margin:4px}"""
ITERATION_COLUMNS = ("iter", "train success", "validation (incumbent)", "validation (candidate)", "test success",
                     "metrics", "coverage", "redundancy", "accepted")
USAGE_COLUMNS = ("role", "calls", "cache hits", "input tokens", "output tokens", "latency s", "errors")


def format_ratio(ratio: Ratio | None) -> str:
    if ratio is None:
        return "-"
    return f"{100 * (ratio.value or 0.0):.0f}% ({ratio.numerator}/{ratio.denominator})"


def _row(cells: list[str], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"


def _table(columns: tuple[str, ...], rows: list[str]) -> str:
    return "<table>" + _row(list(columns), "th") + "\n" + "".join(rows) + "</table>"


def _accepted(it: IterationSummary) -> str:
    return esc(str(it.decision.accepted)) if it.decision is not None else "-"


def header_section(summary: RunSummary) -> str:
    return (f"<h1>Run {esc(summary.name)}</h1>\n<p>status: <b>{esc(summary.status)}</b>; "
            f"objective: <b>{esc(str(summary.objective))}</b>;\nfinal test success: "
            f"{esc(format_rate(summary.final_test))}</p>")


def iterations_section(summary: RunSummary) -> str:
    rows = [_row([str(it.index), *(esc(format_rate(getattr(it, split)))
                                   for split in ("train", "validation", "candidate_validation", "test")),
                  str(len(it.metrics)), esc(format_ratio(it.coverage)), esc(format_ratio(it.redundancy)),
                  _accepted(it)]) for it in summary.iterations]
    return "<h2>Per iteration</h2>" + _table(ITERATION_COLUMNS, rows)


def plots_section(plots: list[Path]) -> str:
    return "<h2>Plots</h2>" + "".join(f'<img src="plots/{esc(p.name)}" alt="{esc(p.stem)}">' for p in plots)


def metrics_section(summary: RunSummary) -> str:
    latest = next((it.metrics for it in reversed(summary.iterations) if it.metrics), [])
    items = "".join(
        f"<li><b>{esc(m.name)}</b>: {esc(m.explanation)}<br><small>good: {esc('; '.join(m.good_behaviors[:3]))}"
        f"<br>bad: {esc('; '.join(m.bad_behaviors[:3]))}</small></li>" for m in latest)
    return f"<h2>Metrics (latest)</h2><ul>{items or '<li>none</li>'}</ul>"


def _usage_row(role: str, usage: RoleUsage) -> str:
    return _row([esc(role), str(usage.calls), str(usage.cache_hits), str(usage.input_tokens),
                 str(usage.output_tokens), f"{usage.latency_s:.1f}", str(usage.errors)])


def usage_section(summary: RunSummary) -> str:
    rows = [_usage_row(role, usage) for role, usage in sorted(summary.lm_usage.items())]
    return "<h2>LM usage per role</h2>" + _table(USAGE_COLUMNS, rows)


def _prompt_block(it: IterationSummary) -> str:
    block = f"<h3>Iteration {it.index} prompt</h3><pre>{esc(it.prompt or '')}</pre>"
    if it.candidate_prompt:
        accepted = esc(str(it.decision.accepted if it.decision is not None else None))
        block += f"<h4>Candidate (accepted: {accepted})</h4><pre>{esc(it.candidate_prompt)}</pre>"
    return block


def prompts_section(summary: RunSummary) -> str:
    final = esc(summary.final_prompt or "(run not finished)")
    return ("<h2>Prompts</h2>" + "".join(_prompt_block(it) for it in summary.iterations)
            + f"\n<h2>Final prompt</h2><pre>{final}</pre>")


def render_report(summary: RunSummary, plots: list[Path]) -> str:
    sections = (header_section(summary), iterations_section(summary), plots_section(plots),
                metrics_section(summary), usage_section(summary), prompts_section(summary))
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>ladder run {esc(summary.name)}</title>\n'
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>")


def build_report(run_path: str | Path) -> Path:
    """Rebuild summary.json, plots/*.png and report.html of a run; returns the report's path."""
    run = RunDir.open(run_path)
    summary = summarize_run(run)
    page = render_report(summary, plot_run(summary, run.plots))
    target = run.path / "report.html"
    atomic_write_text(target, page)
    return target
