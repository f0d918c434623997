"""Stage 2, feedback: open-ended feedback on a sample of the iteration's trajectories, from one of:

* `llm`: an annotator model watches the trajectory and writes one free-text feedback, the way an expert
  watching the replay would. Where the env offers a reference analysis (Baba Is AI: the solver's optimal
  plan, wasted moves, first irreversible mistake) the annotator reads it too, as an expert would see it by
  looking at the board.
* `human`: the run writes `feedback_request.json` and pauses; people fill `feedback.jsonl` with
  `ladder annotate RUN`; `ladder run --resume RUN` goes on.
* `file`: feedback records read from a JSONL (e.g. written earlier by people).
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dspy

import envs
from autolibra.errors import ConfigError, DataError
from autolibra.jsonl import append_jsonl, read_jsonl, read_jsonl_tolerant, write_jsonl
from autolibra.render import render_trajectory
from autolibra.schema import Feedback, Trajectory
from optimizer.context import RunContext
from optimizer.records import FeedbackRequest, read_optional, write_record

log = logging.getLogger(__name__)

ANNOTATOR_TOKEN_BUDGET = 1500  # the embedded model reads ~40 tokens/s: keep annotator prompts short


class Paused(Exception):
    """The run waits for people to write feedback (feedback.source: human)."""

ANNOTATOR_INSTRUCTIONS = """\
You are an expert player reviewing a replay of an AI agent playing a text game. Write one short piece of \
open-ended feedback (3-6 sentences) about how the agent played: what it did well, what it did badly, and \
where (cite step numbers). Be concrete about behaviour (e.g. "it walked back and forth between the same two \
cells from step 3 on"), not generic advice. If an analysis of the optimal play is given, use it to judge \
the agent's moves: when it lists wasted moves, say what the agent did there and what it should have done \
instead. Write in your own words as a reviewer would."""


class WriteFeedback(dspy.Signature):
    __doc__ = ANNOTATOR_INSTRUCTIONS

    game_rules: str = dspy.InputField(desc="the instructions the agent was given about the game")
    trajectory: str = dspy.InputField(desc="the agent's observations and actions, step by step")
    outcome: str = dspy.InputField(desc="how the episode ended")
    analysis: str = dspy.InputField(desc="analysis of optimal play, or 'none'")
    feedback: str = dspy.OutputField(desc="your feedback, 3-6 sentences, citing step numbers")


def sample_for_feedback(trajectories: Sequence[Trajectory], k: int, seed: int) -> list[Trajectory]:
    """A seeded sample that keeps both outcomes when possible: failures teach most, but a few successes
    let annotators say what good play looks like."""
    rng = random.Random(seed)
    ordered = sorted(trajectories, key=lambda t: t.id)
    if len(ordered) <= k:
        return ordered
    wins = [t for t in ordered if t.success]
    losses = [t for t in ordered if not t.success]
    rng.shuffle(wins)
    rng.shuffle(losses)
    n_wins = min(len(wins), max(1, round(k * len(wins) / len(ordered)))) if wins else 0
    chosen = wins[:n_wins] + losses[: k - n_wins]
    if len(chosen) < k:  # not enough losses: fill with more wins
        chosen += wins[n_wins : n_wins + k - len(chosen)]
    return sorted(chosen, key=lambda t: t.id)


def drop_repeated_sentences(text: str) -> str:
    """Keep the first copy of each sentence: a small model caught in a loop repeats one sentence until its
    token cap, and seventy copies of it are not seventy points of feedback."""
    seen, kept = set(), []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        key = " ".join(sentence.lower().split())
        if key and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return " ".join(kept)


def describe_outcome(trajectory: Trajectory) -> str:
    return (f"{trajectory.outcome}; success={trajectory.success}; steps={trajectory.num_steps}; "
            f"return={trajectory.episode_return:.3f}")


def reference_analysis(trajectory: Trajectory) -> str:
    """The env's reference analysis of the agent's moves, where the env offers one; else 'none'."""
    analyze = envs.capabilities(trajectory.env).reference_analysis
    if analyze is None or trajectory.seed is None:
        return "none"
    return analyze(trajectory.task, trajectory.seed, [step.action for step in trajectory.steps])


def llm_feedback(trajectories: Sequence[Trajectory], lm: dspy.LM, out_path: Path, *, annotator: str,
                 render: Callable[[Trajectory], str], use_analysis: bool = True, workers: int = 4,
                 instructions: str | None = None) -> list[Feedback]:
    """Ask the annotator model for feedback on each trajectory; append each as it arrives (resumable)."""
    done, _ = read_jsonl_tolerant(out_path, Feedback)
    have = {f.trajectory_id for f in done}
    todo = [t for t in trajectories if t.id not in have]
    signature = WriteFeedback.with_instructions(instructions) if instructions else WriteFeedback
    predictor = dspy.Predict(signature)

    def annotate(trajectory: Trajectory) -> Feedback | None:
        analysis = reference_analysis(trajectory) if use_analysis else "none"
        try:
            with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
                reply = predictor(game_rules=trajectory.instruction or "(not recorded)",
                                  trajectory=render(trajectory), outcome=describe_outcome(trajectory),
                                  analysis=analysis)
        except Exception as error:  # one failed annotation must not sink the others
            log.warning("annotator failed on %s: %s", trajectory.id, error)
            return None
        text = drop_repeated_sentences((reply.feedback or "").strip())
        if not text:
            log.warning("annotator returned empty feedback for %s", trajectory.id)
            return None
        record = Feedback(trajectory_id=trajectory.id, text=text, annotator=annotator)
        append_jsonl(out_path, record)
        return record

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(annotate, todo))
    final, _ = read_jsonl_tolerant(out_path, Feedback)
    return final


def file_feedback(path: Path, trajectories: Sequence[Trajectory]) -> list[Feedback]:
    """Feedback read from a JSONL, kept only for trajectories of this iteration."""
    records = read_jsonl(path, Feedback)
    ids = {t.id for t in trajectories}
    kept = [r for r in records if r.trajectory_id in ids]
    if records and not kept:
        raise DataError(f"none of its {len(records)} feedback records names a trajectory of this run "
                        f"(e.g. {records[0].trajectory_id!r})", str(path))
    return kept


def feedback_stage(ctx: RunContext, index: int, folder: Path, trajectories: list[Trajectory]) -> list[Feedback]:
    """Sample the trajectories to annotate (feedback_request.json, fixed once written), then collect their
    feedback (feedback.jsonl, appended as each arrives). Human feedback pauses the run until written."""
    settings = ctx.config.feedback
    request = read_optional(folder / "feedback_request.json", FeedbackRequest)
    if request is None:
        chosen = sample_for_feedback(trajectories, settings.sample, seed=ctx.config.random_seed * 1000 + index)
        request = FeedbackRequest(trajectory_ids=[t.id for t in chosen], source=settings.source)
        write_record(folder / "feedback_request.json", request)
    by_id = {t.id: t for t in trajectories}
    chosen = [by_id[i] for i in request.trajectory_ids if i in by_id]
    out = folder / "feedback.jsonl"
    if settings.source == "llm":
        name = settings.annotator_name or f"llm:{ctx.model_name('annotator')}"
        records = llm_feedback(chosen, ctx.session.lm("annotator"), out, annotator=name,
                               render=render_for_annotator, use_analysis=settings.solver_analysis,
                               workers=ctx.config.concurrency)
    elif settings.source == "file":
        if not out.exists():
            write_jsonl(out, file_feedback(settings.path, chosen))
        records = read_jsonl(out, Feedback)
    else:
        records = _human_feedback(ctx, out, request)
    if not records:
        raise ConfigError(f"iteration {index}: no feedback was collected (source {settings.source}); "
                          "see lm_calls.jsonl for the annotator's replies")
    return records


def _human_feedback(ctx: RunContext, out: Path, request: FeedbackRequest) -> list[Feedback]:
    records, _ = read_jsonl_tolerant(out, Feedback)
    missing = set(request.trajectory_ids) - {r.trajectory_id for r in records}
    if missing:
        raise Paused(f"{len(missing)} of {len(request.trajectory_ids)} trajectories need feedback: run "
                     f"`ladder annotate {ctx.run.path}` then `ladder run --resume {ctx.run.path}`")
    return records


def render_for_annotator(trajectory: Trajectory) -> str:
    return render_trajectory(trajectory, token_budget=ANNOTATOR_TOKEN_BUDGET).text
