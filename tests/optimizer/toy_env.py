"""A tiny deterministic corridor game with BALROG's env face, for testing the agent and the runner.

The player stands in a 1-D corridor; the goal (WIN) is somewhere to the right, a pit (LOSE) at the left
end. Actions: idle, left, right (a Discrete space, as a gymnasium env would have; the runner maps the
action strings to indices). Winning gives BALROG-Baba-style reward 1 - 0.9 t / max_steps and progression 1.
"""

from __future__ import annotations

import string

import gymnasium as gym
from gymnasium import spaces

ACTIONS = ("idle", "left", "right")
TASKS = {"corridor/short": 5, "corridor/long": 9}


class Corridor(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, task: str = "corridor/short", max_steps: int = 20):
        if task not in TASKS:
            raise KeyError(f"unknown task {task!r}; known: {', '.join(TASKS)}")
        self.task, self.length, self.max_steps = task, TASKS[task], max_steps
        text = spaces.Text(max_length=4096, min_length=0, charset=string.printable)
        self.observation_space = spaces.Dict(
            {"text": spaces.Dict({"long_term_context": text, "short_term_context": text})})
        self.action_space = spaces.Discrete(len(ACTIONS))
        self.language_action_space = list(ACTIONS)
        self.default_action = "idle"
        self.position = self.goal = self.t = 0
        self.progression = 0.0

    def get_instruction_prompt(self, instructions=None) -> str:
        lines = ",\n".join(f"{a}: {d}" for a, d in zip(ACTIONS, ("wait", "one step left", "one step right")))
        return f"You walk along a corridor. Reach the goal, avoid the pit. Actions:\n{lines}.\nPLAY!"

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.position = int(self.np_random.integers(1, self.length - 1))
        self.goal = int(self.np_random.integers(self.position + 1, self.length + 1))
        self.t, self.progression = 0, 0.0
        return self._obs(), {}

    def step(self, action):
        name = ACTIONS[int(action)]
        self.t += 1
        self.position += {"idle": 0, "left": -1, "right": 1}[name]
        reward, terminated = 0.0, False
        if self.position == self.goal:
            reward, terminated, self.progression = 1 - 0.9 * self.t / self.max_steps, True, 1.0
        elif self.position <= 0:
            reward, terminated = -1.0, True
        truncated = not terminated and self.t >= self.max_steps
        return self._obs(), reward, terminated, truncated, {}

    def _obs(self) -> dict:
        gap = self.goal - self.position
        where = "here" if gap == 0 else f"{abs(gap)} steps to the {'right' if gap > 0 else 'left'}"
        return {"text": {"long_term_context": f"goal {where}\npit {self.position} steps to the left",
                         "short_term_context": ""}}

    def render_grid_text(self) -> str:
        cells = ["_"] * (self.length + 1)
        cells[0], cells[self.goal], cells[self.position] = "O", "G", "@"
        return "".join(cells)

    def get_stats(self) -> dict:
        return {"progression": self.progression, "goal": self.goal}


def make(task: str, **kwargs) -> Corridor:
    return Corridor(task, **kwargs)


def tasks() -> list[str]:
    return list(TASKS)


def capabilities():
    """The toy offers a grid view, as Baba Is AI does, so rollouts record it."""
    from envs.capabilities import Capabilities

    return Capabilities(grid_view=Corridor.render_grid_text)


def walker(messages: list[dict]) -> str:
    """A fake-LM script that plays well: step toward the goal in the current observation (naive format)."""
    current = messages[-1]["content"].split("Current Observation:", 1)[1]
    return "left" if "to the left\npit" in current else "right"


def register(monkeypatch) -> None:
    """Make `envs.make("toy", ...)` build this env for the duration of a test."""
    import envs.registry

    monkeypatch.setitem(envs.registry.ENV_MODULES, "toy", (__name__, None))
