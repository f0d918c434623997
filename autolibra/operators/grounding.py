"""Feedback grounding: split one feedback into points and tie each to the behaviour it is about."""

from __future__ import annotations

import dspy
from pydantic import BaseModel, Field

from autolibra.errors import InputError
from autolibra.operators.base import (DEFAULT_RETRIES, InvalidReply, OperatorCalls, call_with_retries,
                                      with_instructions)
from autolibra.render import render_trajectory, steps_mentioned
from autolibra.schema import Aspect, Instance

MAX_ASPECTS = 6  # the method reports 1-2 aspects per feedback, rarely more than 5


class AspectDraft(BaseModel):
    behavior: str = Field(description="what the agent concretely did, with step numbers")
    feedback: str = Field(description="the words of the feedback about this behavior")
    is_positive: bool = Field(description="true if the feedback praises it, false if it criticises it")
    steps: list[int] = Field(default_factory=list, description="indices of the steps it is about")


class GroundFeedback(dspy.Signature):
    """A reviewer wrote feedback about an agent's trajectory. Split the feedback into its separate points
    (usually 1-3, at most 5). For each point, find the behavior in the trajectory it is about. Give: behavior
    (what the agent concretely did, citing step numbers like [4]), feedback (the reviewer's words for that
    point), is_positive (true if praised, false if criticised), steps (the step indices it is about).
    Keep each field to one short sentence. Do not add points the feedback does not make."""

    trajectory: str = dspy.InputField(desc="the agent's steps; [i] marks step i")
    feedback: str = dspy.InputField(desc="the reviewer's free-text feedback")
    aspects: list[AspectDraft] = dspy.OutputField()


def check_instance(instance: Instance) -> None:
    """Reject inputs that cannot be grounded, naming the instance (before any LM call is spent)."""
    if not instance.feedback.strip():
        raise InputError(f"instance {instance.id}: feedback is empty; write at least one sentence about it")
    if not instance.trajectory.steps:
        raise InputError(f"instance {instance.id}: trajectory {instance.trajectory.id!r} has no steps")


def ground_feedback(
    instance: Instance,
    lm: dspy.LM,
    *,
    template: str | None = None,
    token_budget: int = 1200,
    retries: int = DEFAULT_RETRIES,
    calls: OperatorCalls | None = None,
) -> list[Aspect]:
    """The aspects of `instance`'s feedback. Raises InputError on an empty feedback or a trajectory without
    steps, and UnparseableReply (with the transcript) when no attempt gives a usable reply."""
    check_instance(instance)
    num_steps = len(instance.trajectory.steps)
    text = render_trajectory(instance.trajectory, token_budget=token_budget,
                             focus_steps=steps_mentioned(instance.feedback, num_steps)).text

    def validate(prediction: dspy.Prediction) -> list[Aspect]:
        aspects = []
        for draft in list(prediction.aspects)[:MAX_ASPECTS]:
            if not draft.behavior.strip():
                continue
            steps = sorted({s for s in draft.steps if 0 <= s < num_steps})
            aspects.append(Aspect(instance_id=instance.id, behavior=draft.behavior.strip(),
                                  feedback=(draft.feedback or instance.feedback).strip(),
                                  is_positive=bool(draft.is_positive), steps=steps))
        if not aspects:
            raise InvalidReply("the reply has no aspect with a behavior")
        return aspects

    return call_with_retries(with_instructions(GroundFeedback, template),
                             {"trajectory": text, "feedback": instance.feedback.strip()}, lm, validate,
                             operator="ground", subject=instance.id, retries=retries, calls=calls)
