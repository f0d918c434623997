"""The env layer's shared contract: capabilities by env name, and the one invalid-action mapping."""

from __future__ import annotations

import pytest

import envs


@pytest.mark.parametrize("name", ["babyai", "crafter", "textworld", "minihack"])
def test_envs_without_capabilities_offer_none(name):
    assert envs.capabilities(name) == envs.Capabilities()


def test_an_unknown_env_has_no_capabilities_to_offer():
    with pytest.raises(envs.UnknownEnvError, match="did you mean 'babaisai'"):
        envs.capabilities("babaisay")


@pytest.mark.parametrize("name, task", [("babaisai", "env/goto_win"), ("babyai", "BabyAI-MixedTrainLocal-v0/goto")])
def test_an_invalid_action_becomes_the_default_action(name, task):
    env = envs.make(name, task)
    valid = env.language_action_space[1]
    assert envs.to_env_action(env, valid) == (valid, True)
    assert envs.to_env_action(env, "fly away") == (env.default_action, False)
    assert envs.to_env_action(env, None) == (env.default_action, False)
    assert env.check_action_validity("fly away") == env.default_action
    assert env.failed_candidates == ["fly away"]
