"""The outer loop: rollouts -> feedback -> metrics -> judgments -> rewrite -> validated next prompt.

Each stage writes its output into `iterations/NNN/` and is skipped when that output is already complete,
so `ladder run --resume RUN` after a kill at any moment redoes only unfinished work (and the LM cache in
the run directory answers every LM call that had already finished).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autolibra.errors import ConfigError
from autolibra.jsonl import append_jsonl, atomic_write_text, read_jsonl, read_jsonl_tolerant, write_json, write_jsonl
from autolibra.schema import Feedback, Instance, MetricSet, Trait, Trajectory
from optimizer import stages
from optimizer.agent import prompt_id_of
from optimizer.config import RunConfig
from optimizer.digest import metric_rates, metrics_digest, success_digest
from optimizer.feedback import file_feedback, llm_feedback, sample_for_feedback
from optimizer.rewriter import metric_definitions_text, rewrite_prompt
from optimizer.rundir import RunDir

log = logging.getLogger(__name__)


class Paused(Exception):
    """The run waits for people to write feedback (feedback.source: human)."""


class Loop:
    def __init__(self, run: RunDir, config: RunConfig, session):
        self.run = run
        self.config = config
        self.session = session
        self.tasks = stages.resolve_tasks(config.env, config.tasks)

    # -- the whole run -----------------------------------------------------------------------
    def execute(self) -> str:
        """Run (or resume) every iteration; returns the final status."""
        prompt = self._initial_prompt()
        metrics: MetricSet | None = None
        try:
            for index in range(self.config.iterations):
                self.run.set_status("running", iteration=index)
                prompt, metrics = self.iteration(index, prompt, metrics)
            self._finish(prompt)
        except Paused as pause:
            self.run.set_status("waiting_for_feedback", message=str(pause))
            return "waiting_for_feedback"
        self.run.set_status("done", iteration=self.config.iterations - 1)
        return "done"

    def _initial_prompt(self) -> str:
        first = self.run.path / "iterations" / "000" / "prompt.md"
        return read_prompt(first) if first.exists() else self.config.seed_prompt.strip()

    # -- one iteration -----------------------------------------------------------------------
    def iteration(self, index: int, prompt: str, metrics: MetricSet | None) -> tuple[str, MetricSet | None]:
        folder = self.run.iteration(index)
        _write_once(folder / "prompt.md", prompt)
        prompt = read_prompt(folder / "prompt.md")  # on resume, the prompt this iteration really used
        cfg = self.config
        trajectories = self.rollouts(prompt, cfg.seeds.train, folder / "rollouts.jsonl")
        if cfg.seeds.test:  # measured, never shown to the loop
            self.rollouts(prompt, cfg.seeds.test, folder / "test_rollouts.jsonl")

        traits: list[Trait] = []
        if cfg.objective in ("metrics", "gepa"):
            feedback = self.feedback(index, folder, trajectories)
            metrics = self.induce(index, folder, trajectories, feedback, metrics)
            traits = self.judge(folder, trajectories, metrics)
        self.write_scores(folder, trajectories, metrics, traits)

        candidate = self.rewrite(folder, prompt, trajectories, metrics, traits)
        accepted = self.validate(folder, prompt, candidate)
        if cfg.selection is not None and metrics is not None:
            stages.export_selection(trajectories, metrics, traits, cfg.selection, folder / "finetune", self.session)
        return (candidate if accepted else prompt), metrics

    def rollouts(self, prompt: str, seeds: Sequence[int], out: Path) -> list[Trajectory]:
        jobs = [(self.config.env, task, seed) for task in self.tasks for seed in seeds]
        return stages.rollouts(jobs, prompt, self.config, self.session, out)

    def feedback(self, index: int, folder: Path, trajectories: list[Trajectory]) -> list[Feedback]:
        cfg = self.config.feedback
        request = folder / "feedback_request.json"
        if request.exists():
            wanted = self.run.read_json(request)["trajectory_ids"]
        else:
            chosen = sample_for_feedback(trajectories, cfg.sample, seed=self.config.random_seed * 1000 + index)
            wanted = [t.id for t in chosen]
            self.run.write_json(request, {"trajectory_ids": wanted, "source": cfg.source})
        by_id = {t.id: t for t in trajectories}
        chosen = [by_id[i] for i in wanted if i in by_id]
        out = folder / "feedback.jsonl"
        if cfg.source == "llm":
            name = cfg.annotator_name or f"llm:{stages.model_name(self.session, 'annotator')}"
            records = llm_feedback(chosen, self.session.lm("annotator"), out, annotator=name,
                                   render=stages.render_for_annotator, use_solver=cfg.solver_analysis,
                                   workers=self.config.concurrency)
        elif cfg.source == "file":
            if not out.exists():
                write_jsonl(out, file_feedback(cfg.path, chosen))
            records = read_jsonl(out, Feedback)
        else:  # human
            records, _ = read_jsonl_tolerant(out, Feedback)
            missing = set(wanted) - {r.trajectory_id for r in records}
            if missing:
                raise Paused(f"{len(missing)} of {len(wanted)} trajectories need feedback: "
                             f"run `ladder annotate {self.run.path}` then `ladder run --resume {self.run.path}`")
        if not records:
            raise ConfigError(f"iteration {index}: no feedback was collected (source {cfg.source}); "
                              "see lm_calls.jsonl for the annotator's replies")
        return records

    def induce(self, index: int, folder: Path, trajectories, feedback, existing: MetricSet | None) -> MetricSet:
        path = folder / "metrics.json"
        if path.exists():
            return MetricSet.model_validate_json(path.read_text(encoding="utf-8"))
        by_id = {t.id: t for t in trajectories}
        instances = [Instance(trajectory=by_id[f.trajectory_id], feedback=f.text, annotator=f.annotator)
                     for f in feedback if f.trajectory_id in by_id]
        result = stages.induce(instances, existing, self.config, self.session, index, folder)
        write_json(path, result)
        return result

    def judge(self, folder: Path, trajectories: list[Trajectory], metrics: MetricSet) -> list[Trait]:
        out = folder / "traits.jsonl"
        done, _ = read_jsonl_tolerant(out, Trait)
        judged = {t.trajectory_id for t in done}
        todo = [t for t in trajectories if t.id not in judged]
        lm = self.session.lm("judge")

        def judge_one(trajectory: Trajectory) -> None:
            for trait in stages.judge(trajectory, metrics, lm):
                append_jsonl(out, trait)

        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            list(pool.map(judge_one, todo))
        traits, _ = read_jsonl_tolerant(out, Trait)
        return traits

    def write_scores(self, folder: Path, trajectories, metrics: MetricSet | None, traits) -> None:
        n = len(trajectories)
        wins = sum(1 for t in trajectories if t.success)
        scores = {"episodes": n, "successes": wins, "success_rate": wins / n if n else 0.0,
                  "average_steps": sum(t.num_steps for t in trajectories) / n if n else 0.0,
                  "invalid_actions": sum(1 for t in trajectories for s in t.steps if not s.valid),
                  "metrics": [r.model_dump() | {"pass_rate": r.pass_rate} for r in metric_rates(metrics, traits)]
                  if metrics else [],
                  "unscored_traits": sum(1 for t in traits if t.rating is None)}
        induction = self.run.read_json(folder / "induction.json")
        if induction:
            scores["coverage"] = induction.get("coverage")
            scores["redundancy"] = induction.get("redundancy")
        self.run.write_json(folder / "scores.json", scores)

    def rewrite(self, folder: Path, prompt: str, trajectories, metrics, traits) -> str:
        target = folder / "candidate" / "prompt.md"
        if target.exists():
            return read_prompt(target)
        cfg = self.config
        if cfg.objective == "gepa":
            text, record = stages.gepa_rewrite(prompt, trajectories, metrics, cfg, self.session, folder)
        else:
            if cfg.objective == "metrics":
                evidence = metrics_digest(metrics, trajectories, traits, worst=cfg.rewriter.worst_failures,
                                          successes=cfg.rewriter.successes, excerpt_steps=cfg.rewriter.excerpt_steps)
                definitions = metric_definitions_text(metrics)
            else:
                evidence = success_digest(trajectories, worst=cfg.rewriter.worst_failures,
                                          successes=cfg.rewriter.successes, excerpt_steps=cfg.rewriter.excerpt_steps)
                definitions = "none: only episode success is measured"
            result = rewrite_prompt(prompt, definitions, evidence, self.session.lm("rewriter"),
                                    objective=cfg.objective, agent_format=cfg.agent.format,
                                    max_chars=cfg.rewriter.max_chars, retries=cfg.rewriter.retries)
            text = result.instructions.strip()
            record = {"accepted_by_checks": result.accepted, "attempts": result.attempts,
                      "rejections": result.rejections, "evidence": evidence}
        self.run.write_json(folder / "candidate" / "rewrite.json", record)
        _write_once(target, text)
        return text

    def validate(self, folder: Path, prompt: str, candidate: str) -> bool:
        decision_path = folder / "decision.json"
        if decision_path.exists():
            return bool(self.run.read_json(decision_path)["accepted"])
        seeds = self.config.seeds.validation
        incumbent = _success_rate(self.rollouts(prompt, seeds, folder / "validation_rollouts.jsonl"))
        if candidate == prompt:
            challenger = incumbent
        else:
            challenger = _success_rate(self.rollouts(candidate, seeds, folder / "candidate" / "validation_rollouts.jsonl"))
        rule = self.config.acceptance
        accepted = candidate != prompt and (
            rule == "always" or (rule == "not_worse" and challenger >= incumbent)
            or (rule == "better" and challenger > incumbent))
        self.run.write_json(decision_path,
                            {"rule": rule, "accepted": accepted, "incumbent_success": incumbent,
                             "candidate_success": challenger, "incumbent_prompt_id": prompt_id_of(prompt),
                             "candidate_prompt_id": prompt_id_of(candidate)})
        return accepted

    def _finish(self, prompt: str) -> None:
        final = self.run.path / "final"
        _write_once(final / "prompt.md", prompt)
        if self.config.seeds.test:
            self.rollouts(prompt, self.config.seeds.test, final / "test_rollouts.jsonl")


def _success_rate(trajectories: Sequence[Trajectory]) -> float:
    return sum(1 for t in trajectories if t.success) / len(trajectories) if trajectories else 0.0


def read_prompt(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def _write_once(path: Path, text: str) -> None:
    """Prompts are stored stripped plus one newline, so their ids survive a round trip through disk."""
    if not path.exists():
        atomic_write_text(path, text.strip() + "\n")
