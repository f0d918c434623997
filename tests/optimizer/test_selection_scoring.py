import random

import pytest

from autolibra.errors import InputError, LMError
from autolibra.schema import Metric, MetricSet, Step, Trait, Trajectory
from optimizer.selection import SelectionConfig, rank_key, score_trajectories, score_trajectory

METRICS = MetricSet(name="m", metrics=[Metric(name=n, explanation=f"{n} explained") for n in ("A", "B", "C")])


def traj(tid, task="t1", steps=2, success=True):
    return Trajectory(id=tid, env="web", task=task, success=success,
                      steps=[Step(index=i, observation=f"o{i}", action=f"a{i}") for i in range(steps)],
                      num_steps=steps)


def traits(tid, **ratings):
    return [Trait(trajectory_id=tid, metric=m, rating=r) for m, r in ratings.items()]


class FakeJudge:
    """Rates from a table and records which metrics it was asked about, per trajectory."""

    def __init__(self, table, fail=()):
        self.table, self.fail, self.calls = table, set(fail), []

    def __call__(self, trajectory, metrics):
        self.calls.append((trajectory.id, metrics.names()))
        if trajectory.id in self.fail:
            raise LMError("model unreachable")
        return [Trait(trajectory_id=trajectory.id, metric=m, rating=self.table[(trajectory.id, m)])
                for m in metrics.names() if (trajectory.id, m) in self.table]


CFG = SelectionConfig(top_k=3)


def test_pass_fraction_counts_only_plus_and_minus_one():
    score = score_trajectory(traits("x", A=1, B=-1, C=0), traj("x"), CFG)
    assert (score.value, score.passed, score.failed, score.not_applicable) == (0.5, 1, 1, 1)
    unscored = score_trajectory(traits("x", A=1, B=None, C=0), traj("x"), CFG)
    assert unscored.value == 1.0 and unscored.unscored == 1 and unscored.applicable == 1


def test_weights_and_mean_rating():
    weighted = SelectionConfig(top_k=1, weights={"A": 3.0})
    assert score_trajectory(traits("x", A=1, B=-1), traj("x"), weighted).value == 0.75
    mean = SelectionConfig(top_k=1, aggregate="mean_rating")
    assert score_trajectory(traits("x", A=1, B=-1, C=-1), traj("x"), mean).value == pytest.approx(-1 / 3, abs=1e-6)


def test_exclusions_success_and_applicability():
    strict = SelectionConfig(top_k=1, require_success=True)
    assert score_trajectory(traits("x", A=1), traj("x", success=False), strict).excluded == "not successful"
    assert score_trajectory(traits("x", A=1), traj("x", success=None), strict).excluded == "success unknown"
    assert score_trajectory(traits("x", A=1), traj("x", success=True), strict).excluded is None
    nothing = score_trajectory(traits("x", A=0, B=None), traj("x"), CFG)
    assert nothing.value is None and nothing.excluded.startswith("no applicable metric")
    two = SelectionConfig(top_k=1, min_applicable=2)
    assert score_trajectory(traits("x", A=1, B=0), traj("x"), two).excluded == "too few applicable metrics (1 < 2)"


def test_ties_are_broken_by_evidence_then_length_then_id():
    runs = [traj("d", steps=5), traj("c", steps=2), traj("b", steps=2), traj("a", steps=9)]
    table = traits("d", A=1, B=1) + traits("c", A=1, B=0) + traits("b", A=1, B=0) + traits("a", A=1, B=-1)
    expected = ["d", "b", "c", "a"]  # d: 2 applicable; b/c: 1 applicable, same length -> id; a: 0.5
    for seed in range(5):
        shuffled = random.Random(seed).sample(runs, len(runs))
        scores, _ = score_trajectories(shuffled, METRICS.model_copy(update={"metrics": METRICS.metrics[:2]}),
                                       table, CFG)
        assert [s.trajectory_id for s in scores] == expected
    assert rank_key(scores[0]) < rank_key(scores[1])


def test_only_missing_judgments_are_asked_for():
    runs = [traj("x"), traj("y")]
    stored = traits("x", A=1, B=1, C=-1) + traits("y", A=1) + [Trait(trajectory_id="y", metric="OLD", rating=1)]
    judge = FakeJudge({("y", "B"): -1, ("y", "C"): 0})
    scores, used = score_trajectories(runs, METRICS, stored, CFG, judge=judge)
    assert judge.calls == [("y", ["B", "C"])]
    assert {(t.trajectory_id, t.metric) for t in used} == {(i, m) for i in "xy" for m in "ABC"}
    assert {s.trajectory_id: s.value for s in scores} == {"x": pytest.approx(2 / 3, abs=1e-6), "y": 0.5}


def test_judge_failures_and_gaps_become_unscored_not_zero():
    judge = FakeJudge({("x", "A"): 1}, fail={"y"})
    scores, used = score_trajectories([traj("x"), traj("y")], METRICS, [], CFG, judge=judge)
    by_key = {(t.trajectory_id, t.metric): t for t in used}
    assert by_key[("x", "A")].rating == 1
    assert by_key[("x", "B")].rating is None and "no verdict" in by_key[("x", "B")].error
    assert by_key[("y", "C")].rating is None and "model unreachable" in by_key[("y", "C")].error
    y = next(s for s in scores if s.trajectory_id == "y")
    assert y.value is None and y.unscored == 3 and y.excluded.startswith("no applicable metric")


def test_rejudge_unscored_only_when_asked():
    stored = traits("x", A=1, B=1, C=None)
    judge = FakeJudge({("x", "C"): -1})
    score_trajectories([traj("x")], METRICS, stored, CFG, judge=judge)
    assert judge.calls == []
    scores, _ = score_trajectories([traj("x")], METRICS, stored, SelectionConfig(top_k=1, rejudge_unscored=True),
                                   judge=judge)
    assert judge.calls == [("x", ["C"])] and scores[0].failed == 1


def test_bad_inputs_are_clear_errors():
    with pytest.raises(InputError, match="3 .* judgments are missing"):
        score_trajectories([traj("x")], METRICS, [], CFG)
    with pytest.raises(InputError, match="weights name unknown metrics"):
        score_trajectories([traj("x")], METRICS, [], SelectionConfig(top_k=1, weights={"Z": 1}))
    with pytest.raises(InputError, match="appears twice"):
        score_trajectories([traj("x"), traj("x")], METRICS, [], CFG)
    with pytest.raises(InputError, match="has no metrics"):
        score_trajectories([traj("x")], MetricSet(name="empty"), [], CFG)
    with pytest.raises(ValueError, match="give `top_k` or `threshold`"):
        SelectionConfig()
