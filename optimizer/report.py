"""report.html and plots/*.png for one run, rebuilt from the run directory alone (`ladder report RUN`).

Everything shown that came from a model (prompts, metric names, reasoning) is escaped: model output is data.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display on servers and CI
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from autolibra.jsonl import atomic_write_text  # noqa: E402
from optimizer.rundir import RunDir  # noqa: E402
from optimizer.summary import summarize_run  # noqa: E402

esc = html.escape


def _series(iterations: list[dict], key: str) -> tuple[list[int], list[float], list[float]]:
    xs, ys, es = [], [], []
    for it in iterations:
        value = it.get(key)
        if value:
            xs.append(it["index"])
            ys.append(100 * value["mean"])
            es.append(100 * value["se"])
    return xs, ys, es


def plot_success(iterations: list[dict], path: Path, title: str = "Success per iteration") -> Path:
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for key, label in (("train", "train seeds"), ("validation", "validation (incumbent)"), ("test", "test seeds")):
        xs, ys, es = _series(iterations, key)
        if xs:
            ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=label)
    ax.set(xlabel="iteration", ylabel="success %", title=title, ylim=(-5, 105))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _save(fig, ax, path, legend_size=8)


def plot_metric_rates(iterations: list[dict], path: Path) -> Path | None:
    names = sorted({r["metric"] for it in iterations for r in it["metric_rates"]})
    if not names:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name in names:
        xs, ys = [], []
        for it in iterations:
            for r in it["metric_rates"]:
                if r["metric"] == name and r.get("pass_rate") is not None:
                    xs.append(it["index"])
                    ys.append(100 * r["pass_rate"])
        ax.plot(xs, ys, marker="o", label=name[:40])
    ax.set(xlabel="iteration", ylabel="pass rate % (where applicable)", title="Metric pass rates", ylim=(-5, 105))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _save(fig, ax, path, legend_size=7)


def plot_meta(iterations: list[dict], path: Path) -> Path | None:
    rows = [(it["index"], it["coverage"], it["redundancy"]) for it in iterations if it.get("coverage")]
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.plot([r[0] for r in rows], [100 * _value(r[1]) for r in rows], marker="o", label="coverage")
    ax.plot([r[0] for r in rows], [100 * _value(r[2]) for r in rows], marker="s", label="redundancy")
    ax.set(xlabel="iteration", ylabel="%", title="Meta-metrics of the metric set", ylim=(-5, 105))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _save(fig, ax, path, legend_size=8)


def plot_usage(usage: dict[str, dict], path: Path) -> Path | None:
    if not usage:
        return None
    roles = sorted(usage)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    inputs = [usage[r].get("input_tokens", 0) for r in roles]
    outputs = [usage[r].get("output_tokens", 0) for r in roles]
    ax.bar(roles, inputs, label="input tokens")
    ax.bar(roles, outputs, bottom=inputs, label="output tokens")
    ax.set(ylabel="tokens", title="Tokens per role")
    return _save(fig, ax, path, legend_size=8)


def _save(fig, ax, path: Path, legend_size: int = 8) -> Path:
    ax.legend(fontsize=legend_size)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _value(ratio: Any) -> float:
    """Coverage/redundancy are stored as {numerator, denominator, value} or a bare number."""
    if isinstance(ratio, dict):
        return float(ratio.get("value") or 0.0)
    return float(ratio or 0.0)


def _fmt_rate(value: dict | None) -> str:
    return "-" if not value else f"{100 * value['mean']:.1f}% ± {100 * value['se']:.1f} (n={value['n']})"


def _fmt_ratio(ratio: Any) -> str:
    if isinstance(ratio, dict):
        return f"{100 * _value(ratio):.0f}% ({ratio.get('numerator')}/{ratio.get('denominator')})"
    return "-" if ratio is None else f"{100 * float(ratio):.0f}%"


def build_report(run_path: str | Path) -> Path:
    run = RunDir.open(run_path)
    summary = summarize_run(run)
    its = summary["iterations"]
    plots = [p for p in (plot_success(its, run.plots / "success.png"),
                         plot_metric_rates(its, run.plots / "metric_pass_rates.png"),
                         plot_meta(its, run.plots / "coverage_redundancy.png"),
                         plot_usage(summary["lm_usage"], run.plots / "tokens_per_role.png")) if p]
    rows = []
    for it in its:
        decision = it.get("decision") or {}
        rows.append(f"<tr><td>{it['index']}</td><td>{_fmt_rate(it['train'])}</td><td>{_fmt_rate(it['validation'])}</td>"
                    f"<td>{_fmt_rate(it['candidate_validation'])}</td><td>{_fmt_rate(it['test'])}</td>"
                    f"<td>{len(it['metrics'])}</td><td>{_fmt_ratio(it['coverage'])}</td><td>{_fmt_ratio(it['redundancy'])}</td>"
                    f"<td>{esc(str(decision.get('accepted', '-')))}</td></tr>")
    usage_rows = "".join(
        f"<tr><td>{esc(role)}</td><td>{int(u.get('calls', 0))}</td><td>{int(u.get('cache_hits', 0))}</td>"
        f"<td>{int(u.get('input_tokens', 0))}</td><td>{int(u.get('output_tokens', 0))}</td>"
        f"<td>{u.get('latency_s', 0):.1f}</td><td>{int(u.get('errors', 0))}</td></tr>"
        for role, u in sorted(summary["lm_usage"].items()))
    prompts = "".join(
        f"<h3>Iteration {it['index']} prompt</h3><pre>{esc(it['prompt'] or '')}</pre>"
        + (f"<h4>Candidate (accepted: {esc(str((it.get('decision') or {}).get('accepted')))})</h4>"
           f"<pre>{esc(it['candidate_prompt'])}</pre>" if it.get("candidate_prompt") else "")
        for it in its)
    last_metrics = next((it["metrics"] for it in reversed(its) if it["metrics"]), [])
    metric_items = "".join(
        f"<li><b>{esc(m['name'])}</b>: {esc(m['explanation'])}<br><small>good: {esc('; '.join(m['good_behaviors'][:3]))}"
        f"<br>bad: {esc('; '.join(m['bad_behaviors'][:3]))}</small></li>" for m in last_metrics)
    images = "".join(f'<img src="plots/{esc(p.name)}" alt="{esc(p.stem)}">' for p in plots)
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>ladder run {esc(summary['name'])}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px}}pre{{white-space:pre-wrap;background:#f6f6f6;padding:8px}}
img{{max-width:540px;margin:4px}}</style></head><body>
<h1>Run {esc(summary['name'])}</h1>
<p>status: <b>{esc(summary['status'])}</b>; objective: <b>{esc(str(summary['objective']))}</b>;
final test success: {_fmt_rate(summary['final_test'])}</p>
<h2>Per iteration</h2><table><tr><th>iter</th><th>train success</th><th>validation (incumbent)</th>
<th>validation (candidate)</th><th>test success</th><th>metrics</th><th>coverage</th><th>redundancy</th><th>accepted</th></tr>
{''.join(rows)}</table>
<h2>Plots</h2>{images}
<h2>Metrics (latest)</h2><ul>{metric_items or '<li>none</li>'}</ul>
<h2>LM usage per role</h2><table><tr><th>role</th><th>calls</th><th>cache hits</th><th>input tokens</th>
<th>output tokens</th><th>latency s</th><th>errors</th></tr>{usage_rows}</table>
<h2>Prompts</h2>{prompts}
<h2>Final prompt</h2><pre>{esc(summary['final_prompt'] or '(run not finished)')}</pre>
</body></html>"""
    target = run.path / "report.html"
    atomic_write_text(target, page)
    return target
