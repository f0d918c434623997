"""`ladder play`: scripted input wins a level; bad ids and seeds exit with code 2 and a clear message."""

from __future__ import annotations

import dataclasses
import io
import sys

from optimizer.cli import main


def run_play(monkeypatch, capsys, args, typed: str = ""):
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    code = main(["play", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_typed_moves_win_and_solve_shows_the_plan(monkeypatch, capsys):
    code, out, _ = run_play(monkeypatch, capsys, ["babaisai", "env/goto_win", "--seed", "0", "--solve"],
                            "a\nleft\n")
    assert code == 0
    assert "solver: shortest plan (2 moves): left, left" in out
    assert "Active rules:\ndoor is win\nbaba is you" in out and "wbaba" in out
    assert "You won! reward 0.982" in out


def test_unknown_moves_are_explained_and_quit_ends(monkeypatch, capsys):
    code, out, _ = run_play(monkeypatch, capsys, ["babaisai", "env/goto_win"], "jump\nq\n")
    assert code == 0 and "unknown move 'jump'" in out and out.rstrip().endswith("bye")


def test_bad_task_names_the_closest_ids(monkeypatch, capsys):
    code, _, err = run_play(monkeypatch, capsys, ["babaisai", "env/goto_wim"])
    assert code == 2 and "env/goto_win" in err and "closest ids" in err


def test_bad_seed_and_env(monkeypatch, capsys):
    code, _, err = run_play(monkeypatch, capsys, ["babaisai", "env/goto_win", "--seed", "-3"])
    assert code == 2 and "seed" in err
    code, _, err = run_play(monkeypatch, capsys, ["crafter", "env/goto_win"])
    assert code == 2 and "babaisai" in err


def test_an_unproven_plan_is_not_called_shortest(monkeypatch, capsys):
    """Where the exact pass runs out of budget the plan is shown with its proven lower bound instead."""
    import envs
    from envs.babaisai.solver import Plan

    real = envs.capabilities("babaisai")

    def budget_exhausted(task, seed, played=()):
        plan = real.plan(task, seed, played)
        return Plan(plan.actions, proven_shortest=False, lower_bound=1)

    monkeypatch.setattr(envs, "capabilities", lambda name: dataclasses.replace(real, plan=budget_exhausted))
    code, out, _ = run_play(monkeypatch, capsys, ["babaisai", "env/goto_win", "--seed", "0", "--solve"], "q\n")
    assert code == 0 and "shortest plan" not in out
    assert "solver: a winning plan (2 moves; not proven shortest, the shortest has at least 1): left, left" in out


def test_the_plan_asked_for_mid_level_starts_from_the_moves_played(monkeypatch, capsys):
    code, out, _ = run_play(monkeypatch, capsys, ["babaisai", "env/goto_win", "--seed", "0"], "right\n?\nq\n")
    assert code == 0 and "solver: shortest plan (3 moves): left, left, left" in out
