"""What the solver offers the optimizer: the oracle player, the analysis of a trajectory, and the Baba Is AI
capabilities that hand them out (envs.capabilities)."""

from __future__ import annotations

import subprocess
import sys

import envs
from envs.babaisai.solver import solve
from envs.babaisai.solver.analysis import analyze_actions, describe_analysis
from envs.babaisai.solver.oracle import Oracle


def test_the_oracle_wins_in_the_fewest_moves_and_replans_after_a_detour():
    env = envs.make("babaisai", "env/make_win")
    env.reset(seed=0)
    oracle, moves = Oracle(env), 0
    while True:
        _, reward, terminated, truncated, _ = env.step(oracle.next_action())
        moves += 1
        if terminated or truncated:
            break
    assert reward > 0 and moves == 14 and oracle.solves == 1 and oracle.proven

    # Somebody else moves instead of the oracle: it notices the state is not the planned one and plans anew.
    env.reset(seed=0)
    oracle = Oracle(env)
    first = oracle.next_action()
    env.step("down" if first != "down" else "up")
    remaining = len(solve(env).actions)
    moves = 1
    while True:
        _, reward, terminated, truncated, _ = env.step(oracle.next_action())
        moves += 1
        if terminated or truncated:
            break
    assert reward > 0 and moves == 1 + remaining and oracle.solves == 2


def test_with_no_win_left_the_oracle_idles():
    env = envs.make("babaisai", "env/two_room-goto_win-distr_obj")
    env.reset(seed=0)
    for action in ("down", "left", "up", "up", "up", "up"):   # buries the only door (test above)
        env.step(action)
    assert Oracle(env).next_action() == env.default_action == "idle"


def test_analysis_flags_wasted_moves_and_the_first_irreversible_mistake():
    steps = analyze_actions("env/make_win", 0, ["right", "up", "up", "left", "down"])
    assert [s.optimal_before for s in steps[:4]] == [14, 13, 12, 13]
    assert [s.irreversible for s in steps] == [False, False, False, True, False]
    assert steps[3].optimal_after is None and steps[2].wasted and not steps[0].wasted
    text = describe_analysis(steps)
    assert "Optimal plan from the start:" in text and "(14 steps)" in text
    assert "First irreversible mistake at step 4: `left`" in text


def test_analysis_of_a_win():
    steps = analyze_actions("env/goto_win", 0, ["up", "left", "down", "left", "left"])
    assert len(steps) == 4 and steps[-1].won and steps[-1].optimal_after == 0
    assert [s.wasted for s in steps] == [True, False, False, False]
    text = describe_analysis(steps)
    assert "it won; 1 of its moves were wasted" in text
    assert "Step 1: the agent moved up, but the correct move was " in text  # names the move a shortest plan makes


def test_babaisai_offers_all_four_capabilities_and_the_other_envs_none():
    caps = envs.capabilities("babaisai")
    env = envs.make("babaisai", "env/goto_win")
    env.reset(seed=0)
    assert "Optimal plan from the start: left, left (2 steps)." in caps.reference_analysis("env/goto_win", 0, ["up"])
    assert caps.grid_view(env) == env.render_grid_text()
    oracle = caps.oracle(env)
    assert oracle.next_action() == "left" and oracle.notes() == {"oracle_proven": True, "oracle_solves": 1}
    plan = caps.plan("env/goto_win", 0)
    assert plan.actions == ["left", "left"] and plan.proven_shortest and plan.lower_bound == 2
    assert caps.plan("env/goto_win", 0, ["right"]).actions == ["left", "left", "left"]
    assert envs.capabilities("crafter") == envs.Capabilities()


def test_importing_the_env_loads_neither_the_solver_nor_numba():
    code = ("import sys, envs, envs.babaisai; envs.capabilities('babaisai'); "
            "print([m for m in sys.modules if 'solver' in m or m.startswith('numba')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
