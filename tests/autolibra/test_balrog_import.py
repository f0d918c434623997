import json

import pytest

from autolibra.balrog_import import INITIAL_OBSERVATION, import_balrog_run
from autolibra.errors import DataError, InputError
from autolibra.instances import load_instances


@pytest.fixture
def run_dir(fixtures_dir):
    return fixtures_dir / "autolibra" / "balrog_run"


def test_import_shifts_observations_and_marks_invalid_outputs(run_dir):
    won, lost = import_balrog_run(run_dir)
    assert (won.id, won.outcome, won.success, won.seed, won.model) == (
        "babaisai/env/goto_win/run_00", "win", True, 100, "fixture-model")
    assert won.steps[0].observation == INITIAL_OBSERVATION
    assert "door 1 step to the right" in won.steps[1].observation  # the row-0 observation, seen before step 1
    assert won.final_observation.endswith("rule `is` 1 step up") and won.steps[1].reward == 0.95
    assert lost.outcome == "timeout" and lost.stats["target_plan"] == "goto[door]"
    assert [(s.action, s.raw_output, s.valid) for s in lost.steps] == [
        ("idle", "move up", False), ("left", "left", True), ("idle", "left, then left", False)]
    assert lost.steps[2].reasoning == 'Almost, "left" again'  # quotes and commas survive the CSV


def test_bad_header_names_the_file(tmp_path):
    episode = tmp_path / "babaisai" / "t" / "t_run_00.csv"
    episode.parent.mkdir(parents=True)
    episode.write_text("Step,Act\n0,up\n")
    with pytest.raises(DataError, match=r"t_run_00.csv:1: unexpected CSV header"):
        import_balrog_run(tmp_path)


def test_feedback_joins_and_unknown_ids_point_at_the_line(tmp_path, run_dir):
    feedback = tmp_path / "f.jsonl"
    feedback.write_text(json.dumps({"trajectory_id": "babaisai/env/goto_win/run_00", "text": "Fast."}) + "\n"
                        + json.dumps({"trajectory_id": "nope", "text": "x"}) + "\n")
    with pytest.raises(DataError, match=r"f.jsonl:2: feedback for unknown trajectory 'nope'"):
        load_instances(run_dir, feedback)
    with pytest.raises(InputError, match="--feedback"):
        load_instances(run_dir)
    feedback.write_text(json.dumps({"trajectory_id": "babaisai/env/goto_win/run_00", "text": " "}) + "\n")
    with pytest.raises(DataError, match=r"f.jsonl:1: .*feedback text is empty"):
        load_instances(run_dir, feedback)
