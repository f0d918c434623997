"""The gymnasium env and its BALROG face (spec A.9, B.0), including the worked examples of A.9.5."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import envs
from envs.babaisai import BabaIsAIEnv
from envs.registry import UnknownTaskError

EXAMPLE_1 = """Active rules:
door is win
baba is you

Objects on the map:
rule `door` 2 step to the left and 2 step up
rule `is` 1 step to the left and 2 step up
rule `win` 2 step up
door 2 step to the left
rule `baba` 2 step to the left and 3 steps down
rule `is` 1 step to the left and 3 steps down
rule `you` 3 steps down"""

EXAMPLE_2 = """Active rules:
wall is stop
baba is you

Objects on the map:
wall 4 steps to the right and 2 step up
rule `is` 8 steps to the right and 2 step up
rule `win` 9 steps to the right and 2 step up
rule `wall` 1 step to the left and 1 step up
rule `is` 1 step up
rule `stop` 1 step to the right and 1 step up
wall 4 steps to the right and 1 step up
ball 8 steps to the right and 1 step up
wall 4 steps to the right
wall 4 steps to the right and 1 step down
rule `ball` 5 steps to the right and 1 step down
wall 4 steps to the right and 2 steps down
wall 4 steps to the right and 3 steps down
rule `baba` 1 step to the left and 4 steps down
rule `is` 4 steps down
rule `you` 1 step to the right and 4 steps down
wall 4 steps to the right and 4 steps down"""

EXAMPLE_3 = """Active rules:
wall is stop
door is win
key is you

Objects on the map:
rule `wall` 6 step to the left and 3 step up
rule `is` 5 step to the left and 3 step up
rule `stop` 4 step to the left and 3 step up
wall 1 step to the left and 3 step up
rule `door` 2 steps to the right and 3 step up
rule `is` 3 steps to the right and 3 step up
rule `win` 4 steps to the right and 3 step up
wall 1 step to the left and 2 step up
door 2 step up
wall 1 step to the left and 1 step up
wall 1 step to the left

wall 1 step to the left and 1 step down
rule `key` 6 step to the left and 2 steps down
rule `is` 5 step to the left and 2 steps down
rule `you` 4 step to the left and 2 steps down
wall 1 step to the left and 2 steps down
rule `baba` 6 step to the left and 3 steps down
wall 1 step to the left and 3 steps down"""


def text(obs) -> str:
    return obs["text"]["long_term_context"]


def test_example_1_goto_win_seed_0():
    env = envs.make("babaisai", "env/goto_win")
    obs, info = env.reset(seed=0)
    assert text(obs) == EXAMPLE_1 and obs["text"]["short_term_context"] == ""
    env.step("left")
    obs, reward, terminated, truncated, _ = env.step("left")
    assert (round(reward, 3), terminated, truncated) == (0.982, True, False)
    assert env.get_stats() == {"target_plan": "goto[door]", "progression": 1.0}
    objects = text(obs).split("Objects on the map:\n")[1].splitlines()
    assert not any(line.startswith("door") for line in objects)    # the baba stands on the door


def test_example_2_break_stop_make_win_seed_5():
    env = envs.make("babaisai", "env/two_room-break_stop-make_win")
    obs, _ = env.reset(seed=5)
    assert text(obs) == EXAMPLE_2
    obs, *_ = env.step("up")
    rules, objects = text(obs).split("\n\nObjects on the map:\n")
    assert rules == "Active rules:\nbaba is you"
    assert objects.splitlines()[:2] == ["rule `is` 1 step up", "wall 4 steps to the right and 1 step up"]


def test_example_3_make_you_seed_0_then_win_at_step_11():
    env = envs.make("babaisai", "env/two_room-make_you")
    env.reset(seed=0)
    for action in "up right right down left left up left down".split():
        obs, *_ = env.step(action)
    assert text(obs) == EXAMPLE_3
    env.step("up")
    _, reward, terminated, _, _ = env.step("up")
    assert terminated and round(reward, 3) == 0.901 and env.get_stats()["progression"] == 1.0


def test_example_4_breaking_the_last_you_resets_the_level_with_a_plain_notice():
    env = envs.make("babaisai", "env/two_room-make_you")
    env.reset(seed=0)
    env.step("left")
    obs, reward, terminated, truncated, info = env.step("down")
    assert info.get("level_reset") and not terminated and not truncated and reward == 0.0
    body = text(obs)
    assert body.startswith("[...] IS YOU rule was broken, environment reset.")
    assert "defaultdict" not in body and "<" not in body
    new_level = body.split("\n\n", 1)[1]
    assert new_level.startswith("Active rules:\n") and "baba is you" in new_level
    assert env.get_stats()["progression"] == 0.0
    env.step("idle")      # the episode goes on in the new level


def test_balrog_face():
    env = envs.make("babaisai", "env/goto_win", add_ruleset=True)
    env.reset(seed=1)
    assert env.language_action_space == ["idle", "up", "right", "down", "left"]
    assert env.default_action == "idle" and env.max_steps == 100
    assert env.check_action_validity("left") == "left"
    assert env.check_action_validity("Left") == "idle" and env.failed_candidates == ["Left"]
    prompt = env.get_instruction_prompt()
    assert "idle: wait for one step,\nup: take one step up," in prompt
    assert "left: take one step to the left." in prompt and "BABA IS YOU" in prompt
    assert prompt.rstrip().endswith("PLAY!")
    with pytest.raises(ValueError, match="unknown action"):
        env.step("jump")


def test_step_limit_truncates_and_counts_as_no_progress():
    env = envs.make("babaisai", "env/goto_win", max_steps=3)
    env.reset(seed=0)
    results = [env.step("idle") for _ in range(3)]
    assert [r[3] for r in results] == [False, False, True] and not any(r[2] for r in results)
    assert env.get_stats()["progression"] == 0.0


@pytest.mark.parametrize("task", ["env/goto_win", "env/two_room-make_you", "env/you_win",
                                  "env/make_win-distr_obj#only_ball_win"])
def test_check_env(task):
    check_env(envs.make("babaisai", task), skip_render_check=True)


def test_check_env_with_images():
    env = envs.make("babaisai", "env/two_room-goto_win", render_mode="rgb_array")
    check_env(env)
    obs, _ = env.reset(seed=0)
    assert obs["image"].shape == (288, 416, 3) and obs["image"].dtype == np.uint8
    assert "image" not in envs.make("babaisai", "env/goto_win").reset(seed=0)[0]


def test_unknown_task_names_the_closest_ids():
    with pytest.raises(UnknownTaskError, match="env/goto_win"):
        envs.make("babaisai", "env/goto_wim")
    with pytest.raises(ValueError):
        BabaIsAIEnv("env/goto_win", max_steps=0)


def test_grid_text_has_one_line_per_row_and_a_legend():
    env = envs.make("babaisai", "env/goto_win")
    env.reset(seed=0)
    lines = env.render_grid_text().splitlines()
    assert len(lines) == 9 and lines[3].split() == ["#", "bdoor", ".", "wbaba", ".", ".", ".", "#"]
    assert lines[-1].startswith("legend:")
