"""The BALROG-compatible face shared by the non-Baba envs (BabyAI, Crafter, TextWorld, MiniHack).

`TextGameEnv` is a gymnasium `Env` whose actions are strings and whose observations are
``{"text": {"long_term_context": str, "short_term_context": str}}``. Subclasses only say how to reset and
step their game; the face (action validity, step cap, progression, failed candidates) lives here once.
`to_env_action` is the one mapping of an invalid action to the default action, for every env.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import gymnasium
from gymnasium import spaces

# Observations of TextWorld and MiniHack easily pass gymnasium's default limit of 1000 characters.
MAX_TEXT = 1 << 16
PRINTABLE = frozenset(string.printable)


def text_space(max_length: int = MAX_TEXT) -> spaces.Text:
    # The default charset has no space or newline, so any sentence would fall outside it.
    return spaces.Text(max_length=max_length, min_length=0, charset=string.printable)


def observation_space(*extra_keys: str) -> spaces.Dict:
    text = spaces.Dict({"long_term_context": text_space(), "short_term_context": text_space()})
    return spaces.Dict({"text": text, **{key: text_space() for key in extra_keys}})


def printable(text: str) -> str:
    """`text` folded to `string.printable` so it always lies in the observation space.

    Game text is mostly ASCII already; accents are folded (café -> cafe) and anything else is dropped.
    """
    if all(c in PRINTABLE for c in text):
        return text[:MAX_TEXT]
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if c in PRINTABLE)[:MAX_TEXT]


class LanguageActions(spaces.Space[str]):
    """A finite set of action strings, usable as a gymnasium space (so `check_env` can sample it)."""

    def __init__(self, names: Sequence[str], seed: int | None = None):
        self.names = tuple(names)
        if len(set(self.names)) != len(self.names) or not self.names:
            raise ValueError(f"action names must be unique and non-empty, got {self.names}")
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def sample(self, mask: Any | None = None, probability: Any | None = None) -> str:
        return self.names[int(self.np_random.integers(len(self.names)))]

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and x in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index: int) -> str:
        return self.names[index]

    def index(self, name: str) -> int:
        return self.names.index(name)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, LanguageActions) and other.names == self.names

    def __repr__(self) -> str:
        return f"LanguageActions({list(self.names)})"


class FreeTextActions(spaces.Text):
    """Free-text commands (TextWorld): every string is an action.

    Iterating gives a few example commands, so a prompt can still list something.
    """

    def __init__(self, examples: Iterable[str], max_length: int = 200, seed: int | None = None):
        self.examples = tuple(examples)
        # Letters and spaces only: random samples then look like (mostly unknown) words to the parser.
        super().__init__(max_length=max_length, min_length=1, charset=string.ascii_lowercase + " ",
                         seed=seed)

    def contains(self, x: Any) -> bool:
        # As in BALROG, any string is a command (the game itself answers nonsense); only absurd lengths
        # fall back to the default action.
        return isinstance(x, str) and len(x) <= self.max_length

    def __iter__(self) -> Iterator[str]:
        return iter(self.examples)

    def __len__(self) -> int:
        return len(self.examples)


class TextGameEnv(gymnasium.Env):
    """Base of the text envs. Subclasses implement `_reset_game`, `_step_game`, `get_instruction_prompt`
    and may extend `get_stats`; they set `progression` as their BALROG counterpart does."""

    metadata = {"render_modes": []}
    env_name = "?"

    def __init__(self, task: str, actions: LanguageActions | FreeTextActions, default_action: str,
                 max_steps: int, extra_obs_keys: Sequence[str] = ()):
        if max_steps is None or int(max_steps) <= 0:
            raise ValueError(f"expected max_steps > 0, got {max_steps!r}")
        self.task = task
        self.action_space = actions
        self.language_action_space = actions
        self.default_action = default_action
        self.max_steps = int(max_steps)
        self.observation_space = observation_space(*extra_obs_keys)
        self.failed_candidates: list[str] = []
        self.progression = 0.0
        self.num_steps = 0

    # -- what a game implements ---------------------------------------------------------------
    def _reset_game(self, seed: int) -> tuple[dict[str, str], dict]:
        """Start a new episode from `seed`; return (observation fields, info)."""
        raise NotImplementedError

    def _step_game(self, action: str) -> tuple[dict[str, str], float, bool, bool, dict]:
        """Apply a valid action; return (observation fields, reward, terminated, truncated, info)."""
        raise NotImplementedError

    def get_instruction_prompt(self, instructions: str | None = None) -> str:
        raise NotImplementedError

    # -- the face -------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.failed_candidates = []
        self.progression = 0.0
        self.num_steps = 0
        # The game gets a child seed drawn from self.np_random, so reset(seed=s) fixes the whole episode
        # and reset() without a seed continues the stream instead of repeating the last episode.
        fields, info = self._reset_game(int(self.np_random.integers(2**31 - 1)))
        return self._observation(fields), info

    def step(self, action: str):
        if action not in self.language_action_space:
            raise ValueError(f"invalid action {action!r} for {self.env_name}; use check_action_validity() "
                             f"first (valid: {', '.join(list(self.language_action_space)[:40])})")
        fields, reward, terminated, truncated, info = self._step_game(action)
        self.num_steps += 1
        if not terminated and self.num_steps >= self.max_steps:
            truncated = True
        return self._observation(fields), float(reward), bool(terminated), bool(truncated), info

    def check_action_validity(self, candidate: str) -> str:
        """The candidate if it is an action, else the default action (remembering the candidate)."""
        return check_action_validity(self, candidate)

    def get_stats(self) -> dict:
        return {"progression": float(self.progression)}

    def _observation(self, fields: dict[str, str]) -> dict:
        text = {"long_term_context": printable(fields.get("long_term_context", "")),
                "short_term_context": printable(fields.get("short_term_context", ""))}
        extra = {key: printable(value) for key, value in fields.items() if key not in text}
        return {"text": text, **extra}


def to_env_action(env: Any, text: Any) -> tuple[str, bool]:
    """The action `text` names in `env`, or the env's default action when it names none: (action, valid).

    The one place where an invalid action becomes the default action, as BALROG plays it (its
    `check_action_validity`); every env of ours and the optimizer's rollouts go through it.
    """
    if isinstance(text, str) and text in env.language_action_space:
        return text, True
    return env.default_action, False


def check_action_validity(env: Any, candidate: Any) -> str:
    """BALROG's `env.check_action_validity`: `to_env_action`, remembering an invalid candidate in
    `env.failed_candidates`."""
    action, valid = to_env_action(env, candidate)
    if not valid:
        env.failed_candidates.append(candidate)
    return action


def plural(n: int, unit: str = "step") -> str:
    """'1 step', '3 steps' (used by the BabyAI and Crafter descriptions)."""
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def action_lines(descriptions: dict[str, str]) -> str:
    return "\n".join(f"- {name}: {text}" for name, text in descriptions.items())
