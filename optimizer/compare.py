"""`ladder compare`: metric-driven vs success-driven optimization on identical splits and budgets.

Every arm is a full run (its own run directory under the compare directory) built from one base config,
so tasks, seed splits, iterations, episode caps and models are identical; only `objective` (and what the
arm's overrides say) differs. Arms share one LM cache: identical requests (iteration 0's rollouts of the
shared seed prompt, say) are computed once. Fixed reference prompts are evaluated on the same test seeds.
"""

from __future__ import annotations

import html
import itertools
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402
from pydantic import BaseModel, ConfigDict, Field  # noqa: E402

from autolibra.errors import ConfigError  # noqa: E402
from autolibra.jsonl import atomic_write_text, read_jsonl_tolerant  # noqa: E402
from autolibra.schema import Trajectory  # noqa: E402
from optimizer.config import RunConfig, apply_override, load_config, validate_config  # noqa: E402
from optimizer.rundir import RunDir  # noqa: E402
from optimizer.stats import paired_difference  # noqa: E402
from optimizer.summary import success_by_pair, summarize_run  # noqa: E402

log = logging.getLogger(__name__)


class Arm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    objective: str
    overrides: dict[str, Any] = Field(default_factory=dict)


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    prompt: str | None = None  # None = the base config's seed prompt
    prompt_file: Path | None = None


class CompareConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "compare"
    base: Path  # a run config; relative paths are resolved against the compare config's folder
    overrides: dict[str, Any] = Field(default_factory=dict)
    arms: list[Arm] = Field(default_factory=lambda: [Arm(name="metrics", objective="metrics"),
                                                     Arm(name="success", objective="success")])
    references: list[Reference] = Field(default_factory=list)
    out_dir: Path = Path("runs")
    bootstrap_seed: int = 0


def load_compare_config(path: str | Path, overrides: list[str] | None = None) -> tuple[CompareConfig, RunConfig]:
    path = Path(path)
    raw = load_config(path, overrides, model=CompareConfig)
    base_path = raw.base if raw.base.is_absolute() else path.parent / raw.base
    if not base_path.exists():
        base_path = raw.base  # also accept paths relative to the working directory
    base = load_config(base_path).model_dump(mode="json")
    for key, value in _flatten(raw.overrides):
        apply_override(base, f"{key}={_yaml(value)}")
    base_config = validate_config(base, RunConfig, source=str(base_path))
    if not base_config.seeds.test:
        raise ConfigError(f"{path}: the base config needs seeds.test (held-out seeds for the comparison)")
    for ref in raw.references:
        if ref.prompt_file is not None and not ref.prompt_file.is_absolute():
            candidate = path.parent / ref.prompt_file
            ref.prompt_file = candidate if candidate.exists() else ref.prompt_file
    return raw, base_config


def _flatten(data: dict, prefix: str = ""):
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _yaml(value: Any) -> str:
    import yaml
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def arm_config(base: RunConfig, arm: Arm) -> RunConfig:
    data = base.model_dump(mode="json")
    data["objective"] = arm.objective
    data["name"] = arm.name
    for key, value in _flatten(arm.overrides):
        apply_override(data, f"{key}={_yaml(value)}")
    return validate_config(data, RunConfig, source=f"arm {arm.name}")


def run_compare(config: CompareConfig, base: RunConfig, *, directory: Path | None = None) -> Path:
    from optimizer.runner import resume_run, start_run

    if directory is None:
        directory = Path(config.out_dir) / f"{datetime.now():%Y%m%d-%H%M%S}_{config.name}"
    directory.mkdir(parents=True, exist_ok=True)
    _write(directory / "compare_config.json", {"compare": config.model_dump(mode="json"),
                                                "base": base.model_dump(mode="json")})
    cache = directory / "lm_cache"
    for arm in config.arms:
        arm_dir = directory / "arms" / arm.name
        if (arm_dir / "run.json").exists():
            resume_run(arm_dir, cache_dir=cache)
        else:
            start_run(arm_config(base, arm), cache_dir=cache, run_path=arm_dir)
    for ref in config.references:
        evaluate_reference(ref, base, directory / "references" / ref.name, cache)
    build_compare_report(directory)
    return directory


def reference_prompt(ref: Reference, base: RunConfig) -> str:
    if ref.prompt_file is not None:
        if not Path(ref.prompt_file).exists():
            raise ConfigError(f"reference {ref.name!r}: prompt_file {ref.prompt_file} not found")
        return Path(ref.prompt_file).read_text(encoding="utf-8").strip()
    return (ref.prompt or base.seed_prompt).strip()


def evaluate_reference(ref: Reference, base: RunConfig, folder: Path, cache: Path) -> list[Trajectory]:
    """A fixed prompt on the test seeds, with the same agent settings as the arms."""
    from optimizer import stages
    from optimizer.runner import open_session

    folder.mkdir(parents=True, exist_ok=True)
    prompt = reference_prompt(ref, base)
    atomic_write_text(folder / "prompt.md", prompt + "\n")
    run = RunDir(folder)
    session = open_session(base, run, cache)
    try:
        tasks = stages.resolve_tasks(base.env, base.tasks)
        jobs = [(base.env, task, seed) for task in tasks for seed in base.seeds.test]
        return stages.rollouts(jobs, prompt, base, session, folder / "test_rollouts.jsonl")
    finally:
        session.close()


def _test_rollouts(path: Path) -> list[Trajectory]:
    return read_jsonl_tolerant(path, Trajectory)[0]


def collect(directory: Path) -> dict[str, Any]:
    saved = _read(directory / "compare_config.json")
    config = CompareConfig.model_validate(saved["compare"])
    arms: dict[str, Any] = {}
    for arm in config.arms:
        arm_dir = directory / "arms" / arm.name
        if not (arm_dir / "run.json").exists():
            continue
        summary = summarize_run(RunDir(arm_dir))
        final = _test_rollouts(arm_dir / "final" / "test_rollouts.jsonl")
        arms[arm.name] = {"summary": summary, "final_pairs": success_by_pair(final),
                          "rollouts": _count_rollouts(arm_dir),
                          "rewriter_calls": summary["lm_usage"].get("rewriter", {}).get("calls", 0)}
    references = {}
    for ref in config.references:
        trajs = _test_rollouts(directory / "references" / ref.name / "test_rollouts.jsonl")
        if trajs:
            references[ref.name] = success_by_pair(trajs)
    names = list(arms) + list(references)
    pairs = {**{n: a["final_pairs"] for n, a in arms.items()}, **references}
    differences = [{"a": a, "b": b, **paired_difference(pairs[a], pairs[b], seed=config.bootstrap_seed).as_dict()}
                   for a, b in itertools.combinations(names, 2)]
    return {"arms": arms, "references": references, "differences": differences, "config": saved}


def _count_rollouts(arm_dir: Path) -> dict[str, int]:
    counts = {"train": 0, "validation": 0, "test": 0}
    for it in sorted((arm_dir / "iterations").glob("*")):
        counts["train"] += len(_test_rollouts(it / "rollouts.jsonl"))
        counts["validation"] += len(_test_rollouts(it / "validation_rollouts.jsonl"))
        counts["validation"] += len(_test_rollouts(it / "candidate" / "validation_rollouts.jsonl"))
        counts["test"] += len(_test_rollouts(it / "test_rollouts.jsonl"))
    return counts


def build_compare_report(directory: Path) -> Path:
    data = collect(directory)
    plots = directory / "plots"
    plots.mkdir(exist_ok=True)
    _plot_arms(data, plots / "test_success_per_iteration.png")
    table = compare_table(data)
    atomic_write_text(directory / "compare.md", table + "\n")
    slim = {"arms": {n: {"iterations": [{k: it[k] for k in ("index", "train", "validation", "test", "coverage",
                                                             "redundancy", "metric_rates", "decision")}
                                        for it in a["summary"]["iterations"]],
                         "final_test": a["summary"]["final_test"], "lm_usage": a["summary"]["lm_usage"],
                         "rollouts": a["rollouts"], "rewriter_calls": a["rewriter_calls"]}
                     for n, a in data["arms"].items()},
            "references": {n: {"n": len(p), "success": sum(p.values()) / len(p) if p else 0.0}
                           for n, p in data["references"].items()},
            "differences": data["differences"]}
    _write(directory / "compare.json", slim)
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>ladder compare</title></head><body>"
            f"<h1>Comparison</h1><pre>{html.escape(table)}</pre>"
            "<img src='plots/test_success_per_iteration.png' alt='test success per iteration'></body></html>")
    atomic_write_text(directory / "compare.html", page)
    return directory / "compare.md"


def compare_table(data: dict[str, Any]) -> str:
    lines = ["| arm | final test success | rollouts (train/val/test) | rewriter calls | tokens in/out |",
             "|---|---|---|---|---|"]
    for name, arm in data["arms"].items():
        s = arm["summary"]
        ft = s["final_test"]
        tokens_in = sum(u.get("input_tokens", 0) for u in s["lm_usage"].values())
        tokens_out = sum(u.get("output_tokens", 0) for u in s["lm_usage"].values())
        r = arm["rollouts"]
        lines.append(f"| {name} | {_rate(ft)} | {r['train']}/{r['validation']}/{r['test']} | "
                     f"{int(arm['rewriter_calls'])} | {int(tokens_in)}/{int(tokens_out)} |")
    for name, pairs in data["references"].items():
        n = len(pairs)
        mean = sum(pairs.values()) / n if n else 0.0
        se = (mean * (1 - mean)) ** 0.5 / n ** 0.5 if n else 0.0
        lines.append(f"| {name} (fixed prompt) | {100 * mean:.1f}% ± {100 * se:.1f} (n={n}) | - | - | - |")
    lines += ["", "Per-iteration test success (prompt in use at that iteration):", ""]
    for name, arm in data["arms"].items():
        cells = [f"it{it['index']}: {_rate(it['test'])}" for it in arm["summary"]["iterations"]]
        lines.append(f"- {name}: " + "; ".join(cells) + f"; final: {_rate(arm['summary']['final_test'])}")
    lines += ["", "Paired differences on test seeds (b - a, paired by task and seed; 95% bootstrap CI):", ""]
    for d in data["differences"]:
        lines.append(f"- {d['b']} - {d['a']}: {100 * d['mean']:+.1f} points [{100 * d['ci_low']:+.1f}, "
                     f"{100 * d['ci_high']:+.1f}] over {d['n']} pairs")
    return "\n".join(lines)


def _rate(value: dict | None) -> str:
    return "-" if not value else f"{100 * value['mean']:.1f}% ± {100 * value['se']:.1f} (n={value['n']})"


def _plot_arms(data: dict[str, Any], path: Path) -> None:
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for name, arm in data["arms"].items():
        its = arm["summary"]["iterations"]
        xs = [it["index"] for it in its if it["test"]]
        ys = [100 * it["test"]["mean"] for it in its if it["test"]]
        es = [100 * it["test"]["se"] for it in its if it["test"]]
        final = arm["summary"]["final_test"]
        if final:
            xs.append(len(its))
            ys.append(100 * final["mean"])
            es.append(100 * final["se"])
        ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=name)
    for name, pairs in data["references"].items():
        if pairs:
            ax.axhline(100 * sum(pairs.values()) / len(pairs), linestyle="--", linewidth=1, label=f"{name} (fixed)")
    ax.set(xlabel="iteration (last point: final prompt)", ylabel="test success %", ylim=(-5, 105),
           title="Test-seed success per iteration")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _write(path: Path, data: Any) -> None:
    import json
    atomic_write_text(path, json.dumps(data, indent=2, default=str) + "\n")


def _read(path: Path) -> Any:
    import json
    if not path.exists():
        raise ConfigError(f"{path.parent} is not a compare directory (no compare_config.json)")
    return json.loads(path.read_text(encoding="utf-8"))
