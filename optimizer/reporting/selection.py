"""The selection report: report.json (machine-readable), report.md (for people), score_histogram.png.

Per-metric pass rates come from `autolibra.scoring.metric_rates`, the one definition of a pass rate.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from autolibra.jsonl import atomic_write_text
from autolibra.schema import MetricSet, Trait
from autolibra.scoring import metric_rates
from optimizer.records import Record, write_record
from optimizer.reporting.plots import plot_score_histogram
from optimizer.selection.config import SelectionConfig
from optimizer.selection.iterative import RoundSummary
from optimizer.selection.pipeline import SelectionResult
from optimizer.selection.scoring import Score
from optimizer.selection.select import Selection

# Reasons carry details (ids, values); the summary table groups them by their leading words.
REASON_KINDS = ("not successful", "success unknown", "no applicable metric", "too few applicable", "score",
                "same actions", "per-task cap", "beyond top-k")


class TaskCount(BaseModel):
    task: str
    total: int
    selected: int


class SelectionReport(Record):
    format_version: int = 1
    metric_set: str
    metric_names: list[str]
    config: SelectionConfig
    total: int
    selected: int
    selected_ids: list[str]  # in selection order
    per_task: list[TaskCount]
    excluded: dict[str, str]  # trajectory id -> reason
    exclusion_counts: dict[str, int]  # reason kind -> count
    scores: list[Score]  # ranked best first
    metric_pass_rate: dict[str, dict[str, float | None]]  # metric -> {"all": rate, "selected": rate}
    examples: dict[str, int] = Field(default_factory=dict)  # export format -> examples written
    rounds: list[RoundSummary] = Field(default_factory=list)  # iterative mode: one summary per round
    histogram: str | None = None  # file name of the plot, relative to the report


def reason_kind(reason: str) -> str:
    return next((prefix for prefix in REASON_KINDS if reason.startswith(prefix)), reason)


def pass_rates(scores: Sequence[Score], metrics: MetricSet) -> dict[str, float | None]:
    """Each metric's pass rate over these trajectories (where it applied), rounded for a stable report."""
    traits = [Trait(trajectory_id=s.trajectory_id, metric=metric, rating=rating)
              for s in scores for metric, rating in s.ratings.items()]
    return {r.metric: None if r.pass_rate is None else round(r.pass_rate, 4) for r in metric_rates(metrics, traits)}


def _per_task(scores: Sequence[Score], chosen: set[str]) -> list[TaskCount]:
    totals = Counter(s.task for s in scores)
    selected = Counter(s.task for s in scores if s.trajectory_id in chosen)
    return [TaskCount(task=task, total=totals[task], selected=selected[task]) for task in sorted(totals)]


def build_selection_report(scores: Sequence[Score], selection: Selection, config: SelectionConfig,
                           metrics: MetricSet) -> SelectionReport:
    chosen = set(selection.selected)
    everywhere = pass_rates(scores, metrics)
    among_selected = pass_rates([s for s in scores if s.trajectory_id in chosen], metrics)
    kinds = Counter(reason_kind(reason) for reason in selection.excluded.values())
    return SelectionReport(
        metric_set=metrics.name, metric_names=metrics.names(), config=config, total=len(scores),
        selected=len(selection.selected), selected_ids=list(selection.selected),
        per_task=_per_task(scores, chosen), excluded=dict(sorted(selection.excluded.items())),
        exclusion_counts=dict(sorted(kinds.items())), scores=list(scores),
        metric_pass_rate={m: {"all": everywhere[m], "selected": among_selected[m]} for m in metrics.names()})


def write_selection_outcome(result: SelectionResult) -> Path:
    """The report of one `run_selection` call, written into its output folder."""
    report = build_selection_report(result.scores, result.selection, result.config, result.metrics)
    report.examples = dict(result.examples)
    report.rounds = list(result.rounds)
    return write_selection_report(report, result.out_dir)


def write_selection_report(report: SelectionReport, out_dir: str | Path) -> Path:
    """Write report.json, report.md and (when anything was scored) score_histogram.png into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if plot_histogram(report, out_dir / "score_histogram.png"):
        report.histogram = "score_histogram.png"
    write_record(out_dir / "report.json", report)
    atomic_write_text(out_dir / "report.md", render_markdown(report))
    return out_dir / "report.json"


def plot_histogram(report: SelectionReport, path: Path) -> Path | None:
    chosen = set(report.selected_ids)
    scored = [s for s in report.scores if s.value is not None]
    return plot_score_histogram(
        [s.value for s in scored], [s.value for s in scored if s.trajectory_id in chosen],
        low=-1.0 if report.config.aggregate == "mean_rating" else 0.0, threshold=report.config.threshold,
        aggregate=report.config.aggregate, title=f"Selection on {report.metric_set}", path=path)


def _cell(text: object) -> str:
    # Task names and reasons come from data files: keep them from breaking the Markdown table.
    return str(text).replace("|", "\\|").replace("\n", " ")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _heading(report: SelectionReport) -> list[str]:
    c = report.config
    lines = [f"# Selection report: {report.selected} of {report.total} trajectories selected", "",
             f"Metric set `{_cell(report.metric_set)}` ({len(report.metric_names)} metrics), aggregate "
             f"`{c.aggregate}`, top-k {c.top_k}, threshold {c.threshold}, per-task cap {c.per_task_cap}, "
             f"require success {c.require_success}.", ""]
    if report.examples:
        lines += ["Examples written: " + ", ".join(f"{k}: {v}" for k, v in report.examples.items()), ""]
    if report.histogram:
        lines += [f"![score distribution]({report.histogram})", ""]
    return lines


def _score_row(report: SelectionReport, s: Score) -> str:
    value = "-" if s.value is None else f"{s.value:.3f}"
    status = ("selected" if s.trajectory_id in report.selected_ids
              else _cell(report.excluded.get(s.trajectory_id, "not selected")))
    return (f"| {_cell(s.trajectory_id)} | {_cell(s.task)} | {value} | {s.passed} | {s.failed} | "
            f"{s.not_applicable} | {s.unscored} | {status} |")


def render_markdown(report: SelectionReport) -> str:
    lines = _heading(report)
    lines += ["## Per task", "", "| task | selected | total |", "|---|---:|---:|"]
    lines += [f"| {_cell(t.task)} | {t.selected} | {t.total} |" for t in report.per_task]
    lines += ["", "## Scores (best first)", "", "| trajectory | task | score | +1 | -1 | 0 | unscored | status |",
              "|---|---|---:|---:|---:|---:|---:|---|"]
    lines += [_score_row(report, s) for s in report.scores]
    lines += ["", "## Exclusions", "", "| reason | count |", "|---|---:|"]
    lines += [f"| {_cell(k)} | {v} |" for k, v in report.exclusion_counts.items()] or ["| (none) | 0 |"]
    lines += ["", "## Metric pass rate (where applicable)", "", "| metric | all | selected |", "|---|---:|---:|"]
    lines += [f"| {_cell(m)} | {_percent(r['all'])} | {_percent(r['selected'])} |"
              for m, r in report.metric_pass_rate.items()]
    for summary in report.rounds if len(report.rounds) > 1 else []:
        lines += ["", f"Round {summary.round}: {summary.metrics} metrics, "
                      f"{summary.selected} selected, {summary.new_metrics} new metrics"]
    return "\n".join(lines) + "\n"
