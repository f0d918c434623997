"""The upstream BALROG adapter: a clear error without the package, and the wrapper on a real
BALROG-interface env (ours have that interface), plus the real thing when upstream BALROG is installed."""

from __future__ import annotations

import importlib.util

import pytest
from gymnasium.utils.env_checker import check_env

import envs
from envs.balrog_adapter import BalrogEnv

HAS_BALROG = importlib.util.find_spec("balrog") is not None and \
    importlib.util.find_spec("balrog.environments") is not None


@pytest.mark.skipif(HAS_BALROG, reason="upstream BALROG is installed here")
def test_missing_balrog_says_how_to_install():
    with pytest.raises(envs.MissingExtraError, match="pip install -e submodules/BALROG"):
        envs.make("balrog:babyai", "BabyAI-MixedTrainLocal-v0/goto")
    with pytest.raises(envs.MissingExtraError, match="submodules/BALROG"):
        envs.tasks("balrog:babaisai")


def test_wrapper_presents_a_balrog_interface_env_as_ours():
    pytest.importorskip("minigrid", reason="needs the 'babyai' extra")
    inner = envs.make("babyai", "BabyAI-MixedTrainLocal-v0/open")
    env = BalrogEnv(inner, "babyai", "BabyAI-MixedTrainLocal-v0/open")
    check_env(env, skip_render_check=True)
    obs, _ = env.reset(seed=3)
    assert obs["text"] == inner._observation({"long_term_context": "\n".join(inner._fields()[1]),
                                              "short_term_context": ""})["text"]
    assert obs["mission"] == inner.mission and env.max_steps == 128
    assert list(env.language_action_space) == list(inner.language_action_space)
    assert env.check_action_validity("jump") == "go forward" and env.failed_candidates == ["jump"]
    assert env.get_instruction_prompt() == inner.get_instruction_prompt()
    env.step("toggle")
    assert env.get_stats()["mission"] == inner.mission and env.get_stats()["progression"] == 0.0


@pytest.mark.skipif(not HAS_BALROG, reason="upstream BALROG is not installed (pip install -e submodules/BALROG)")
def test_upstream_env_passes_check_env():
    task = envs.tasks("balrog:babyai")[0]
    env = envs.make("balrog:babyai", task)
    check_env(env, skip_render_check=True)
    assert env.get_stats()["progression"] == 0.0
