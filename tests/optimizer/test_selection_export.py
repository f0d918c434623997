import json

import pytest

from autolibra.errors import InputError
from autolibra.jsonl import read_jsonl
from autolibra.schema import MetricSet, Step, Trait, Trajectory
from autolibra.web_import import load_web_trajectories
from optimizer.cli import main
from optimizer.reporting import SelectionReport, write_selection_outcome
from optimizer.selection import SelectionConfig, export_chat_jsonl, export_hf_dataset, run_selection


@pytest.fixture
def web(fixtures_dir):
    root = fixtures_dir / "web"
    trajectories = load_web_trajectories(root / "webarena.jsonl") + load_web_trajectories(root / "webvoyager.json")
    metrics = MetricSet.model_validate_json((root / "metrics.json").read_text())
    return root, trajectories, metrics, read_jsonl(root / "traits.jsonl", Trait)


def game(steps=5, invalid=()):
    return Trajectory(id="g", env="babaisai", task="env/goto_win", instruction="Reach the win object.",
                      steps=[Step(index=i, observation=f"obs {i}", action=f"act{i}", reasoning=f"why {i}",
                                  valid=i not in invalid) for i in range(steps)])


def read_examples(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_chat_shape(example):
    assert set(example) == {"messages"}  # the fine-tuning format rejects unknown keys
    roles = [m["role"] for m in example["messages"]]
    assert roles[0] == "system" and roles[-1] == "assistant"
    assert roles[1:] == ["user", "assistant"] * ((len(roles) - 1) // 2)
    assert all(isinstance(m["content"], str) and m["content"] for m in example["messages"])


def test_per_step_export_has_bounded_history_and_skips_invalid_steps(tmp_path):
    path = tmp_path / "train.jsonl"
    count = export_chat_jsonl([game(invalid={2})], path, per="step", history=1)
    examples = read_examples(path)
    assert count == len(examples) == 4
    for example in examples:
        assert_chat_shape(example)
        assert len(example["messages"]) <= 5  # system + at most (1 earlier + current) exchanges
    last = examples[-1]["messages"]
    assert last[-1]["content"] == "why 4\nAction: act4"
    assert last[1]["content"].startswith("Task: Reach the win object.\n\nEarlier actions (3, observations not "
                                         "shown): act0; act1; act2")
    assert last[1]["content"].endswith("Observation:\nobs 3")


def test_per_episode_export_is_one_conversation(tmp_path, web):
    _, trajectories, _, _ = web
    path = tmp_path / "episodes.jsonl"
    assert export_chat_jsonl(trajectories, path, per="episode", include_reasoning=False,
                             system_prompt="Be a web agent.") == len(trajectories)
    examples = read_examples(path)
    for example, trajectory in zip(examples, trajectories):
        assert_chat_shape(example)
        assistants = [m["content"] for m in example["messages"] if m["role"] == "assistant"]
        assert assistants == [f"Action: {s.action}" for s in trajectory.steps]
        assert example["messages"][0]["content"] == "Be a web agent."
    with pytest.raises(InputError, match="`per` must be"):
        export_chat_jsonl(trajectories, path, per="turn")


def test_hf_layout_loads_with_datasets(tmp_path, web, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    _, trajectories, _, _ = web
    out = export_hf_dataset(trajectories[:3], tmp_path / "hf", per="step", history=2,
                            scores={trajectories[0].id: 1.0})
    card = (out / "README.md").read_text()
    assert card.startswith("---\nconfigs:\n- config_name: default") and "path: data/train.jsonl" in card
    expected = sum(len(t.steps) for t in trajectories[:3])
    plain = datasets.load_dataset("json", data_files=str(out / "data" / "train.jsonl"),
                                  cache_dir=str(tmp_path / "cache1"))["train"]
    via_card = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache2"))["train"]
    for loaded in (plain, via_card):
        assert loaded.num_rows == expected
        assert loaded[0]["messages"][0]["role"] == "system" and loaded[0]["step"] == 0
        assert loaded[0]["score"] == 1.0 and loaded[expected - 1]["score"] is None
    assert set(via_card.column_names) == {"messages", "trajectory_id", "task", "env", "step", "score", "success",
                                          "source"}


def test_run_selection_writes_exports_traits_and_report(tmp_path, web):
    _, trajectories, metrics, stored = web
    dropped = [t for t in stored if t.trajectory_id != "webarena-44"]  # judge what is missing

    def judge(trajectory, asked):
        return [Trait(trajectory_id=trajectory.id, metric=m, rating=1) for m in asked.names()]

    config = SelectionConfig(top_k=4, per_task_cap=1, formats=["openai", "hf"], per="episode")
    result = run_selection(trajectories, metrics, dropped, config, tmp_path / "out", judge=judge)
    write_selection_outcome(result)
    out = tmp_path / "out"
    assert result.judged == 3 and len(result.selected) == 4
    assert len({t.task for t in result.selected}) == 4  # the cap and round-robin spread the tasks
    assert result.examples == {"openai": 4, "hf": 4}
    assert [t.id for t in read_jsonl(out / "selected.jsonl", Trajectory)] == result.selected_ids
    assert len(read_jsonl(out / "traits.jsonl", Trait)) == len(trajectories) * 3
    report = SelectionReport.model_validate_json((out / "report.json").read_text())
    assert report.selected == 4 and report.total == 7 and sum(t.total for t in report.per_task) == 7
    assert report.excluded["webarena-21-b"] == "per-task cap 1 reached for task webarena/shopping_admin/21"
    assert (out / "score_histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (out / "report.md").read_text()
    assert "# Selection report: 4 of 7 trajectories selected" in markdown and "per-task cap" in markdown


def test_cli_select_on_the_web_fixture(tmp_path, web, capsys):
    root = web[0]
    code = main(["select", str(root / "webarena.jsonl"), str(root / "webvoyager.json"),
                 "--metrics", str(root / "metrics.json"), "--traits", str(root / "traits.jsonl"),
                 "--threshold", "0.9", "--require-success", "--format", "both", "--out", str(tmp_path / "sel")])
    printed = capsys.readouterr().out
    assert code == 0 and "selected 5 of 7 trajectories" in printed and "reused 21" in printed
    assert len(read_examples(tmp_path / "sel" / "train.jsonl")) == 3 + 2 + 4 + 3 + 2
    missing = main(["select", str(root / "webarena.jsonl"), "--metrics", str(root / "metrics.json"),
                    "--top-k", "2", "--out", str(tmp_path / "x")])
    assert missing == 2 and "judgments are missing" in capsys.readouterr().err
    bad_weight = main(["select", str(root / "webarena.jsonl"), "--metrics", str(root / "metrics.json"),
                       "--traits", str(root / "traits.jsonl"), "--top-k", "2", "--weight", "oops",
                       "--out", str(tmp_path / "y")])
    assert bad_weight == 2 and "--weight expects METRIC=NUMBER" in capsys.readouterr().err
