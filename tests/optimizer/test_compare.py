"""`ladder compare` on fake models: identical splits per arm, a paired table, plots, references."""

from __future__ import annotations

import json

import pytest
import yaml

from autolibra.lm import LMSession
from optimizer import context
from optimizer.cli import main
from tests.optimizer.fake_roles import fake_models, scripts


@pytest.fixture
def fake_sessions(monkeypatch):
    def scripted_session(roles, **options):  # every session of the run answers from the fake roles
        return LMSession(roles, scripts=scripts(), **options)
    monkeypatch.setattr(context, "LMSession", scripted_session)


def write_configs(tmp_path):
    base = {"name": "base", "env": "babaisai", "tasks": ["env/goto_win"],
            "seeds": {"train": [0, 1], "validation": [100], "test": [200, 201]}, "max_steps": 3, "iterations": 1,
            "models": fake_models(), "feedback": {"sample": 2}, "induction": {"max_rounds": 1}, "concurrency": 2}
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "few.md").write_text("Walk to the WIN object.\n")
    compare = {"name": "cmp", "base": "base.yaml", "out_dir": str(tmp_path / "runs"),
               "arms": [{"name": "metrics", "objective": "metrics"}, {"name": "success", "objective": "success"}],
               "references": [{"name": "seed"}, {"name": "few", "prompt_file": "few.md"}]}
    (tmp_path / "compare.yaml").write_text(yaml.safe_dump(compare))
    return tmp_path / "compare.yaml"


def test_compare_runs_arms_on_identical_splits(tmp_path, fake_sessions, capsys):
    path = write_configs(tmp_path)
    assert main(["compare", str(path), "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert "metrics" in out and "success" in out and "Paired differences" in out
    data = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    metrics, success = data["arms"]["metrics"], data["arms"]["success"]
    assert metrics["rollouts"] == success["rollouts"]  # same budget of episodes
    assert metrics["final_test"]["n"] == success["final_test"]["n"] == 2
    assert set(data["references"]) == {"seed", "few"}
    pairs = {(d["a"], d["b"]) for d in data["differences"]}
    assert ("metrics", "success") in pairs
    assert all(d["n"] == 2 for d in data["differences"])
    assert (tmp_path / "cmp" / "plots" / "test_success_per_iteration.png").exists()
    # both arms' train rollouts used the same tasks and seeds
    arm_seeds = []
    for arm in ("metrics", "success"):
        lines = (tmp_path / "cmp" / "arms" / arm / "iterations/000/rollouts.jsonl").read_text().splitlines()
        arm_seeds.append(sorted((json.loads(l)["task"], json.loads(l)["seed"]) for l in lines))
    assert arm_seeds[0] == arm_seeds[1]


def test_compare_needs_test_seeds(tmp_path, fake_sessions, capsys):
    path = write_configs(tmp_path)
    base = yaml.safe_load((tmp_path / "base.yaml").read_text())
    base["seeds"]["test"] = []
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    assert main(["compare", str(path)]) == 2
    assert "seeds.test" in capsys.readouterr().err
