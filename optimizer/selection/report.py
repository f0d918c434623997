"""The selection report: report.json (machine-readable), report.md (for people), score_histogram.png."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from autolibra.jsonl import atomic_write_text, write_json
from optimizer.selection.config import SelectionConfig
from optimizer.selection.scoring import Score
from optimizer.selection.select import Selection


class TaskCount(BaseModel):
    task: str
    total: int
    selected: int


class SelectionReport(BaseModel):
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
    rounds: list[dict] = Field(default_factory=list)  # iterative mode: one summary per round
    histogram: str | None = None  # file name of the plot, relative to the report


def build_report(scores: Sequence[Score], selection: Selection, config: SelectionConfig, metric_set: str,
                 metric_names: list[str]) -> SelectionReport:
    chosen = set(selection.selected)
    tasks: dict[str, list[int]] = {}
    for score in scores:
        counts = tasks.setdefault(score.task, [0, 0])
        counts[0] += 1
        counts[1] += score.trajectory_id in chosen
    kinds: dict[str, int] = {}
    for reason in selection.excluded.values():
        kind = _reason_kind(reason)
        kinds[kind] = kinds.get(kind, 0) + 1
    return SelectionReport(
        metric_set=metric_set, metric_names=metric_names, config=config, total=len(scores),
        selected=len(selection.selected), selected_ids=list(selection.selected),
        per_task=[TaskCount(task=t, total=c[0], selected=c[1]) for t, c in sorted(tasks.items())],
        excluded=dict(sorted(selection.excluded.items())), exclusion_counts=dict(sorted(kinds.items())),
        scores=list(scores),
        metric_pass_rate={m: {"all": _pass_rate(scores, m), "selected": _pass_rate(
            [s for s in scores if s.trajectory_id in chosen], m)} for m in metric_names})


def _reason_kind(reason: str) -> str:
    # Reasons carry details (ids, values); group them by their leading words for the summary table.
    for prefix in ("not successful", "success unknown", "no applicable metric", "too few applicable",
                   "score", "same actions", "per-task cap", "beyond top-k"):
        if reason.startswith(prefix):
            return prefix
    return reason


def _pass_rate(scores: Sequence[Score], metric: str) -> float | None:
    """Share of +1 among the trajectories where the metric applied (rated +1 or -1); None if nowhere."""
    rated = [s.ratings.get(metric) for s in scores if s.ratings.get(metric) in (1, -1)]
    return round(sum(r == 1 for r in rated) / len(rated), 4) if rated else None


def write_report(report: SelectionReport, out_dir: str | Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if plot_histogram(report, out_dir / "score_histogram.png"):
        report.histogram = "score_histogram.png"
    write_json(out_dir / "report.json", report)
    atomic_write_text(out_dir / "report.md", render_markdown(report))
    return out_dir / "report.json"


def plot_histogram(report: SelectionReport, path: Path) -> bool:
    values = [s.value for s in report.scores if s.value is not None]
    if not values:
        return False
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot as plt

    chosen = set(report.selected_ids)
    selected = [s.value for s in report.scores if s.value is not None and s.trajectory_id in chosen]
    low = -1.0 if report.config.aggregate == "mean_rating" else 0.0
    bins = [low + i * (1.0 - low) / 10 for i in range(11)]
    figure, axis = plt.subplots(figsize=(6, 3.5), dpi=100)
    axis.hist(values, bins=bins, color="#b0b7c3", label=f"all scored ({len(values)})")
    axis.hist(selected, bins=bins, color="#2a6f97", label=f"selected ({len(selected)})")
    if report.config.threshold is not None:
        axis.axvline(report.config.threshold, color="#c0392b", linestyle="--", label="threshold")
    axis.set_xlabel(f"score ({report.config.aggregate})")
    axis.set_ylabel("trajectories")
    axis.set_title(f"Selection on {report.metric_set}")
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return True


def _cell(text: object) -> str:
    # Task names and reasons come from data files: keep them from breaking the Markdown table.
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: SelectionReport) -> str:
    lines = [f"# Selection report: {report.selected} of {report.total} trajectories selected", "",
             f"Metric set `{_cell(report.metric_set)}` ({len(report.metric_names)} metrics), aggregate "
             f"`{report.config.aggregate}`, top-k {report.config.top_k}, threshold {report.config.threshold}, "
             f"per-task cap {report.config.per_task_cap}, require success {report.config.require_success}.", ""]
    if report.examples:
        lines += ["Examples written: " + ", ".join(f"{k}: {v}" for k, v in report.examples.items()), ""]
    if report.histogram:
        lines += [f"![score distribution]({report.histogram})", ""]
    lines += ["## Per task", "", "| task | selected | total |", "|---|---:|---:|"]
    lines += [f"| {_cell(t.task)} | {t.selected} | {t.total} |" for t in report.per_task]
    lines += ["", "## Scores (best first)", "", "| trajectory | task | score | +1 | -1 | 0 | unscored | status |",
              "|---|---|---:|---:|---:|---:|---:|---|"]
    for s in report.scores:
        value = "-" if s.value is None else f"{s.value:.3f}"
        status = "selected" if s.trajectory_id in report.selected_ids else _cell(report.excluded.get(
            s.trajectory_id, "not selected"))
        lines.append(f"| {_cell(s.trajectory_id)} | {_cell(s.task)} | {value} | {s.passed} | {s.failed} | "
                     f"{s.not_applicable} | {s.unscored} | {status} |")
    lines += ["", "## Exclusions", "", "| reason | count |", "|---|---:|"]
    lines += [f"| {_cell(k)} | {v} |" for k, v in report.exclusion_counts.items()] or ["| (none) | 0 |"]
    lines += ["", "## Metric pass rate (where applicable)", "", "| metric | all | selected |", "|---|---:|---:|"]
    for metric, rates in report.metric_pass_rate.items():
        lines.append(f"| {_cell(metric)} | {_rate(rates['all'])} | {_rate(rates['selected'])} |")
    for summary in report.rounds if len(report.rounds) > 1 else []:
        lines += ["", f"Round {summary.get('round')}: {summary.get('metrics')} metrics, "
                      f"{summary.get('selected')} selected, {summary.get('new_metrics', 0)} new metrics"]
    return "\n".join(lines) + "\n"


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
