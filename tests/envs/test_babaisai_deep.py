"""The memory-lean depth-first check (deep_search.py) against the A* solver's proven answers."""

from __future__ import annotations

import pytest

import envs
from envs.babaisai import deep_search
from envs.babaisai import vocab as v
from envs.babaisai.deep_search import plan_within, shortest_below
from envs.babaisai.solver import solve_engine


def _engine(task: str, seed: int):
    env = envs.make("babaisai", task)
    env.reset(seed=seed)
    return env.engine


def _replays_to_a_win(task: str, seed: int, plan: list[int]) -> bool:
    env = envs.make("babaisai", task)
    env.reset(seed=seed)
    for step, action in enumerate(plan, 1):
        _, reward, terminated, truncated, _ = env.step(v.ACTIONS[action])
        if terminated or truncated:
            return reward > 0 and step == len(plan)
    return False


@pytest.mark.parametrize("task, seed", [("env/goto_win", 0), ("env/make_win-distr_obj_rule", 1),
                                        ("env/two_room-break_stop-goto_win", 2),
                                        ("env/two_room-make_you", 0), ("env/two_room-make_win", 0),
                                        ("env/two_room-make_wall_win", 1)])
def test_no_plan_below_the_proven_optimum_and_one_at_it(task, seed):
    engine = _engine(task, seed)
    proven = solve_engine(engine)
    assert proven.optimal
    best = len(proven.plan)
    below = plan_within(engine, best - 1)
    assert below.complete and below.plan is None
    found = plan_within(engine, best)
    assert found.complete and len(found.plan) == best
    assert _replays_to_a_win(task, seed, found.plan)


def test_a_run_that_fills_the_table_resumes_where_it_stopped(monkeypatch):
    """A table of 16 slots fills at once: the check grows it and goes on, and searches the very same
    states as with a table large enough from the start."""
    engine = _engine("env/two_room-make_win", 0)
    roomy = plan_within(engine, 22)
    monkeypatch.setattr(deep_search, "FIRST_SLOTS", 16)
    cramped = plan_within(engine, 22)
    assert cramped == roomy and roomy.plan is None and roomy.states > 10_000


def test_shortest_below_lowers_its_limit_until_nothing_is_left():
    engine = _engine("env/two_room-make_win", 0)    # 23 moves, proven by the A* passes
    plan, complete = shortest_below(engine, 27)
    assert complete and len(plan) == 23
    assert shortest_below(engine, 23) == (None, True)


def test_deep_solve_proves_a_plan_the_exact_pass_could_not():
    """With an exact budget too small to finish, the plan comes back unproven; with deep=True the
    depth-first check proves it shortest (or finds the shortest) and says so."""
    engine = _engine("env/two_room-make_win", 0)
    small = solve_engine(engine, exact_budget=4_000)
    assert not small.optimal and len(small.plan) >= 23
    deep = solve_engine(engine, exact_budget=4_000, deep=True)
    assert deep.optimal and len(deep.plan) == deep.lower_bound == 23
    assert _replays_to_a_win("env/two_room-make_win", 0, deep.plan)


def test_a_stack_deeper_than_two_words_is_checked_with_four():
    """Ten balls between the baba and the door: walking over them stacks eleven objects."""
    engine = _engine("env/goto_win", 0)
    engine.cells[26] = v.pack([v.obj("ball")] * 10)
    engine._scan_you()
    assert plan_within(engine, 1).plan is None and plan_within(engine, 1).complete
    assert plan_within(engine, 2).plan == [4, 4]


@pytest.mark.parametrize("task, seed", [("env/two_room-make_you", 0), ("env/make_win-distr_obj_rule", 1)])
def test_tight_limits_agree_with_breadth_first_search_on_many_states(task, seed):
    """From every fifth state (of the first 400) each level can reach: no plan within one move less than
    breadth-first search's shortest, and a plan within exactly that. Tight limits are where a state
    reached again by a shorter path must be searched again."""
    from tests.envs.test_babaisai_solver import bfs_length, live_states
    checked = 0
    for n, state in enumerate(live_states(_engine(task, seed), 400)):
        if n % 5:
            continue
        best = bfs_length(state, 30)
        if best is None:
            continue
        assert plan_within(state, best - 1).plan is None
        found = plan_within(state, best)
        assert found.plan is not None and len(found.plan) == best
        checked += 1
    assert checked >= 30


def test_past_its_state_cap_the_check_says_it_is_incomplete():
    """The check stops at the cap, short of the whole search, and says so."""
    engine = _engine("env/two_room-make_win", 0)
    whole = plan_within(engine, 22)
    capped = plan_within(engine, 22, max_states=5_000)
    assert whole.complete and not capped.complete and capped.plan is None
    assert capped.states == 5_000 < whole.states
    assert shortest_below(engine, 24, max_states=5_000) == (None, False)
