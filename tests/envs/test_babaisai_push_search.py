"""The push-level search finds plans as short as the exact solver's, and they win when replayed."""

from __future__ import annotations

import pytest

import envs
from envs.babaisai.push_search import push_solve
from envs.babaisai.solver import solve_engine


@pytest.mark.parametrize("task, seed", [("env/make_win", 0), ("env/two_room-break_stop-goto_win", 0),
                                        ("env/two_room-goto_win-distr_win_rule", 0),
                                        ("env/two_room-make_you", 0)])
def test_push_search_matches_the_exact_solver_and_replays(task, seed):
    env = envs.make("babaisai", task)
    env.reset(seed=seed)
    reference = solve_engine(env.engine)
    assert reference.optimal and reference.plan is not None
    before = env.engine.key()
    plan = push_solve(env.engine)
    assert env.engine.key() == before
    assert plan is not None and len(plan) == len(reference.plan)
    for step, action in enumerate(plan, 1):
        _, reward, terminated, truncated, _ = env.step(env.language_action_space[action])
        if terminated or truncated:
            break
    assert terminated and reward > 0 and step == len(plan)


def test_push_search_reports_no_win_within_the_depth():
    env = envs.make("babaisai", "env/make_win")
    env.reset(seed=0)
    assert push_solve(env.engine, max_depth=5) is None


def test_single_step_fallback_alone_is_still_exact(monkeypatch):
    # No BALROG level needs the fallback from its start, so force it everywhere: it must match too.
    from envs.babaisai.push_search import PushSearch
    monkeypatch.setattr(PushSearch, "macro_ok", lambda self: False)
    env = envs.make("babaisai", "env/two_room-goto_win-distr_win_rule")
    env.reset(seed=0)
    assert len(push_solve(env.engine)) == len(solve_engine(env.engine).plan) == 8
