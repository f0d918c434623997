"""What the rewriting objectives read: a compact digest of how the current prompt did.

`metrics` objective: per-metric pass/fail rates, the worst failures with the judge's reasoning and short
trajectory excerpts, and a few successes. `success` objective (the baseline): per-episode success and
return with excerpts, nothing about metrics. Both are plain text, bounded in size, built from records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from autolibra.schema import MetricSet, Trait, Trajectory
from autolibra.scoring import metric_rates
from optimizer.objectives.base import judged_score


def excerpt(trajectory: Trajectory, steps: Sequence[int] = (), max_steps: int = 6, obs_chars: int = 400) -> str:
    """A few steps of a trajectory: the cited ones (and their neighbours), else the last ones."""
    indices: list[int] = []
    for s in sorted(set(steps)):
        indices.extend(i for i in (s - 1, s, s + 1) if 0 <= i < len(trajectory.steps))
    if not indices:
        indices = list(range(max(0, len(trajectory.steps) - max_steps), len(trajectory.steps)))
    indices = sorted(set(indices))[:max_steps]
    lines = []
    for i in indices:
        step = trajectory.steps[i]
        obs = " | ".join(line for line in step.observation.splitlines() if line.strip())
        if len(obs) > obs_chars:
            obs = obs[: obs_chars - 3] + "..."
        note = "" if step.valid else " (invalid output, defaulted)"
        lines.append(f"  step {i}: saw [{obs}] -> {step.action}{note}")
    return "\n".join(lines)


def metrics_digest(metrics: MetricSet, trajectories: Sequence[Trajectory], traits: Sequence[Trait], *,
                   worst: int = 3, successes: int = 2, excerpt_steps: int = 6) -> str:
    by_traj: dict[str, list[Trait]] = defaultdict(list)
    for trait in traits:
        by_traj[trait.trajectory_id].append(trait)
    lines = [f"Judged {len(trajectories)} trajectories on {len(metrics.metrics)} metrics.", "", "Metric results:"]
    for rate in metric_rates(metrics, traits):
        pr = "n/a" if rate.pass_rate is None else f"{100 * rate.pass_rate:.0f}% pass"
        lines.append(f"- {rate.metric}: {pr} ({rate.passed} pass, {rate.failed} fail, "
                     f"{rate.not_applicable} not applicable, {rate.unscored} unscored)")
    ranked = sorted(trajectories, key=lambda t: (judged_score(t, by_traj[t.id]), t.id))
    failures = [t for t in ranked if any(tr.rating == -1 for tr in by_traj[t.id])][:worst]
    if failures:
        lines += ["", "Worst trajectories (failed metrics, the judge's reasoning, an excerpt):"]
    for t in failures:
        failed = [tr for tr in by_traj[t.id] if tr.rating == -1]
        lines.append(f"* {t.task} seed {t.seed}: {t.outcome} after {t.num_steps} steps")
        for tr in failed[:3]:
            lines.append(f"  - {tr.metric} FAILED: {tr.reasoning.strip()[:300]}")
        cited = [s for tr in failed for s in tr.steps]
        lines.append(excerpt(t, cited, max_steps=excerpt_steps))
    good = [t for t in reversed(ranked) if t.success][:successes]
    if good:
        lines += ["", "Trajectories that went well:"]
    for t in good:
        passed = [tr.metric for tr in by_traj[t.id] if tr.rating == 1]
        lines.append(f"* {t.task} seed {t.seed}: {t.outcome} in {t.num_steps} steps; passed: {', '.join(passed) or '-'}")
    return "\n".join(lines)


def success_digest(trajectories: Sequence[Trajectory], *, worst: int = 3, successes: int = 2,
                   excerpt_steps: int = 6) -> str:
    n = len(trajectories)
    wins = sum(1 for t in trajectories if t.success)
    lines = [f"Success rate: {wins}/{n} episodes.", "", "Episodes:"]
    for t in sorted(trajectories, key=lambda t: t.id):
        lines.append(f"- {t.task} seed {t.seed}: {'success' if t.success else 'failure'} "
                     f"({t.outcome}, {t.num_steps} steps, return {t.episode_return:.3f})")
    fails = [t for t in sorted(trajectories, key=lambda t: t.id) if not t.success][:worst]
    if fails:
        lines += ["", "Excerpts of failed episodes:"]
    for t in fails:
        lines.append(f"* {t.task} seed {t.seed}:")
        lines.append(excerpt(t, max_steps=excerpt_steps))
    good = [t for t in sorted(trajectories, key=lambda t: t.id) if t.success][:successes]
    if good:
        lines += ["", "Excerpts of successful episodes:"]
    for t in good:
        lines.append(f"* {t.task} seed {t.seed}:")
        lines.append(excerpt(t, max_steps=excerpt_steps))
    return "\n".join(lines)
