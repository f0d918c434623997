import pytest

from autolibra.errors import ConfigError
from autolibra.schema import Feedback, Metric, MetricSet, Step, Trait, Trajectory
from optimizer.selection import (Score, SelectionConfig, iterate_selection, keep_old_metrics,
                                 select_trajectories)


def score(tid, task, value, applicable=2, steps=3, excluded=None):
    return Score(trajectory_id=tid, task=task, value=value, passed=applicable, num_steps=steps, excluded=excluded)


POOL = [score("a1", "A", 1.0), score("a2", "A", 0.9), score("a3", "A", 0.8), score("a4", "A", 0.7),
        score("b1", "B", 0.6), score("c1", "C", 0.5), score("c2", "C", 0.2), score("x", "X", None, 0, excluded="not successful")]


def test_top_k_with_round_robin_reaches_every_task_first():
    chosen = select_trajectories(POOL, SelectionConfig(top_k=4))
    assert chosen.selected == ["a1", "b1", "c1", "a2"]
    assert chosen.excluded["x"] == "not successful"
    assert chosen.excluded["a3"].startswith("beyond top-k (4)")


def test_plain_rank_order_lets_one_task_dominate():
    chosen = select_trajectories(POOL, SelectionConfig(top_k=4, diversity="none"))
    assert chosen.selected == ["a1", "a2", "a3", "a4"]


def test_threshold_and_per_task_cap_with_reasons():
    chosen = select_trajectories(POOL, SelectionConfig(threshold=0.5, per_task_cap=2))
    assert sorted(chosen.selected) == ["a1", "a2", "b1", "c1"]
    assert chosen.excluded["a3"] == "per-task cap 2 reached for task A"
    assert chosen.excluded["c2"] == "score 0.200 below threshold 0.5"
    assert set(chosen.selected) | set(chosen.excluded) == {s.trajectory_id for s in POOL}


def test_duplicate_action_sequences_on_one_task_are_dropped():
    pool = [score("p", "A", 1.0), score("q", "A", 0.9), score("r", "B", 0.9)]
    actions = {"p": ["click [1]", "stop [x]"], "q": ["Click [1] ", "stop [x]"], "r": ["click [1]", "stop [x]"]}
    chosen = select_trajectories(pool, SelectionConfig(top_k=5), actions)
    assert chosen.selected == ["p", "r"] and chosen.excluded["q"] == "same actions as p on the same task"
    kept = select_trajectories(pool, SelectionConfig(top_k=5, dedupe_actions=False), actions)
    assert sorted(kept.selected) == ["p", "q", "r"]


def test_selection_is_deterministic_under_input_order():
    config = SelectionConfig(top_k=5, per_task_cap=2)
    assert select_trajectories(POOL, config) == select_trajectories(list(reversed(POOL)), config)


# ---- iterative mode: select, re-induce from feedback on the selected set, select again

def traj(tid, task):
    return Trajectory(id=tid, env="web", task=task, success=True, num_steps=1,
                      steps=[Step(index=0, observation="page", action=f"stop [{tid}]")])


BASE = MetricSet(name="web", metrics=[Metric(name="Answer grounding", explanation="answers from evidence")])
NEW = Metric(name="Constraint checking", explanation="checks every constraint before answering")


class FakeInducer:
    def __init__(self, adds):
        self.adds, self.calls = list(adds), []

    def __call__(self, instances, existing):
        self.calls.append(sorted(i.trajectory.id for i in instances))
        added = self.adds.pop(0) if self.adds else []
        # try to redefine the old metric too: keep_old_metrics must ignore that
        old = [m.model_copy(update={"explanation": "REDEFINED"}) for m in existing.metrics]
        return existing.model_copy(update={"metrics": old + added})


def test_iterative_round_drops_a_trajectory_the_new_metric_exposes():
    runs = [traj("t1", "A"), traj("t2", "B"), traj("t3", "C")]
    stored = [Trait(trajectory_id=t, metric="Answer grounding", rating=r) for t, r in (("t1", 1), ("t2", 1), ("t3", -1))]
    verdicts = {"t1": 1, "t2": -1, "t3": 1}
    asked = []

    def judge(trajectory, metrics):
        asked.append((trajectory.id, metrics.names()))
        return [Trait(trajectory_id=trajectory.id, metric=m, rating=verdicts[trajectory.id]) for m in metrics.names()]

    feedback = [Feedback(trajectory_id="t2", text="It never checked the date range."),
                Feedback(trajectory_id="t3", text="not selected, must not be used")]
    inducer = FakeInducer([[NEW], []])
    outcome = iterate_selection(runs, BASE, stored, SelectionConfig(threshold=0.75, iterations=3),
                                judge=judge, feedback=feedback, induce=inducer)
    assert outcome.rounds[0].selected_ids == ["t1", "t2"]
    assert inducer.calls[0] == ["t2"]  # feedback on the selected set only
    assert asked == [("t1", ["Constraint checking"]), ("t2", ["Constraint checking"]),
                     ("t3", ["Constraint checking"])]  # old judgments reused, only the new metric judged
    assert outcome.selection.selected == ["t1"] and outcome.rounds[1].new_metrics == 1
    assert outcome.metrics.get("Answer grounding").explanation == "answers from evidence"
    assert outcome.rounds[-1].stop_reason in ("induction added no new metric",
                                              "no feedback on the selected trajectories to induce new metrics from")
    assert outcome.judged == 3


def test_iterations_without_an_inducer_is_a_config_error():
    with pytest.raises(ConfigError, match="needs a metric inducer"):
        iterate_selection([traj("t1", "A")], BASE, [], SelectionConfig(top_k=1, iterations=2))


def test_keep_old_metrics_appends_and_bumps_version():
    extended = keep_old_metrics(BASE, MetricSet(name="web", metrics=[
        Metric(name="Answer grounding", explanation="changed"), NEW]))
    assert extended.names() == ["Answer grounding", "Constraint checking"]
    assert extended.metrics[0].explanation == "answers from evidence" and extended.version == BASE.version + 1
