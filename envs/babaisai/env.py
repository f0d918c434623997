"""The gymnasium env with BALROG's face (spec A.9, B.0): text observations, language actions, stats."""

from __future__ import annotations

import string

import gymnasium as gym
import numpy as np

from envs._face import check_action_validity
from envs.babaisai import levels
from envs.babaisai import vocab as v
from envs.babaisai.engine import Engine
from envs.babaisai.text import observation_text, render_grid_text
from envs.errors import UnknownTaskError, closest

ACTIONS = list(v.ACTIONS)
ACTION_INDEX = {name: i for i, name in enumerate(ACTIONS)}
DESCRIPTIONS = {"idle": "wait for one step", "up": "take one step up", "right": "take one step to the right",
                "down": "take one step down", "left": "take one step to the left"}
# BALROG resets the level when no YOU object is left and shows a Python repr as the "objects"; we reset
# the same way but say so plainly (docs/babaisai.md), keeping BALROG's opening words.
RESET_NOTICE = ("[...] IS YOU rule was broken, environment reset. Nothing was YOU any more, so a new level "
                "has started (the episode goes on).\n\n")
MAX_TEXT = 8192

INSTRUCTIONS = """\
Baba Is You is a puzzle game in which you can rewrite the rules of each level. Here are the actions you \
can take, each with what it does:
{actions}.

Tips:
- Start by studying the level: every object and every text block on the map.
- Find the rules in force. A rule reads [Subject] IS [Property], for example BABA IS YOU.
- Moving text blocks makes and breaks rules.
- Only things that are not STOP (or held in place in some similar way) can be moved.
- The goal is usually to reach the object that is WIN, but the rules can change what that is.
- Think creatively about how a changed rule would change the way things behave.
- When you are stuck, try breaking a rule that is in your way or forming a new one.
- Sometimes the answer is to become a different object, or to change what counts as winning.

PLAY!"""


def check_task(task: str) -> None:
    if task not in levels.GENERATORS:
        hint = closest(task, levels.ALL_IDS)
        raise UnknownTaskError(f"unknown babaisai task {task!r}" +
                               (f"; closest ids: {', '.join(hint)}" if hint else "") +
                               f" ({len(levels.ALL_IDS)} ids; the 40 BALROG ones: envs.tasks('babaisai'))")


class BabaIsAIEnv(gym.Env):
    metadata = {"render_modes": ["rgb_array"], "render_fps": 4}

    def __init__(self, task: str = "env/goto_win", max_steps: int = 100, render_mode: str | None = None,
                 add_ruleset: bool = True):
        # add_ruleset is accepted because BALROG passes it; the rules block is always shown, as in BALROG.
        check_task(task)
        if not isinstance(max_steps, int) or max_steps < 1:
            raise ValueError(f"max_steps must be a positive int, got {max_steps!r}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"render_mode must be None or 'rgb_array', got {render_mode!r}")
        self.task, self.max_steps, self.render_mode = task, max_steps, render_mode
        self.language_action_space = list(ACTIONS)
        self.default_action = "idle"
        self.failed_candidates: list[str] = []
        self.action_space = gym.spaces.Discrete(len(ACTIONS))
        text = gym.spaces.Text(max_length=MAX_TEXT, min_length=0, charset=string.printable)
        spaces = {"text": gym.spaces.Dict({"long_term_context": text, "short_term_context": text})}
        if render_mode == "rgb_array":
            w, h = (13, 9) if "two_room" in task else (6, 6) if "you_win" in task else (8, 8)
            spaces["image"] = gym.spaces.Box(0, 255, (h * 32, w * 32, 3), dtype=np.uint8)
        self.observation_space = gym.spaces.Dict(spaces)
        self._level_rng: np.random.RandomState | None = None
        self.engine: Engine | None = None
        self.plan, self.progression, self.episode_steps = "", 0.0, 0
        self._last_key: tuple | None = None
        self._last_text = ""

    # -- gymnasium API ---------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        if seed is not None:
            # Same generator and call order as BALROG's `np.random.seed(seed)` + reset: exact layouts.
            self._level_rng = np.random.RandomState(seed)
        elif self._level_rng is None:
            self._level_rng = np.random.RandomState(int(self.np_random.integers(2**32)))
        self._new_level()
        self.episode_steps = 0
        self.failed_candidates = []
        text = observation_text(self.engine)
        if text is None:   # never for a registered level, but keep the invariant "there is a YOU"
            text = self._reset_level_text()
        self._last_key, self._last_text = self.engine.key(), text
        return self._obs(text), {}

    def step(self, action):
        if self.engine is None:
            raise RuntimeError("call reset() before step()")
        index = self._action_index(action)
        outcome = self.engine.step(index)
        self.episode_steps += 1
        if outcome.done:
            self.progression = 1.0 if outcome.reward > 0 else 0.0
        info: dict = {}
        key = self.engine.key()
        if key == self._last_key:   # nothing moved (a bump or idle): same text, no rebuild
            text = self._last_text
        else:
            text = observation_text(self.engine)
        if text is None:
            text = self._reset_level_text()
            info["level_reset"] = True
        self._last_key, self._last_text = self.engine.key(), text
        terminated = outcome.won or outcome.lost
        # The game's own counter restarts after a mid-episode level reset; the episode still ends after
        # max_steps actions in total, as BALROG's loop does.
        truncated = not terminated and (outcome.done or self.episode_steps >= self.max_steps)
        return self._obs(text), outcome.reward, terminated, truncated, info

    def render(self):
        if self.render_mode == "rgb_array" and self.engine is not None:
            from envs.babaisai.render import render_rgb  # only rgb_array mode pays for drawing
            return render_rgb(self.engine)
        return None

    # -- BALROG face -----------------------------------------------------------------------------
    def get_stats(self) -> dict:
        return {"target_plan": self.plan, "progression": self.progression}

    def get_instruction_prompt(self, instructions=None) -> str:
        actions = ",\n".join(f"{name}: {DESCRIPTIONS[name]}" for name in ACTIONS)
        return INSTRUCTIONS.format(actions=actions)

    def check_action_validity(self, candidate) -> str:
        return check_action_validity(self, candidate)

    def render_grid_text(self) -> str:
        return render_grid_text(self.engine)

    # -- internals -------------------------------------------------------------------------------
    def _new_level(self) -> None:
        layout = levels.generate(self.task, self._level_rng)
        self.engine = Engine(layout.width, layout.height, layout.cells, max_steps=self.max_steps)
        self.plan, self.progression = layout.plan, 0.0

    def _reset_level_text(self) -> str:
        self._new_level()
        text = observation_text(self.engine)
        if text is None:
            raise RuntimeError(f"level {self.task} was generated without a YOU object")
        return RESET_NOTICE + text

    def _obs(self, text: str) -> dict:
        obs = {"text": {"long_term_context": text, "short_term_context": ""}}
        if self.render_mode == "rgb_array":
            obs["image"] = self.render()
        return obs

    @staticmethod
    def _action_index(action) -> int:
        if isinstance(action, str):
            if action not in ACTION_INDEX:
                raise ValueError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
            return ACTION_INDEX[action]
        index = int(action)
        if not 0 <= index < len(ACTIONS):
            raise ValueError(f"action index must be 0..{len(ACTIONS) - 1}, got {action!r}")
        return index


def make(task: str, **kwargs) -> BabaIsAIEnv:
    return BabaIsAIEnv(task, **kwargs)


def tasks() -> list[str]:
    return list(levels.BALROG_TASKS)
