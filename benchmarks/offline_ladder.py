"""The offline ladder experiment: does the loop make the embedded model's agent better?

    uv run python benchmarks/offline_ladder.py                 # run (or resume) and diagnose
    uv run python benchmarks/offline_ladder.py --dir runs/offline-ladder --diagnose-only

Runs `ladder compare configs/offline_ladder.yaml` (two arms, metrics vs success, plus the seed prompt and
the hand-written few-shot prompt as fixed references; every role on the embedded `local` model), then reads
the run directories back and checks each stage of the loop against the exact solver:

* agent: for every prompt measured on the test seeds, the share of moves that a shortest plan would make
  (from `analyze_actions`) and which actions it picked; next to it, the success of always playing one action;
* feedback: does the annotator's text name the move the solver says was right at a step it cites;
* grounding / clustering: how many aspects, which metrics;
* judging: the judge's mean trait rating on won vs lost training episodes;
* rewriting: how much each rewrite changed the prompt, and what validation decided.

It writes `diagnostics.md` and `diagnostics.json` into the compare directory and prints the markdown; the
last line is the headline: the paired test-success difference of the metrics arm over the success arm.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autolibra.jsonl import read_jsonl_tolerant  # noqa: E402
from autolibra.schema import Aspect, Feedback, MetricSet, Trait, Trajectory  # noqa: E402
from envs.babaisai.solver.analysis import analyze_actions  # noqa: E402
from optimizer.reporting import build_compare_report, collect  # noqa: E402
from optimizer.records import Decision, RewriteRecord, read_optional  # noqa: E402

DIRECTIONS = ("up", "right", "down", "left")


def run_experiment(config: Path, directory: Path) -> float:
    """Start or resume the comparison; returns the wall time of this invocation in seconds."""
    command = [sys.executable, "-m", "optimizer.cli", "compare"]
    command += ["--resume", str(directory)] if (directory / "compare_config.json").exists() else \
        [str(config), "--dir", str(directory)]
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True)
    return time.monotonic() - start


def trajectories(path: Path) -> list[Trajectory]:
    return read_jsonl_tolerant(path, Trajectory)[0]  # a missing file reads as no records


# -- agent --------------------------------------------------------------------------------------------
def move_quality(trajs: list[Trajectory]) -> dict:
    """Share of moves that a shortest plan would make, and the actions picked."""
    optimal = moves = 0
    picked: Counter[str] = Counter()
    for t in trajs:
        steps = analyze_actions(t.task, t.seed, [s.action for s in t.steps], max_steps=len(t.steps) or 1)
        for s in steps:
            moves += 1
            optimal += int(not s.wasted)
            picked[s.action] += 1
    return {"episodes": len(trajs), "wins": sum(t.success for t in trajs), "moves": moves,
            "optimal_moves": optimal, "optimal_share": optimal / moves if moves else None,
            "actions": dict(picked.most_common())}


def constant_policy_success(trajs: list[Trajectory], max_steps: int) -> dict[str, float]:
    """Success of playing one action every step on the same levels: the floor a biased agent sits on."""
    out = {}
    for action in DIRECTIONS:
        wins = 0
        for t in trajs:
            steps = analyze_actions(t.task, t.seed, [action] * max_steps, max_steps=max_steps)
            wins += bool(steps and steps[-1].won)
        out[action] = wins / len(trajs) if trajs else 0.0
    return out


PROBE_QUESTIONS = ["door 4 step to the left and 1 step up", "key 2 steps to the right", "ball 3 steps down",
                   "door 1 step to the left and 2 steps down", "key 3 steps up", "ball 2 step to the left"]


def direction_probe(directory: Path, model: str) -> list[dict]:
    """The agent's model, asked outside the game which way to walk to an object at a given offset: if it
    cannot answer this, no wording of the game prompt will make it walk the right way."""
    from autolibra.lm import LMSession

    rows = []
    with LMSession({"default": {"model": model, "temperature": 0.0, "max_tokens": 8}},
                   cache_dir=directory / "probe_cache") as session:
        lm = session.lm("agent")
        for where in PROBE_QUESTIONS:
            question = (f'An object is at: "{where}" (relative to you). Which direction should you move first '
                        "to reach it? Answer with one word: left, right, up or down.")
            answer = lm(messages=[{"role": "user", "content": question}])[0].strip().lower()
            expected = next(d for d in ("left", "right", "up", "down") if d in where)
            rows.append({"offset": where, "answer": answer, "expected": expected, "correct": expected in answer})
    return rows


def agent_model(base: dict) -> str:
    model = base["models"].get("agent") or base["models"].get("default", "local")
    return model["model"] if isinstance(model, dict) else model


# Agent settings that matter for a small model, each measured with the few-shot reference prompt on the
# test seeds: (name, format, history turns, max tokens).
SETTINGS = [("action only, no history", "constrained_action", 0, 16),
            ("action only, 2 turns of history", "constrained_action", 2, 16),
            ("reasoning + action, no history", "constrained", 0, 90)]


def settings_comparison(directory: Path) -> list[dict]:
    """`ladder eval` once per setting (resumable: a finished eval is read back, not rerun)."""
    saved = json.loads((directory / "compare_config.json").read_text(encoding="utf-8"))
    base, refs = saved["base"], saved["compare"].get("references", [])
    prompt_file = next((r["prompt_file"] for r in refs if r.get("prompt_file")), None)
    seeds = sorted(base["seeds"]["test"])
    if prompt_file is None or seeds != list(range(seeds[0], seeds[0] + len(seeds))):
        return []  # needs a reference prompt file and consecutive test seeds (what `ladder eval` runs)
    rows = []
    for name, fmt, history, max_tokens in SETTINGS:
        out = directory / "settings" / fmt / f"history{history}"
        timing = out / "timing.json"
        if not timing.exists():
            start = time.monotonic()
            subprocess.run([sys.executable, "-m", "optimizer.cli", "eval", "--env", base["env"], "--tasks",
                            *base["tasks"], "--episodes", str(len(seeds)), "--seed", str(seeds[0]),
                            "--model", agent_model(base), "--out", str(out), "--format", fmt, "--history", str(history),
                            "--max-steps", str(base["max_steps"]), "--max-tokens", str(max_tokens),
                            "--concurrency", str(base["concurrency"]), "--instructions-file", str(prompt_file),
                            "--no-progress"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            timing.write_text(json.dumps({"wall_s": time.monotonic() - start}), encoding="utf-8")
        trajs = trajectories(out / "rollouts.jsonl")
        wall = json.loads(timing.read_text(encoding="utf-8"))["wall_s"]
        steps = sum(t.num_steps for t in trajs)
        rows.append({"setting": name, "format": fmt, "history": history, **move_quality(trajs),
                     "wall_s": wall, "seconds_per_step": wall / steps if steps else None,
                     "input_tokens": sum(t.tokens.input for t in trajs),
                     "output_tokens": sum(t.tokens.output for t in trajs)})
    return rows


# -- feedback, grounding, judging -------------------------------------------------------------------
_STEP = re.compile(r"\bsteps?\s+(\d+)", re.IGNORECASE)


def feedback_checks(folder: Path) -> list[dict]:
    """Per feedback: the steps it cites, and whether it names the solver's move at a cited wasted step."""
    by_id = {t.id: t for t in trajectories(folder / "rollouts.jsonl")}
    rows = []
    for fb in read_jsonl_tolerant(folder / "feedback.jsonl", Feedback)[0]:
        t = by_id.get(fb.trajectory_id)
        if t is None:
            continue
        analysis = analyze_actions(t.task, t.seed, [s.action for s in t.steps], max_steps=len(t.steps) or 1)
        cited = sorted({int(n) for n in _STEP.findall(fb.text)})
        right_moves = {s.step: s.optimal_plan[0] for s in analysis if s.wasted and s.optimal_plan}
        named = [step for step in cited if step in right_moves and right_moves[step] in fb.text.lower()]
        rows.append({"trajectory": t.id, "success": t.success, "cited_steps": cited,
                     "wasted_steps": sorted(right_moves), "names_the_right_move": bool(named),
                     "text": fb.text})
    return rows


def judge_agreement(folder: Path) -> dict:
    """Mean trait rating (+1/0/-1, unscored left out) on won vs lost training episodes."""
    trajs = {t.id: t for t in trajectories(folder / "rollouts.jsonl")}
    traits = read_jsonl_tolerant(folder / "traits.jsonl", Trait)[0]
    won = [tr.rating for tr in traits if tr.rating is not None and trajs.get(tr.trajectory_id) and trajs[tr.trajectory_id].success]
    lost = [tr.rating for tr in traits if tr.rating is not None and trajs.get(tr.trajectory_id) and not trajs[tr.trajectory_id].success]
    # Per judged episode: the share of its moves the solver calls wasted, next to the judge's mean rating.
    versus = []
    for tid, t in sorted(trajs.items()):
        ratings = [tr.rating for tr in traits if tr.trajectory_id == tid and tr.rating is not None]
        if ratings and t.steps:
            steps = analyze_actions(t.task, t.seed, [s.action for s in t.steps], max_steps=len(t.steps))
            versus.append({"trajectory": tid, "wasted_share": sum(s.wasted for s in steps) / len(steps),
                           "mean_rating": statistics.mean(ratings)})
    return {"traits": len(traits), "unscored": sum(tr.rating is None for tr in traits), "versus_solver": versus,
            "mean_rating_won": statistics.mean(won) if won else None, "n_won": len(won),
            "mean_rating_lost": statistics.mean(lost) if lost else None, "n_lost": len(lost),
            "ratings_on_lost": dict(Counter(lost))}


# -- the whole diagnosis ----------------------------------------------------------------------------
def diagnose(directory: Path, probe_model: bool = True, settings: bool = False) -> dict:
    data = collect(directory)
    config = data.config.model_dump(mode="json")
    max_steps = config["base"].get("max_steps") or 100
    prompts: dict[str, dict] = {}
    stages: dict[str, list] = {}
    for arm in data.arms:
        arm_dir = directory / "arms" / arm
        stages[arm] = []
        for it in sorted((arm_dir / "iterations").glob("[0-9]*")):
            prompt = (it / "prompt.md").read_text(encoding="utf-8").strip()
            test = trajectories(it / "test_rollouts.jsonl")
            if test:
                prompts[f"{arm} it{int(it.name)}"] = {"prompt": prompt, **move_quality(test)}
            candidate = it / "candidate" / "prompt.md"
            rewrite = read_optional(it / "candidate" / "rewrite.json", RewriteRecord)
            decision = read_optional(it / "decision.json", Decision)
            aspects = read_jsonl_tolerant(it / "aspects.jsonl", Aspect)[0]
            metric_set = read_optional(it / "metrics.json", MetricSet)
            metrics = [m.model_dump() for m in metric_set.metrics] if metric_set else []
            new = candidate.read_text(encoding="utf-8").strip() if candidate.exists() else None
            stages[arm].append({
                "iteration": int(it.name),
                "feedback": feedback_checks(it),
                "aspects": [{"behavior": a.behavior, "feedback": a.feedback} for a in aspects],
                "metrics": [{"name": m["name"], "explanation": m["explanation"]} for m in metrics],
                "judge": judge_agreement(it) if metrics else None,
                "rewrite_similarity": difflib.SequenceMatcher(None, prompt, new).ratio() if new else None,
                "rewrite_attempts": rewrite.attempts if rewrite else None,
                "rewrite_rejections": rewrite.rejections if rewrite else [],
                "candidate_prompt": new, "decision": decision.model_dump(mode="json") if decision else None,
            })
        final = trajectories(arm_dir / "final" / "test_rollouts.jsonl")
        if final:
            prompts[f"{arm} final"] = {"prompt": (arm_dir / "final" / "prompt.md").read_text(encoding="utf-8").strip(),
                                       **move_quality(final)}
    for ref in config["compare"].get("references", []):
        test = trajectories(directory / "references" / ref["name"] / "test_rollouts.jsonl")
        if test:
            prompt_path = directory / "references" / ref["name"] / "prompt.md"
            prompts[f"reference {ref['name']}"] = {
                "prompt": prompt_path.read_text(encoding="utf-8").strip() if prompt_path.exists() else None,
                **move_quality(test)}
    any_test = next((trajectories(p) for p in directory.glob("references/*/test_rollouts.jsonl")), [])
    probe = direction_probe(directory, agent_model(config["base"])) if probe_model else []
    return {"prompts": prompts, "stages": stages, "constant_policies": constant_policy_success(any_test, max_steps),
            "direction_probe": probe, "settings": settings_comparison(directory) if settings else [],
            "differences": [d.model_dump(mode="json") for d in data.differences],
            "usage": {arm: {role: u.model_dump(mode="json") for role, u in a.summary.lm_usage.items()}
                      for arm, a in data.arms.items()}}


def render(diag: dict, wall_s: float | None) -> str:
    lines = ["# Offline ladder: diagnostics", ""]
    if wall_s is not None:
        lines += [f"Wall time of this invocation: {wall_s / 60:.1f} min.", ""]
    lines += ["## Agent: moves on the test seeds, per prompt", "",
              "| prompt | wins | moves | optimal moves | actions picked |", "|---|---|---|---|---|"]
    for name, p in diag["prompts"].items():
        share = "-" if p["optimal_share"] is None else f"{100 * p['optimal_share']:.0f}%"
        acts = ", ".join(f"{a} {n}" for a, n in p["actions"].items())
        lines.append(f"| {name} | {p['wins']}/{p['episodes']} | {p['moves']} | {share} | {acts} |")
    cp = diag["constant_policies"]
    lines += ["", "Always playing one action on the same test levels wins: "
              + ", ".join(f"{a} {100 * s:.0f}%" for a, s in cp.items()), ""]
    if diag["direction_probe"]:
        probe = diag["direction_probe"]
        lines += [f"Outside the game, asked which way to walk to an object at an offset, the agent's model answered "
                  f"{sum(r['correct'] for r in probe)} of {len(probe)} correctly: "
                  + "; ".join(f"\"{r['offset']}\" -> {r['answer']}" for r in probe), ""]
    if diag["settings"]:
        lines += ["## Agent settings (few-shot reference prompt, test seeds)", "",
                  "| setting | wins | optimal moves | actions picked | s per step (wall, 4 episodes at once) | tokens in/out |",
                  "|---|---|---|---|---|---|"]
        for r in diag["settings"]:
            share = "-" if r["optimal_share"] is None else f"{100 * r['optimal_share']:.0f}%"
            per = "-" if r["seconds_per_step"] is None else f"{r['seconds_per_step']:.1f}"
            acts = ", ".join(f"{a} {n}" for a, n in r["actions"].items())
            lines.append(f"| {r['setting']} | {r['wins']}/{r['episodes']} | {share} | {acts} | {per} | "
                         f"{r['input_tokens']}/{r['output_tokens']} |")
        lines.append("")
    for arm, its in diag["stages"].items():
        lines += [f"## Stages, arm `{arm}`", ""]
        for it in its:
            lines.append(f"### iteration {it['iteration']}")
            fb = it["feedback"]
            if fb:
                named = sum(f["names_the_right_move"] for f in fb)
                lines.append(f"- feedback: {len(fb)} texts; {sum(bool(f['cited_steps']) for f in fb)} cite steps; "
                             f"{named} name the solver's move at a cited wasted step")
            if it["aspects"]:
                lines.append(f"- grounding: {len(it['aspects'])} aspects, e.g. "
                             + "; ".join(f"\"{a['behavior'][:90]}\"" for a in it["aspects"][:3]))
            if it["metrics"]:
                lines.append("- metrics: " + "; ".join(m["name"] for m in it["metrics"]))
            j = it["judge"]
            if j:
                fmt = lambda v: "-" if v is None else f"{v:+.2f}"  # noqa: E731
                lines.append(f"- judge: mean rating {fmt(j['mean_rating_won'])} on won episodes (n={j['n_won']}), "
                             f"{fmt(j['mean_rating_lost'])} on lost ones (n={j['n_lost']}); {j['unscored']} unscored; "
                             "per episode, wasted-move share (solver) -> mean rating (judge): "
                             + ", ".join(f"{100 * x['wasted_share']:.0f}% -> {x['mean_rating']:+.2f}" for x in j["versus_solver"]))
            sim = it["rewrite_similarity"]
            d = it["decision"] or {}
            pct = lambda x: "-" if x is None else f"{100 * x:.0f}%"  # noqa: E731
            lines.append(f"- rewrite: similarity to the prompt {'-' if sim is None else f'{sim:.2f}'}, "
                         f"{it['rewrite_attempts']} attempt(s), {len(it['rewrite_rejections'])} rejected; validation "
                         f"success {pct(d.get('incumbent_success'))} (current) vs {pct(d.get('candidate_success'))} "
                         f"(rewrite), accepted: {d.get('accepted')}")
            lines.append("")
    lines += ["## Tokens and calls per role", "", "| arm | role | calls | cache hits | input tokens | output tokens | model time s |",
              "|---|---|---|---|---|---|---|"]
    for arm, usage in diag["usage"].items():
        for role, u in sorted(usage.items()):
            lines.append(f"| {arm} | {role} | {int(u.get('calls', 0))} | {int(u.get('cache_hits', 0))} | "
                         f"{int(u.get('input_tokens', 0))} | {int(u.get('output_tokens', 0))} | {u.get('latency_s', 0):.0f} |")
    lines += ["", "## Paired differences on the test seeds (b - a)", ""]
    for d in diag["differences"]:
        lines.append(f"- {d['b']} - {d['a']}: {100 * d['mean']:+.1f} points, 95% CI [{100 * d['ci_low']:+.1f}, "
                     f"{100 * d['ci_high']:+.1f}], {d['n']} pairs")
    return "\n".join(lines)


def headline(diag: dict) -> str:
    for d in diag["differences"]:
        if {d["a"], d["b"]} == {"metrics", "success"}:
            sign = 1 if d["b"] == "metrics" else -1
            # (+ 0.0 turns a negated zero into a plain one, so no "-0.0" is printed)
            low, high = sorted((sign * d["ci_low"] + 0.0, sign * d["ci_high"] + 0.0))
            return (f"metrics - success on test seeds: {100 * sign * d['mean'] + 0.0:+.1f} points "
                    f"[{100 * low:+.1f}, {100 * high:+.1f}] over {d['n']} pairs")
    return "metrics - success: not available (an arm is missing)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "offline_ladder.yaml")
    parser.add_argument("--dir", type=Path, default=ROOT / "runs" / "offline-ladder")
    parser.add_argument("--diagnose-only", action="store_true", help="read an existing run; run no comparison")
    parser.add_argument("--no-settings", action="store_true",
                        help="skip the agent-settings evals (about 20 minutes on 2 cores)")
    args = parser.parse_args()
    wall = None if args.diagnose_only else run_experiment(args.config, args.dir)
    build_compare_report(args.dir)
    diag = diagnose(args.dir, settings=not args.no_settings)
    text = render(diag, wall)
    (args.dir / "diagnostics.md").write_text(text + "\n", encoding="utf-8")
    (args.dir / "diagnostics.json").write_text(json.dumps(diag, indent=2, default=str) + "\n", encoding="utf-8")
    print((args.dir / "compare.md").read_text(encoding="utf-8"))
    print(text)
    print(headline(diag))
    return 0


if __name__ == "__main__":
    sys.exit(main())
