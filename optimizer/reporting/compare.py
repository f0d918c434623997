"""`ladder compare`'s report: compare.md (tables), compare.json, compare.html and the per-arm plot.

Read from a compare directory alone: compare_config.json, each arm's run directory under arms/, and each
fixed reference prompt's test episodes under references/.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from autolibra.errors import InputError
from autolibra.jsonl import atomic_write_text
from autolibra.meta_metrics import Ratio
from autolibra.scoring import MetricRate
from optimizer.records import CompareRecord, Decision, Record, read_record, write_record
from optimizer.reporting.plots import plot_arms
from optimizer.reporting.stats import PairedDifference, format_rate, paired_difference, rate
from optimizer.reporting.summary import (RoleUsage, RunSummary, SuccessRate, success_by_pair, summarize_run,
                                         trajectories)
from optimizer.rundir import RunDir

Pairs = dict[tuple[str, int], float]  # (task, seed) -> 1.0 won / 0.0 lost


class _Named(BaseModel):
    name: str


class _ComparePlan(BaseModel):
    """The part of the saved compare config the report needs (the full model lives with `ladder compare`)."""

    arms: list[_Named] = Field(default_factory=list)
    references: list[_Named] = Field(default_factory=list)
    bootstrap_seed: int = 0


class RolloutCounts(BaseModel):
    """Episodes an arm played, per split: its budget, which must match between arms."""

    train: int = 0
    validation: int = 0
    test: int = 0


class Difference(PairedDifference):
    a: str
    b: str


@dataclass
class ArmResult:
    summary: RunSummary
    final_pairs: Pairs
    rollouts: RolloutCounts
    rewriter_calls: int


@dataclass
class Comparison:
    """Everything the compare report shows, collected from the compare directory."""

    arms: dict[str, ArmResult]
    references: dict[str, Pairs]
    differences: list[Difference]
    config: CompareRecord


class ArmIteration(BaseModel):
    index: int
    train: SuccessRate | None = None
    validation: SuccessRate | None = None
    test: SuccessRate | None = None
    coverage: Ratio | None = None
    redundancy: Ratio | None = None
    metric_rates: list[MetricRate] = Field(default_factory=list)
    decision: Decision | None = None


class ArmReport(BaseModel):
    iterations: list[ArmIteration]
    final_test: SuccessRate | None = None
    lm_usage: dict[str, RoleUsage] = Field(default_factory=dict)
    rollouts: RolloutCounts
    rewriter_calls: int = 0


class ReferenceReport(BaseModel):
    n: int
    success: float


class CompareReport(Record):
    """compare.json: per arm its iterations and budget, per reference its test success, and the paired
    differences between every two of them."""

    arms: dict[str, ArmReport]
    references: dict[str, ReferenceReport]
    differences: list[Difference]


def count_rollouts(arm_dir: Path) -> RolloutCounts:
    counts = RolloutCounts()
    for it in RunDir(arm_dir).iterations():
        counts.train += len(trajectories(it / "rollouts.jsonl"))
        counts.validation += len(trajectories(it / "validation_rollouts.jsonl"))
        counts.validation += len(trajectories(it / "candidate" / "validation_rollouts.jsonl"))
        counts.test += len(trajectories(it / "test_rollouts.jsonl"))
    return counts


def _read_config(directory: Path) -> CompareRecord:
    path = directory / "compare_config.json"
    if not path.exists():
        raise InputError(f"{directory} is not a compare directory (no compare_config.json)")
    return read_record(path, CompareRecord)


def _arm_result(arm_dir: Path) -> ArmResult:
    summary = summarize_run(RunDir(arm_dir))
    rewriter = summary.lm_usage.get("rewriter")
    final = trajectories(arm_dir / "final" / "test_rollouts.jsonl")
    return ArmResult(summary=summary, final_pairs=success_by_pair(final), rollouts=count_rollouts(arm_dir),
                     rewriter_calls=rewriter.calls if rewriter else 0)


def collect(directory: Path) -> Comparison:
    """Summarize every arm that has started and every reference with test episodes, and pair them up."""
    config = _read_config(directory)
    plan = _ComparePlan.model_validate(config.compare)
    arms = {arm.name: _arm_result(directory / "arms" / arm.name) for arm in plan.arms
            if (directory / "arms" / arm.name / "run.json").exists()}
    references = {}
    for ref in plan.references:
        episodes = trajectories(directory / "references" / ref.name / "test_rollouts.jsonl")
        if episodes:
            references[ref.name] = success_by_pair(episodes)
    pairs = {**{name: arm.final_pairs for name, arm in arms.items()}, **references}
    differences = [Difference(a=a, b=b, **paired_difference(pairs[a], pairs[b], seed=plan.bootstrap_seed).model_dump())
                   for a, b in itertools.combinations(pairs, 2)]
    return Comparison(arms=arms, references=references, differences=differences, config=config)


def _reference_success(pairs: Pairs) -> float:
    return sum(pairs.values()) / len(pairs) if pairs else 0.0


def compare_report(data: Comparison) -> CompareReport:
    arms = {name: ArmReport(iterations=[ArmIteration.model_validate(it, from_attributes=True)
                                        for it in arm.summary.iterations],
                            final_test=arm.summary.final_test, lm_usage=arm.summary.lm_usage,
                            rollouts=arm.rollouts, rewriter_calls=arm.rewriter_calls)
            for name, arm in data.arms.items()}
    references = {name: ReferenceReport(n=len(pairs), success=_reference_success(pairs))
                  for name, pairs in data.references.items()}
    return CompareReport(arms=arms, references=references, differences=data.differences)


def _arm_row(name: str, arm: ArmResult) -> str:
    usage = arm.summary.lm_usage.values()
    tokens = f"{sum(u.input_tokens for u in usage)}/{sum(u.output_tokens for u in usage)}"
    r = arm.rollouts
    return (f"| {name} | {format_rate(arm.summary.final_test)} | {r.train}/{r.validation}/{r.test} | "
            f"{arm.rewriter_calls} | {tokens} |")


def _iteration_line(name: str, summary: RunSummary) -> str:
    cells = [f"it{it.index}: {format_rate(it.test)}" for it in summary.iterations]
    return f"- {name}: " + "; ".join(cells) + f"; final: {format_rate(summary.final_test)}"


def compare_table(data: Comparison) -> str:
    lines = ["| arm | final test success | rollouts (train/val/test) | rewriter calls | tokens in/out |",
             "|---|---|---|---|---|"]
    lines += [_arm_row(name, arm) for name, arm in data.arms.items()]
    lines += [f"| {name} (fixed prompt) | {rate(list(pairs.values()))} | - | - | - |"
              for name, pairs in data.references.items()]
    lines += ["", "Per-iteration test success (prompt in use at that iteration):", ""]
    lines += [_iteration_line(name, arm.summary) for name, arm in data.arms.items()]
    lines += ["", "Paired differences on test seeds (b - a, paired by task and seed; 95% bootstrap CI):", ""]
    lines += [f"- {d.b} - {d.a}: {100 * d.mean:+.1f} points [{100 * d.ci_low:+.1f}, {100 * d.ci_high:+.1f}] "
              f"over {d.n} pairs" for d in data.differences]
    return "\n".join(lines)


def build_compare_report(directory: Path) -> Path:
    """Write compare.md, compare.json, compare.html and plots/ of a compare directory; returns compare.md."""
    data = collect(directory)
    references = {name: _reference_success(pairs) for name, pairs in data.references.items() if pairs}
    plot_arms({name: arm.summary for name, arm in data.arms.items()}, references,
              directory / "plots" / "test_success_per_iteration.png")
    table = compare_table(data)
    atomic_write_text(directory / "compare.md", table + "\n")
    write_record(directory / "compare.json", compare_report(data))
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>ladder compare</title></head><body>"
            f"<h1>Comparison</h1><pre>{html.escape(table)}</pre>"
            "<img src='plots/test_success_per_iteration.png' alt='test success per iteration'></body></html>")
    atomic_write_text(directory / "compare.html", page)
    return directory / "compare.md"
