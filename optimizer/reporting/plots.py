"""Every PNG the reports show: a run's success, metric, meta-metric and token plots, compare's per-arm
test success, and selection's score histogram. Plots read typed summaries, never the run directory."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from autolibra.meta_metrics import Ratio
from optimizer.reporting.summary import IterationSummary, RoleUsage, RunSummary

SUCCESS_SERIES = (("train", "train seeds"), ("validation", "validation (incumbent)"), ("test", "test seeds"))


@functools.cache
def _pyplot():
    """matplotlib.pyplot, loaded by the first plot: importing it takes about 1.4 s, which `ladder eval`
    (it imports this package for BALROG's table and draws nothing) should not pay."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and CI
    import matplotlib.pyplot

    return matplotlib.pyplot


def _axes(title: str, ylabel: str, xlabel: str = "iteration"):
    from matplotlib.ticker import MaxNLocator  # loaded with pyplot, see _pyplot

    fig, ax = _pyplot().subplots(figsize=(6, 3.6))
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title, ylim=(-5, 105))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return fig, ax


def _save(fig, ax, path: Path, legend_size: int = 8, legend_loc: str = "best") -> Path:
    ax.legend(fontsize=legend_size, loc=legend_loc)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    _pyplot().close(fig)
    return path


def success_series(iterations: Sequence[IterationSummary], split: str) -> tuple[list[int], list[float], list[float]]:
    """Iteration indices, success % and its standard error % for one split, where it was measured."""
    xs, ys, es = [], [], []
    for it in iterations:
        value = getattr(it, split)
        if value is not None:
            xs.append(it.index)
            ys.append(100 * value.mean)
            es.append(100 * value.se)
    return xs, ys, es


def plot_success(iterations: Sequence[IterationSummary], path: Path, title: str = "Success per iteration") -> Path:
    fig, ax = _axes(title, "success %")
    for split, label in SUCCESS_SERIES:
        xs, ys, es = success_series(iterations, split)
        if xs:
            ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=label)
    return _save(fig, ax, path)


def plot_metric_rates(iterations: Sequence[IterationSummary], path: Path) -> Path | None:
    names = sorted({r.metric for it in iterations for r in it.metric_rates})
    if not names:
        return None
    fig, ax = _axes("Metric pass rates", "pass rate % (where applicable)")
    for name in names:
        points = [(it.index, 100 * r.pass_rate) for it in iterations for r in it.metric_rates
                  if r.metric == name and r.pass_rate is not None]
        ax.plot([x for x, _ in points], [y for _, y in points], marker="o", label=name[:40])
    return _save(fig, ax, path, legend_size=7)


def _percent(ratio: Ratio | None) -> float:
    return 100 * (ratio.value or 0.0) if ratio is not None else 0.0


def plot_meta(iterations: Sequence[IterationSummary], path: Path) -> Path | None:
    rows = [it for it in iterations if it.coverage is not None]
    if not rows:
        return None
    fig, ax = _axes("Meta-metrics of the metric set", "%")
    ax.plot([it.index for it in rows], [_percent(it.coverage) for it in rows], marker="o", label="coverage")
    ax.plot([it.index for it in rows], [_percent(it.redundancy) for it in rows], marker="s", label="redundancy")
    return _save(fig, ax, path)


def plot_usage(usage: dict[str, RoleUsage], path: Path) -> Path | None:
    if not usage:
        return None
    roles = sorted(usage)
    fig, ax = _pyplot().subplots(figsize=(6, 3.6))
    inputs = [usage[r].input_tokens for r in roles]
    ax.bar(roles, inputs, label="input tokens")
    ax.bar(roles, [usage[r].output_tokens for r in roles], bottom=inputs, label="output tokens")
    ax.set(ylabel="tokens", title="Tokens per role")
    return _save(fig, ax, path)


def plot_run(summary: RunSummary, folder: Path) -> list[Path]:
    """The run's four plots (those with something to show), in the order the report shows them."""
    plots = (plot_success(summary.iterations, folder / "success.png"),
             plot_metric_rates(summary.iterations, folder / "metric_pass_rates.png"),
             plot_meta(summary.iterations, folder / "coverage_redundancy.png"),
             plot_usage(summary.lm_usage, folder / "tokens_per_role.png"))
    return [p for p in plots if p is not None]


def plot_arms(arms: dict[str, RunSummary], references: dict[str, float], path: Path) -> Path:
    """Test success per iteration for each arm (last point: its final prompt), references as lines."""
    fig, ax = _axes("Test-seed success per iteration", "test success %", "iteration (last point: final prompt)")
    for name, summary in arms.items():
        xs, ys, es = success_series(summary.iterations, "test")
        if summary.final_test is not None:
            xs.append(len(summary.iterations))
            ys.append(100 * summary.final_test.mean)
            es.append(100 * summary.final_test.se)
        ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=name)
    for name, success in references.items():
        ax.axhline(100 * success, linestyle="--", linewidth=1, label=f"{name} (fixed)")
    return _save(fig, ax, path)


def plot_score_histogram(values: Sequence[float], selected: Sequence[float], *, low: float,
                         threshold: float | None, aggregate: str, title: str, path: Path) -> Path | None:
    """Scores of all scored trajectories and of the selected ones, ten bins over [low, 1]."""
    if not values:
        return None
    bins = [low + i * (1.0 - low) / 10 for i in range(11)]
    fig, ax = _pyplot().subplots(figsize=(6, 3.5))
    ax.hist(values, bins=bins, color="#b0b7c3", label=f"all scored ({len(values)})")
    ax.hist(selected, bins=bins, color="#2a6f97", label=f"selected ({len(selected)})")
    if threshold is not None:
        ax.axvline(threshold, color="#c0392b", linestyle="--", label="threshold")
    ax.set(xlabel=f"score ({aggregate})", ylabel="trajectories", title=title)
    return _save(fig, ax, path, legend_loc="upper left")
