"""`ladder eval` end to end on the real Baba Is AI env, with a scripted model read from a file."""

from __future__ import annotations

import json

import pytest

import envs
from autolibra.jsonl import read_jsonl
from autolibra.schema import Trajectory
from envs.babaisai.solver import solve
from optimizer.cli import main
from optimizer.commands.eval import resolve_tasks
from optimizer.records import EvalRecord, read_record
from optimizer.rundir import RunDir


@pytest.fixture
def always_left(tmp_path):
    # env/goto_win seed 0 is won by left, left (spec §A.9.5); seed 1 is not.
    path = tmp_path / "replies.json"
    path.write_text(json.dumps({"Current Observation": json.dumps({"reasoning": "door left", "action": "left"})}))
    return f"fake/file:{path}"


def test_eval_prints_balrogs_table_writes_records_and_resumes(tmp_path, always_left, capsys):
    out = tmp_path / "eval"
    argv = ["eval", "--env", "babaisai", "--tasks", "env/goto_win", "--episodes", "2", "--seed", "0",
            "--max-steps", "6", "--model", always_left, "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == "Overall Average Progression: 50.00% ± 35.36%"
    records = read_jsonl(out / "rollouts.jsonl", Trajectory)
    assert [(t.seed, t.outcome, t.num_steps) for t in records if t.seed == 0] == [(0, "win", 2)]
    assert all(t.steps[0].info["grid"] for t in records)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["environments"]["babaisai"]["episodes_played"] == 2
    state = read_record(out / "eval.json", EvalRecord)
    assert RunDir.open(out).read_record().status == "done" and state.episodes.ran == 2
    assert RunDir.open(out).read_record().kind == "eval"
    assert (out / "prompt.md").read_text().strip()

    assert main(argv) == 0  # same command again: everything is resumed, nothing re-run
    state = read_record(out / "eval.json", EvalRecord)
    assert (state.episodes.resumed, state.episodes.ran) == (2, 0)
    assert len(read_jsonl(out / "rollouts.jsonl", Trajectory)) == 2


@pytest.mark.parametrize("extra, message", [
    (["--tasks", "env/goto_wni"], "did you mean 'env/goto_win'"),
    (["--tasks", "env/nothing*"], "matches no babaisai task"),
    (["--episodes", "0"], "expected --episodes > 0, got 0"),
    (["--env", "nethack"], "unknown env 'nethack'"),
    (["--agent", "oracle", "--env", "crafter"], "--agent oracle: env 'crafter' offers no oracle player"),
])
def test_bad_input_is_refused_with_exit_2(tmp_path, always_left, capsys, extra, message):
    argv = ["eval", "--tasks", "env/goto_win", "--model", always_left, "--out", str(tmp_path / "o"), *extra]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_the_oracle_agent_plays_shortest_plans_with_no_model(tmp_path, capsys):
    """`--agent oracle` fills the same records with the exact solver's play: every episode won, in exactly
    the shortest plan's number of moves, and no model named or called."""
    out = tmp_path / "oracle"
    argv = ["eval", "--agent", "oracle", "--tasks", "env/goto_win,env/make_win", "--episodes", "2",
            "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    assert capsys.readouterr().out.splitlines()[0] == "Overall Average Progression: 100.00% ± 0.00%"
    records = read_jsonl(out / "rollouts.jsonl", Trajectory)
    assert len(records) == 4 and all(t.outcome == "win" and t.prompt_id == "oracle" for t in records)
    assert all(t.metadata["oracle_proven"] and t.metadata["oracle_solves"] == 1 for t in records)
    for t in records:
        env = envs.make("babaisai", t.task)
        env.reset(seed=t.seed)
        assert t.num_steps == len(solve(env).actions)
    record = RunDir.open(out).read_record()
    assert record.status == "done" and record.config["model"] is None
    assert sum(t.tokens.input for t in records) == 0


def test_task_globs_and_lists_resolve_in_balrog_order():
    known = envs.tasks("babaisai")
    chosen = resolve_tasks("babaisai", ["env/two_room-make_you,env/goto_win*"])
    assert chosen == [t for t in known if t.startswith("env/goto_win") or t == "env/two_room-make_you"]
    assert len(chosen) > 2
