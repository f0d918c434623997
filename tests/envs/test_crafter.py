"""Crafter: BALROG's action names and text, determinism, and a scripted episode that unlocks achievements."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("crafter", reason="Crafter needs the 'crafter' extra: pip install 'ladder[crafter]'")

from gymnasium.utils.env_checker import check_env  # noqa: E402

import envs  # noqa: E402
from envs.crafter.describe import _direction, short_term_text  # noqa: E402


@pytest.fixture(scope="module")
def env():
    return envs.make("crafter", "default")


def test_face(env):
    assert envs.tasks("crafter") == ["default"]
    assert len(env.language_action_space) == 17 and env.language_action_space[3] == "Move North"
    assert env.default_action == "Noop" and env.max_steps == 2000
    obs, _ = env.reset(seed=0)
    long_term, short_term = obs["text"]["long_term_context"], obs["text"]["short_term_context"]
    assert short_term.startswith("Your status:\n- health: 9/9\n- food: 9/9\n- drink: 9/9\n- energy: 9/9\n\n")
    assert long_term.startswith(("You see:\n", "You see nothing away from you."))
    assert re.search(r"\n\nYou face \w+ at your front\.$", long_term)
    for line in long_term.split("\n")[1:]:
        if line.startswith("- "):
            assert re.match(r"^- \w+ \d+ steps? to your (north|south)?-?(east|west)?$", line), line
    prompt = env.get_instruction_prompt()
    assert "Collect Diamond" in prompt and "Make Iron Sword" in prompt


def test_text_helpers():
    assert _direction(-1, -1) == "north-west" and _direction(0, 3) == "south" and _direction(2, 0) == "east"
    text = short_term_text({"health": 9, "food": 8, "drink": 7, "energy": 6, "wood": 2, "sapling": 0})
    assert text == "Your status:\n- health: 9/9\n- food: 8/9\n- drink: 7/9\n- energy: 6/9\n\nYour inventory:\n- wood: 2"


def test_check_env_and_determinism(env):
    check_env(env, skip_render_check=True)
    other = envs.make("crafter", "default")
    assert env.reset(seed=4)[0] == other.reset(seed=4)[0]
    for action in ["Move West", "Do", "Move North", "Do", "Noop"]:
        assert env.step(action)[:4] == other.step(action)[:4]


def test_scripted_episode_collects_and_plants_a_sapling(env):
    obs, _ = env.reset(seed=0)
    for _ in range(60):  # "Do" on grass yields a sapling now and then; then plant it
        action = "Place Plant" if "- sapling: 1" in obs["text"]["short_term_context"] else "Do"
        obs, *_ = env.step(action)
        if env.get_stats()["achievements"]["place_plant"]:
            break
    stats = env.get_stats()
    assert stats["achievements"]["collect_sapling"] >= 1 and stats["achievements"]["place_plant"] >= 1
    unlocked = sum(count > 0 for count in stats["achievements"].values())
    assert stats["progression"] == pytest.approx(unlocked / 22) and stats["score"] >= 2
