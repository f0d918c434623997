"""The objectives' shared score and the digests the rewriter reads (no LM)."""

from autolibra.schema import Metric, MetricSet, Step, Trait, Trajectory
from optimizer.objectives import judged_score
from optimizer.objectives.digest import metrics_digest, success_digest

METRICS = MetricSet(name="m", metrics=[Metric(name="Goal pursuit", explanation="moves toward WIN"),
                                      Metric(name="Efficiency", explanation="no wasted moves")])


def _trajectory(tid: str, success: bool, seed: int = 0) -> Trajectory:
    steps = [Step(index=i, observation=f"rule `baba is you` step {i}", action="left") for i in range(3)]
    return Trajectory(id=tid, env="babaisai", task="env/goto_win", seed=seed, success=success, steps=steps,
                      num_steps=3, outcome="win" if success else "timeout")


def _trait(tid: str, metric: str, rating, reasoning: str = "") -> Trait:
    return Trait(trajectory_id=tid, metric=metric, rating=rating, reasoning=reasoning, steps=[1])


def test_judged_score_is_the_pass_fraction_and_falls_back_to_the_outcome():
    won, lost = _trajectory("a", True), _trajectory("b", False)
    assert judged_score(won, [_trait("a", "Goal pursuit", 1), _trait("a", "Efficiency", -1)]) == 0.5
    assert judged_score(won, [_trait("a", "Goal pursuit", 1), _trait("a", "Efficiency", 0)]) == 1.0
    # nothing applicable or nothing scored: the episode's result, not a made-up middle value
    assert judged_score(won, [_trait("a", "Goal pursuit", None)]) == 1.0
    assert judged_score(lost, [_trait("b", "Goal pursuit", 0)]) == 0.0
    assert judged_score(lost, []) == 0.0


def test_the_metrics_digest_shows_rates_the_worst_failure_and_its_reasoning():
    trajectories = [_trajectory("a", True), _trajectory("b", False, seed=1)]
    traits = [_trait("a", "Goal pursuit", 1), _trait("a", "Efficiency", 1),
              _trait("b", "Goal pursuit", -1, "it walked into the wall"), _trait("b", "Efficiency", None)]
    digest = metrics_digest(METRICS, trajectories, traits, worst=1, successes=1)
    assert "- Goal pursuit: 50% pass (1 pass, 1 fail, 0 not applicable, 0 unscored)" in digest
    assert "- Efficiency: 100% pass (1 pass, 0 fail, 0 not applicable, 1 unscored)" in digest
    worst = digest.split("Worst trajectories")[1].split("Trajectories that went well")[0]
    assert "seed 1" in worst and "it walked into the wall" in worst and "step 1:" in worst
    assert "seed 0: win in 3 steps; passed: Goal pursuit, Efficiency" in digest


def test_the_success_digest_names_no_metric():
    digest = success_digest([_trajectory("a", True), _trajectory("b", False, seed=1)], worst=1, successes=1)
    assert digest.startswith("Success rate: 1/2 episodes.")
    assert "Excerpts of failed episodes" in digest and "Goal pursuit" not in digest
