"""The game agent: a DSPy program whose instructions are the prompt the optimizer rewrites.

`GameAgent` holds one `dspy.Predict` over `GameStep`; the Signature's `instructions` are the optimizable
prompt text (`agent.instructions` get/set; DSPy optimizers that walk `named_predictors()` see the same
text). The agent is stateless across calls: the episode's history is an input, so one agent can serve
many concurrent episodes. Messages are laid out BALROG-style by `optimizer.prompting.BalrogAdapter`
(see docs/agent.md for why an adapter rather than DSPy's own format).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from dataclasses import dataclass
from typing import Literal

import dspy
from pydantic import BaseModel, ConfigDict, Field

import envs
from optimizer.prompting import CONSTRAINED_FORMATS, BalrogAdapter, Format

DEFAULT_INSTRUCTIONS = ("You are an agent playing a text game. Read the rules and where each object is "
                        "relative to you, work out which object wins, and choose the action that brings you "
                        "closer to winning.")


class AgentConfig(BaseModel):
    """How the agent talks to the model; the instructions themselves are the agent's state."""

    model_config = ConfigDict(extra="forbid")

    format: Format = "constrained"
    history: int = Field(default=16, ge=0)  # past observation/action turns shown (BALROG max_text_history)
    max_tokens: int = Field(default=256, gt=0)
    temperature: float = Field(default=0.0, ge=0.0)


class GameStep(dspy.Signature):
    """You are an agent playing a text game. Choose the next action."""

    instruction_prompt: str = dspy.InputField(desc="the game's own instructions: rules and actions")
    history: list[dict] = dspy.InputField(desc="earlier observations and actions, oldest first")
    observation: str = dspy.InputField(desc="the current observation")
    short_term_context: str = dspy.InputField(desc="transient context shown with the current observation")
    reasoning: str | None = dspy.OutputField(desc="the model's reasoning, when the format asks for it")
    action: str = dspy.OutputField(desc="the action to take")
    raw_output: str = dspy.OutputField(desc="the model's raw completion")


@dataclass(frozen=True)
class Decision:
    action: str  # parsed, possibly illegal
    reasoning: str | None
    raw_output: str


def prompt_id_of(instructions: str) -> str:
    """A short, stable id for a prompt text (10 hex digits of its SHA-256)."""
    return hashlib.sha256(instructions.encode("utf-8")).hexdigest()[:10]


@lru_cache(maxsize=64)
def constrained_signature(signature: type[dspy.Signature], actions: tuple[str, ...]) -> type[dspy.Signature]:
    """`signature` with `action` typed Literal[actions]: the legal set is per env, and the adapter derives the
    JSON schema from this type. Cached because building a Signature class costs tens of milliseconds."""
    return signature.with_updated_fields("action", type_=Literal[actions])


class GameAgent(dspy.Module):
    def __init__(self, instructions: str = DEFAULT_INSTRUCTIONS, config: AgentConfig | None = None):
        super().__init__()
        self.config = config or AgentConfig()
        self.adapter = BalrogAdapter(self.config.format, self.config.history)
        self.step = dspy.Predict(GameStep)
        self.instructions = instructions

    @property
    def instructions(self) -> str:
        return self.step.signature.instructions

    @instructions.setter
    def instructions(self, text: str) -> None:
        # DSPy replaces empty instructions with a generic sentence; refuse rather than run on that.
        if not isinstance(text, str) or not text.strip():
            raise ValueError("agent instructions must be a non-empty string")
        self.step.signature = self.step.signature.with_instructions(text)

    @property
    def prompt_id(self) -> str:
        return prompt_id_of(self.instructions)

    def forward(self, *, instruction_prompt: str, history: list[dict], observation: str,
                actions: list[str], short_term_context: str = "") -> Decision:
        """One decision. The LM comes from the caller's `dspy.context(lm=...)`."""
        signature = self._signature(tuple(actions))
        lm_config = {"max_tokens": self.config.max_tokens, "temperature": self.config.temperature}
        try:
            with dspy.context(adapter=self.adapter):
                prediction = self.step(signature=signature, config=lm_config, instruction_prompt=instruction_prompt,
                                       history=history, observation=observation,
                                       short_term_context=short_term_context)
        except dspy.AdapterParseError:
            # Our adapter parses any text, so DSPy raises only for an empty completion, which BALROG treats
            # as an (invalid) empty action, not a crash.
            return Decision(action="", reasoning=None, raw_output="")
        return Decision(action=prediction.action or "", reasoning=prediction.reasoning,
                        raw_output=prediction.raw_output or "")

    def _signature(self, actions: tuple[str, ...]) -> type[dspy.Signature]:
        signature = self.step.signature
        return constrained_signature(signature, actions) if self.config.format in CONSTRAINED_FORMATS else signature

    def act(self, lm: dspy.LM, **inputs) -> Decision:
        """`forward` with the LM set at this call site."""
        with dspy.context(lm=lm):
            return self(**inputs)

    def for_episode(self, env, env_name: str) -> "GameAgent":
        """What plays one episode of `env`: the agent itself (it keeps no per-episode state)."""
        return self

    def episode_notes(self) -> dict:
        """Extra trajectory metadata from the player: none for a prompted model."""
        return {}


class OracleAgent:
    """Takes the LLM agent's place in rollouts and plays perfectly, where the env offers an oracle
    capability (Baba Is AI: every move is the next move of the solver's shortest plan). Its trajectories are
    the reference an agent's are measured against (same tasks, seeds and records). It calls no model."""

    prompt_id = "oracle"

    def __init__(self):
        self.config = AgentConfig()   # recorded with each trajectory; the oracle reads no prompt

    def for_episode(self, env, env_name: str) -> "_OracleEpisode":
        make_oracle = envs.capabilities(env_name).oracle
        if make_oracle is None:
            raise ValueError(f"env {env_name!r} offers no oracle player")
        return _OracleEpisode(make_oracle(env))


class _OracleEpisode:
    def __init__(self, oracle):
        self.oracle = oracle

    def act(self, lm, **inputs) -> Decision:
        action = self.oracle.next_action()
        return Decision(action=action, reasoning=None, raw_output=action)

    def episode_notes(self) -> dict:
        """Recorded with the trajectory: what the oracle says of its own play (e.g. plans proven shortest)."""
        return dict(self.oracle.notes())
