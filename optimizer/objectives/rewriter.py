"""The prompt rewriter that the `metrics` and `success` objectives share: a DSPy module that writes the
agent's next instructions.

It edits prompt *text* only; nothing the model writes is ever executed. A rewrite that is empty, too
long, or that tries to define its own output format (the agent's format contract is appended by the
agent, not by the prompt) is rejected and retried with the reason, up to `retries` times; after that the
current instructions are kept and the rejection is recorded.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field

import dspy

log = logging.getLogger(__name__)

METRIC_REWRITER_INSTRUCTIONS = """\
You improve the instructions (the system prompt) of an AI agent that plays a text game. You are given the \
current instructions, the definitions of the evaluation metrics the agent is judged on, and a digest of the \
judge's verdicts on recent episodes (pass/fail rates per metric, the worst failures with the judge's \
reasoning and short excerpts, a few good episodes). Write new instructions that fix the failing behaviours \
and keep what works, so that the agent scores higher on these metrics. Give concrete, general guidance \
(procedures, checks, worked examples of reading an observation) that applies to any level, not to one \
level. Keep it concise. Do not describe an output format: the agent's reply format is fixed elsewhere. \
Return only the new instructions."""

SUCCESS_REWRITER_INSTRUCTIONS = """\
You improve the instructions (the system prompt) of an AI agent that plays a text game. You are given the \
current instructions and the results of recent episodes (success or failure per episode, with short \
excerpts). Write new instructions that make the agent succeed more often. Give concrete, general guidance \
that applies to any level, not to one level. Keep it concise. Do not describe an output format: the \
agent's reply format is fixed elsewhere. Return only the new instructions."""


class RewriteInstructions(dspy.Signature):
    __doc__ = METRIC_REWRITER_INSTRUCTIONS

    current_instructions: str = dspy.InputField()
    metric_definitions: str = dspy.InputField(desc="what the agent is evaluated on")
    evidence: str = dspy.InputField(desc="how the current instructions did")
    new_instructions: str = dspy.OutputField(desc="the complete new instructions, plain text")


# Phrases that would make the prompt define its own reply format, which breaks the agent's parser.
_FORMAT_MARKERS = {
    "naive": [r"<\|ACTION\|>", r"<\|END\|>", r"\bACTION\s*:", r"\bjson\b", r"```"],
    "constrained": [r"<\|ACTION\|>", r"<\|END\|>", r"\bACTION\s*:", r"```"],
    "constrained_action": [r"<\|ACTION\|>", r"<\|END\|>", r"\bACTION\s*:", r"```"],
    "cot": [r"<\|ACTION\|>", r"<\|END\|>", r"```"],
    "robust_cot": [r"\bACTION\s*:", r"```"],
}


# A rewrite this similar to the current instructions (difflib ratio) changes nothing that matters: a small
# rewriter model often echoes its input with one word changed, which wastes a validation round.
NEAR_COPY_RATIO = 0.9


def check_rewrite(text: str, agent_format: str, max_chars: int, current: str | None = None) -> list[str]:
    """Reasons to reject a rewrite; empty when it is acceptable."""
    problems = []
    if not text.strip():
        problems.append("the rewrite is empty")
    elif current is not None and difflib.SequenceMatcher(None, current.strip(), text.strip()).ratio() >= NEAR_COPY_RATIO:
        problems.append("the rewrite is (almost) a copy of the current instructions; change them to address "
                        "the failures in the evidence")
    if len(text) > max_chars:
        problems.append(f"the rewrite has {len(text)} characters; the limit is {max_chars}")
    for pattern in _FORMAT_MARKERS.get(agent_format, []):
        if re.search(pattern, text, flags=re.IGNORECASE):
            problems.append(f"the rewrite defines an output format (matched {pattern!r}); the reply format is fixed")
            break
    return problems


@dataclass
class RewriteResult:
    instructions: str
    accepted: bool  # False when every attempt was rejected and the current instructions were kept
    attempts: int
    rejections: list[str] = field(default_factory=list)


class PromptRewriter(dspy.Module):
    def __init__(self, objective: str = "metrics", instructions: str | None = None):
        super().__init__()
        default = METRIC_REWRITER_INSTRUCTIONS if objective == "metrics" else SUCCESS_REWRITER_INSTRUCTIONS
        self.rewrite = dspy.Predict(RewriteInstructions.with_instructions(instructions or default))

    def forward(self, current_instructions: str, metric_definitions: str, evidence: str):
        return self.rewrite(current_instructions=current_instructions, metric_definitions=metric_definitions,
                            evidence=evidence)


def rewrite_prompt(current: str, metric_definitions: str, evidence: str, lm: dspy.LM, *, objective: str,
                   agent_format: str, max_chars: int = 4000, retries: int = 2,
                   instructions: str | None = None) -> RewriteResult:
    rewriter = PromptRewriter(objective, instructions)
    rejections: list[str] = []
    for attempt in range(1, retries + 2):
        note = ""
        if rejections:
            note = "\n\nYour previous rewrite was rejected: " + rejections[-1] + ". Fix that."
        try:
            with dspy.context(lm=lm, adapter=dspy.JSONAdapter()):
                reply = rewriter(current_instructions=current, metric_definitions=metric_definitions,
                                 evidence=evidence + note)
            text = _clean(reply.new_instructions or "")
        except Exception as error:  # an unparseable reply counts as a rejected attempt
            rejections.append(f"unusable reply ({type(error).__name__}: {str(error)[:200]})")
            continue
        problems = check_rewrite(text, agent_format, max_chars, current)
        if not problems:
            return RewriteResult(text, True, attempt, rejections)
        rejections.append("; ".join(problems))
        log.info("rewrite attempt %d rejected: %s", attempt, rejections[-1])
    return RewriteResult(current, False, retries + 1, rejections)


def _clean(text: str) -> str:
    """Strip wrappers small models like to add (quotes, a heading line) without touching the content."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return re.sub(r"^(new instructions|instructions)\s*:\s*", "", text, flags=re.IGNORECASE).strip()


def metric_definitions_text(metrics) -> str:
    """Metric definitions as the rewriter reads them (name, definition, a few examples)."""
    if metrics is None or not metrics.metrics:
        return "none"
    blocks = []
    for m in metrics.metrics:
        good = "; ".join(m.good_behaviors[:2]) or "-"
        bad = "; ".join(m.bad_behaviors[:2]) or "-"
        blocks.append(f"- {m.name}: {m.explanation}\n  good: {good}\n  bad: {bad}")
    return "\n".join(blocks)
