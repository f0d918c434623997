"""gymnasium's `check_env` over every registered env and every one of its tasks.

An env whose optional extra is not installed is skipped, with the install hint as the reason; any other
import error (a broken env module) fails the collection. TextWorld runs on its quick games (BALROG-sized
ones take minutes to generate).
"""

from __future__ import annotations

import pytest
from gymnasium.utils.env_checker import check_env

import envs

QUICK_KWARGS = {"textworld": lambda task: {"game": 0, "generation": _quick_textworld()[task]}}


def _quick_textworld():
    from envs.textworld import QUICK_GENERATION

    return QUICK_GENERATION


def _cases():
    cases = []
    for name in envs.env_names():
        try:
            names = envs.tasks(name)
        except envs.MissingExtraError as error:  # only a missing optional extra may skip
            reason = f"env {name!r} needs an extra that is not installed ({error})"
            cases.append(pytest.param(name, None, marks=pytest.mark.skip(reason=reason), id=f"{name}-skipped"))
            continue
        cases += [pytest.param(name, task, id=f"{name}-{task}") for task in names]
    return cases


@pytest.mark.parametrize("name,task", _cases())
def test_check_env(name, task):
    kwargs = QUICK_KWARGS[name](task) if name in QUICK_KWARGS else {}
    env = envs.make(name, task, **kwargs)
    check_env(env, skip_render_check=True)
    obs, _ = env.reset(seed=0)
    assert set(obs["text"]) == {"long_term_context", "short_term_context"}
    assert env.default_action in env.language_action_space and env.max_steps > 0
    assert 0.0 <= env.get_stats()["progression"] <= 1.0 and env.get_instruction_prompt().strip()


def test_a_broken_env_module_is_an_error_not_a_skip(monkeypatch):
    """The registry turns an ImportError into MissingExtraError only for an env with an extra whose error
    does not name the env's own module; a broken module of ours stays an ImportError."""
    monkeypatch.setitem(envs.registry.ENV_MODULES, "broken", ("envs.no_such_module", "crafter"))
    with pytest.raises(ImportError) as caught:
        envs.tasks("broken")
    assert not isinstance(caught.value, envs.MissingExtraError)
