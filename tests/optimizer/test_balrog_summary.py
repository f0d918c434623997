"""BALROG's summary numbers (spec §B.5), checked against hand computations and a leaderboard entry."""

from __future__ import annotations

import json

import pytest

from autolibra.schema import TokenUsage, Trajectory
from optimizer.reporting.balrog import balrog_summary, format_balrog_table
from optimizer.reporting.stats import standard_error


def episode(env: str, task: str, progression: float, steps: int = 10, seed: int = 0) -> Trajectory:
    return Trajectory(id=f"{env}:{task}:{seed}", env=env, task=task, seed=seed, progression=progression,
                      num_steps=steps, tokens=TokenUsage(input=100, output=5))


def test_leaderboard_entry_is_reproduced():
    # Gemini-2.5-Pro on BabaIsAI: 56.67 % ± 4.52 over 120 episodes, i.e. 68 wins.
    trajectories = [episode("babaisai", f"t{i % 40}", 1.0 if i < 68 else 0.0, seed=i) for i in range(120)]
    numbers = balrog_summary(trajectories).environments["babaisai"]
    assert round(numbers.progression_percentage, 2) == 56.67
    assert round(numbers.standard_error, 2) == 4.52
    assert numbers.episodes_played == 120


def test_per_env_per_task_and_overall_numbers():
    trajectories = [episode("babaisai", "a", 1.0, 4), episode("babaisai", "a", 0.0, 100, 1),
                    episode("babaisai", "a", 1.0, 6, 2), episode("babaisai", "b", 0.0, 100),
                    episode("babaisai", "b", 0.0, 100, 1), episode("toy", "c", 1.0, 2), episode("toy", "c", 1.0, 4, 1)]
    summary = balrog_summary(trajectories)
    baba = summary.env_summaries["babaisai"]
    assert baba.progression_percentage == pytest.approx(40.0)
    assert baba.standard_error == pytest.approx(100 * (0.4 * 0.6) ** 0.5 / 5 ** 0.5)  # population std
    assert baba.average_steps == pytest.approx(62.0)
    assert baba.tasks["a"].model_dump() == pytest.approx({"progression_percentage": 200 / 3,
                                                "standard_error": 100 * (2 / 9) ** 0.5 / 3 ** 0.5,
                                                "episodes_played": 3})
    assert (baba.input_tokens, baba.output_tokens) == (500, 25)
    assert summary.average_progress == pytest.approx(70.0)  # envs weigh equally, not episodes
    assert summary.standard_error == pytest.approx(baba.standard_error / 2)
    assert summary.total_input_tokens == 700
    table = format_balrog_table(summary)
    assert table.splitlines()[0] == "Overall Average Progression: 70.00% ± 10.95%"
    assert "babaisai: 40.00% ± 21.91% (5 episodes" in table


def test_edge_cases():
    assert standard_error([1.0]) == 0.0 and standard_error([]) == 0.0
    with pytest.raises(ValueError, match="no trajectories"):
        balrog_summary([])


def test_summary_json_keeps_balrogs_keys():
    summary = balrog_summary([episode("babaisai", "a", 1.0), episode("babaisai", "a", 0.0, seed=1)])
    data = json.loads(summary.model_dump_json())
    assert set(data) == {"average_progress", "standard_error", "environments", "total_input_tokens",
                         "total_output_tokens", "env_summaries"}
    assert data["environments"]["babaisai"] == pytest.approx({"progression_percentage": 50.0,
                                                              "standard_error": 50.0 / 2 ** 0.5,
                                                              "episodes_played": 2})
    assert set(data["env_summaries"]["babaisai"]) == {"progression_percentage", "standard_error", "average_steps",
                                                      "episodes_played", "tasks", "input_tokens", "output_tokens"}
