import pytest
from pydantic import ValidationError

from autolibra.errors import DataError
from autolibra.jsonl import append_jsonl, read_jsonl, read_jsonl_tolerant
from autolibra.schema import Feedback, MetricSet, Metric, Step, Trajectory, Trait


def _trajectory() -> Trajectory:
    step = Step(index=0, observation="Active rules:\nbaba is you", action="up", raw_output="up")
    return Trajectory(id="t1", env="babaisai", task="env/goto_win", seed=0, steps=[step], num_steps=1)


def test_records_round_trip_through_jsonl(tmp_path):
    path = tmp_path / "t.jsonl"
    append_jsonl(path, _trajectory())
    append_jsonl(path, _trajectory().model_copy(update={"id": "t2"}))
    back = read_jsonl(path, Trajectory)
    assert [t.id for t in back] == ["t1", "t2"]
    assert back[0] == _trajectory()


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(_trajectory().model_dump_json() + "\n{not json\n")
    with pytest.raises(DataError, match=r"t\.jsonl:2"):
        read_jsonl(path, Trajectory)


def test_truncated_last_line_is_skipped_and_counted(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(_trajectory().model_dump_json() + "\n" + _trajectory().model_dump_json()[:40])
    records, bad = read_jsonl_tolerant(path, Trajectory)
    assert len(records) == 1 and bad == 1


def test_empty_feedback_is_rejected():
    with pytest.raises(ValidationError, match="empty"):
        Feedback(trajectory_id="t1", text="   ")


def test_trait_rating_is_constrained_and_unscored_is_none():
    assert not Trait(trajectory_id="t", metric="m", rating=None, error="unparseable").scored
    with pytest.raises(ValidationError):
        Trait(trajectory_id="t", metric="m", rating=2)


def test_metric_set_lookup_names_known_metrics():
    metrics = MetricSet(name="s", metrics=[Metric(name="Goal focus", explanation="...")])
    assert metrics.get("Goal focus").name == "Goal focus"
    with pytest.raises(KeyError, match="Goal focus"):
        metrics.get("nope")
