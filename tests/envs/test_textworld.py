"""TextWorld: offline generation with fixed seeds, BALROG's observation cut and scoring, scripted wins.

The tests use QUICK_GENERATION (small games of the same three kinds, seconds to generate, cached in the
user cache dir); BALROG-sized games take minutes each and are exercised by the benchmark only.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("textworld", reason="TextWorld needs the 'textworld' extra: pip install 'ladder[textworld]'")

import textworld  # noqa: E402
from gymnasium.utils.env_checker import check_env  # noqa: E402

import envs  # noqa: E402
from envs.textworld import QUICK_GENERATION, game_path, strip_objective  # noqa: E402


def make(task: str, **kwargs):
    return envs.make("textworld", task, generation=QUICK_GENERATION[task], **kwargs)


def walkthrough(task: str) -> list[str]:
    path = game_path(task, 0, QUICK_GENERATION[task])
    return list(textworld.Game.load(str(path.with_suffix(".json"))).walkthrough)


def test_tasks_and_face():
    assert envs.tasks("textworld") == ["treasure_hunter", "the_cooking_game", "coin_collector"]
    env = make("coin_collector", game=0)
    obs, info = env.reset(seed=0)
    assert env.max_steps == 80 and env.default_action == "help"
    assert "anything at all" in env.language_action_space and env.check_action_validity("") == ""
    assert obs["text"]["short_term_context"] == "" and obs["text"]["long_term_context"].startswith("-= ")
    assert env.objective and env.objective not in obs["text"]["long_term_context"]
    assert env.objective in env.get_instruction_prompt() and "go north" in env.get_instruction_prompt()


def test_strip_objective_cuts_through_the_last_occurrence_and_the_prompt():
    assert strip_objective("banner GOAL text GOAL\n\n-= Room =-\nA room.\n\n>  -= Room =-0/1", "GOAL") == \
        "-= Room =-\nA room."
    assert strip_objective("You are carrying nothing.\n\n\n> ", "GOAL") == "You are carrying nothing."


@pytest.mark.parametrize("task", ["treasure_hunter", "the_cooking_game", "coin_collector"])
def test_scripted_walkthrough_wins(task):
    env = make(task, game=0)
    env.reset(seed=1)
    total, terminated = 0.0, False
    for command in walkthrough(task):
        _, reward, terminated, truncated, info = env.step(command)
        total += reward
    assert terminated and info["won"]
    assert env.get_stats()["progression"] == 1.0 and total == env.get_stats()["max_score"]


def test_check_env_determinism_and_meta_commands():
    env = make("the_cooking_game", game=0)
    check_env(env, skip_render_check=True)
    other = make("the_cooking_game", game=0)
    assert env.reset(seed=2)[0] == other.reset(seed=2)[0]
    for command in ["look", "take knife", "quit", "examine cookbook"]:
        assert env.step(command)[:4] == other.step(command)[:4]
    assert "not available" in env.step("restart")[0]["text"]["long_term_context"]
    assert env.get_stats()["progression"] < 1.0


def _game_data(path) -> dict:
    data = json.loads(path.with_suffix(".json").read_text())
    # TextWorld stores this list from a set: its order follows Python's per-process string hashing.
    data["grammar"]["names_to_exclude"] = sorted(map(str, data["grammar"]["names_to_exclude"]))
    # The KB records where TextWorld's grammar files were installed: a cache built from another
    # checkout's virtualenv holds a different path for the same game.
    data["KB"].pop("text_grammars_path", None)
    return data


def test_generation_is_deterministic_and_cached(tmp_path):
    cached = game_path("coin_collector", 0, QUICK_GENERATION["coin_collector"])
    fresh = game_path("coin_collector", 0, QUICK_GENERATION["coin_collector"], cache_dir=tmp_path)
    assert _game_data(fresh) == _game_data(cached)
    stamp = fresh.stat().st_mtime_ns
    assert game_path("coin_collector", 0, QUICK_GENERATION["coin_collector"],
                     cache_dir=tmp_path).stat().st_mtime_ns == stamp  # reused, not regenerated


def test_game_follows_the_seed_unless_pinned():
    free, pinned = make("coin_collector", num_games=25), make("coin_collector", game=3)
    assert [free.pick_game(seed) for seed in (0, 7, 25, 51)] == [0, 7, 0, 1]
    assert {pinned.pick_game(seed) for seed in range(30)} == {3}
    with pytest.raises(ValueError, match="0 <= game < num_games"):
        make("coin_collector", game=3, num_games=2)
