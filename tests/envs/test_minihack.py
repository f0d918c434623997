"""MiniHack: BALROG's offline tasks and action names, text layout, determinism, a scripted episode."""

from __future__ import annotations

import pytest

pytest.importorskip("minihack", reason="MiniHack needs the 'minihack' extra: pip install 'ladder[minihack]'")

from gymnasium.utils.env_checker import check_env  # noqa: E402

import envs  # noqa: E402
from envs.minihack.language import direction, distance_word  # noqa: E402

QUEST = "MiniHack-Quest-Easy-v0"


def test_tasks_leave_out_boxoban_with_a_reason():
    assert envs.tasks("minihack") == ["MiniHack-MazeWalk-9x9-v0", "MiniHack-MazeWalk-15x15-v0",
                                      "MiniHack-Corridor-R3-v0", "MiniHack-CorridorBattle-Dark-v0",
                                      "MiniHack-Quest-Easy-v0", "MiniHack-Quest-Medium-v0"]
    with pytest.raises(envs.UnknownTaskError, match="download"):
        envs.make("minihack", "MiniHack-Boxoban-Hard-v0")


def test_action_names_follow_the_task_action_set():
    maze = envs.make("minihack", "MiniHack-MazeWalk-9x9-v0")
    assert list(maze.language_action_space) == ["north", "east", "south", "west", "northeast", "southeast",
                                                "southwest", "northwest"]
    corridor = envs.make("minihack", "MiniHack-Corridor-R3-v0")
    assert {"open", "kick", "search"} <= set(corridor.language_action_space)
    quest = envs.make("minihack", QUEST)
    assert {"far east", "down", "zap", "pray"} <= set(quest.language_action_space) and maze.default_action == "north"


def test_text_layout_and_prompt():
    env = envs.make("minihack", QUEST)
    obs, _ = env.reset(seed=1)
    long_term = obs["text"]["long_term_context"]
    assert long_term.startswith("message:\n") and "\n\nlanguage observation:\n" in long_term
    assert "\n\ncursor:\nyourself\n(x=" in long_term and "\n\nmap:\n" in long_term and "@" in long_term
    assert obs["text"]["short_term_context"].startswith("inventory:\na: ")
    assert "staircase down" in env.get_instruction_prompt() and "far east" in env.get_instruction_prompt()


def test_language_helpers():
    assert direction(1, 0) == "east" and direction(0, -3) == "north" and direction(-2, 1) == "westsouthwest"
    assert [distance_word(n) for n in (1, 2, 3, 6, 12)] == ["adjacent", "very near", "near", "far", "very far"]


def test_check_env_and_determinism():
    env = envs.make("minihack", QUEST)
    check_env(env, skip_render_check=True)
    other = envs.make("minihack", QUEST)
    assert env.reset(seed=9)[0] == other.reset(seed=9)[0]
    for action in ["east", "east", "far east", "search", "south"]:
        assert env.step(action)[:4] == other.step(action)[:4]


def test_scripted_episode_is_truncated_at_max_steps():
    env = envs.make("minihack", "MiniHack-Corridor-R3-v0", max_steps=6)
    env.reset(seed=0)
    outcomes = [env.step(action)[2:4] for action in ["search", "north", "east", "south", "west", "search"]]
    assert outcomes[:-1] == [(False, False)] * 5 and outcomes[-1] == (False, True)
    assert env.get_stats() == {"progression": 0.0}
