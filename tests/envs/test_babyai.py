"""BabyAI-Text: BALROG's tasks, text description, determinism and a solved scripted episode."""

from __future__ import annotations

import re
from collections import deque

import pytest

pytest.importorskip("minigrid", reason="BabyAI needs the 'babyai' extra: pip install 'ladder[babyai]'")

from gymnasium.utils.env_checker import check_env  # noqa: E402

import envs  # noqa: E402
from envs.babyai.describe import _offset  # noqa: E402

GOTO = "BabyAI-MixedTrainLocal-v0/goto"
SENTENCE = re.compile(r"^(You carry a \w+ \w+|a wall \d+ steps? (forward|left|right)|"
                      r"a (open |closed |locked )?\w+ \w+ \d+ steps? (forward|left|right)( and \d+ steps? forward)?)$")


def test_tasks_are_balrogs_five():
    assert envs.tasks("babyai") == [f"BabyAI-MixedTrainLocal-v0/{kind}" for kind in
                                    ("goto", "pickup", "open", "putnext", "pick_up_seq_go_to")]


def test_unknown_task_names_the_closest():
    with pytest.raises(envs.UnknownTaskError, match="did you mean 'BabyAI-MixedTrainLocal-v0/goto'"):
        envs.make("babyai", "BabyAI-MixedTrainLocal-v0/gotoo")


@pytest.mark.parametrize("task,max_steps,mission", [
    ("BabyAI-MixedTrainLocal-v0/goto", 64, r"^go to the \w+ \w+$"),
    ("BabyAI-MixedTrainLocal-v0/open", 128, r"^open the (yellow|green|blue|purple) door$"),
    ("BabyAI-MixedTrainLocal-v0/putnext", 128, r"^put the \w+ \w+ next to the \w+ \w+$"),
    ("BabyAI-MixedTrainLocal-v0/pick_up_seq_go_to", 128,
     r"^(pick up the \w+ \w+, then go to the \w+ \w+|go to the \w+ \w+ after you pick up the \w+ \w+)$"),
])
def test_face_and_text(task, max_steps, mission):
    env = envs.make("babyai", task)
    obs, info = env.reset(seed=3)
    assert env.max_steps == max_steps and env.default_action == "go forward"
    assert list(env.language_action_space) == ["turn left", "turn right", "go forward", "pick up", "drop",
                                               "toggle"]
    assert re.match(mission, obs["mission"]) and obs["text"]["short_term_context"] == ""
    lines = obs["text"]["long_term_context"].split("\n")
    assert lines and all(SENTENCE.match(line) for line in lines), lines
    assert info["descriptions"] == lines
    prompt = env.get_instruction_prompt()
    assert f"Your goal is to {obs['mission']}." in prompt and all(a in prompt for a in env.language_action_space)


def test_offsets_read_as_balrog_writes_them():
    assert _offset(3, 2) == "3 steps right and 2 steps forward"
    assert _offset(-1, 0) == "1 step left"
    assert _offset(0, 6) == "6 steps forward"
    assert _offset(-2, 1) == "2 steps left and 1 step forward"


def test_check_env_and_seeded_determinism():
    env = envs.make("babyai", "BabyAI-MixedTrainLocal-v0/putnext")
    check_env(env, skip_render_check=True)
    a, b = envs.make("babyai", GOTO), envs.make("babyai", GOTO)
    assert a.reset(seed=11)[0] == b.reset(seed=11)[0]
    for action in ["turn left", "go forward", "go forward", "turn right", "pick up"]:
        assert a.step(action)[:4] == b.step(action)[:4]
    missions = {a.reset(seed=seed)[0]["mission"] for seed in range(6)}
    assert len(missions) > 1  # the seed really drives the level


def test_invalid_action_falls_back_to_default():
    env = envs.make("babyai", GOTO)
    env.reset(seed=0)
    assert env.check_action_validity("move up") == "go forward"
    assert env.failed_candidates == ["move up"]
    with pytest.raises(ValueError, match="invalid action 'fly'"):
        env.step("fly")


def _plan_to_face(level, goal) -> list[str]:
    """Breadth-first search over (position, direction) for the actions that face cell `goal`."""
    start = (tuple(level.agent_pos), level.agent_dir)
    moves = {0: (1, 0), 1: (0, 1), 2: (-1, 0), 3: (0, -1)}
    parents = {start: None}
    queue = deque([start])
    while queue:
        (x, y), d = state = queue.popleft()
        if (x + moves[d][0], y + moves[d][1]) == goal:
            plan = []
            while parents[state] is not None:
                state, action = parents[state]
                plan.append(action)
            return plan[::-1]
        ahead = (x + moves[d][0], y + moves[d][1])
        cell = level.grid.get(*ahead)
        successors = [(((x, y), (d - 1) % 4), "turn left"), (((x, y), (d + 1) % 4), "turn right")]
        if cell is None:
            successors.append(((ahead, d), "go forward"))
        for nxt, action in successors:
            if nxt not in parents:
                parents[nxt] = (state, action)
                queue.append(nxt)
    raise AssertionError("no path")


def test_scripted_goto_episode_reaches_progression_one():
    env = envs.make("babyai", GOTO)
    env.reset(seed=5)
    target = env._level.instrs.desc.obj_set[0]
    terminated, reward = False, 0.0
    for action in _plan_to_face(env._level, tuple(target.cur_pos)):
        _, reward, terminated, truncated, _ = env.step(action)
        assert not truncated
    assert terminated and 0 < reward <= 1
    assert env.get_stats() == {"mission": env.mission, "progression": 1.0}
