"""gymnasium's `check_env` over every registered env and every one of its tasks.

An env whose optional extra is missing is skipped with the install hint; Baba Is AI is skipped until
`envs.babaisai` lands. TextWorld runs on its quick games (BALROG-sized ones take minutes to generate).
"""

from __future__ import annotations

import importlib

import pytest
from gymnasium.utils.env_checker import check_env

import envs
from envs.registry import ENV_MODULES

QUICK_KWARGS = {"textworld": lambda task: {"game": 0, "generation": _quick_textworld()[task]}}


def _quick_textworld():
    from envs.textworld import QUICK_GENERATION

    return QUICK_GENERATION


def _cases():
    cases = []
    for name in envs.env_names():
        try:
            importlib.import_module(ENV_MODULES[name][0])
            names = envs.tasks(name)
        except ImportError as error:  # missing extra, or an env not written yet
            reason = f"env {name!r} is not importable here ({error})"
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
