"""The four operators against the scripted fake LM: what reaches the prompt, how replies are validated."""

import json

import pytest

from autolibra.errors import InputError, UnparseableReply
from autolibra.lm.fake import fake_lm
from autolibra.operators import OperatorCalls, cluster_behaviors, ground_feedback, judge_trajectory, match_aspects
from autolibra.schema import Aspect, Metric, MetricSet, Trait


def reply(**fields) -> str:
    """A scripted JSONAdapter reply: a plain JSON object of the output fields."""
    return json.dumps(fields)


def _aspect(text, positive=False, instance="baba-goto-win-wall#human:fixture"):
    return Aspect(instance_id=instance, behavior=text, feedback=text, is_positive=positive)


METRICS = MetricSet(name="m", metrics=[
    Metric(name="Action effectiveness", explanation="Notices when an action changes nothing.",
           good_behaviors=["changes direction after a blocked move"], bad_behaviors=["walks into a wall 5 times"]),
    Metric(name="Output format", explanation="Replies with exactly one legal action word."),
])


def test_ground_feedback_prompt_and_parse(baba_instances):
    instance = baba_instances[1]
    lm = fake_lm([reply(aspects=[
        {"behavior": "pressed up into the wall at [0]-[4]", "feedback": "kept pressing up", "is_positive": False,
         "steps": [0, 1, 2, 3, 4, 99]}])])
    calls = OperatorCalls()
    aspects = ground_feedback(instance, lm, calls=calls)
    assert len(aspects) == 1 and not aspects[0].is_positive
    assert aspects[0].steps == [0, 1, 2, 3, 4]  # out-of-range step dropped
    assert aspects[0].instance_id == instance.id
    prompt = lm.fake.calls[0].last_user
    assert instance.feedback in prompt and "[4] action: up" in prompt
    assert calls.records[0].ok and calls.records[0].prompt_tokens > 0


def test_ground_feedback_retries_then_reports_unparseable(baba_instances):
    lm = fake_lm(["not json at all", reply(aspects=[]), "{\"aspects\": [{\"behavior\": \"\"}]}"])
    calls = OperatorCalls()
    with pytest.raises(UnparseableReply) as caught:
        ground_feedback(baba_instances[0], lm, calls=calls)
    assert len(lm.fake.calls) == 3 and calls.failures() == 3
    assert baba_instances[0].id in str(caught.value)


def test_ground_feedback_template_override(baba_instances):
    lm = fake_lm([reply(aspects=[{"behavior": "b", "feedback": "f", "is_positive": True, "steps": []}])])
    ground_feedback(baba_instances[0], lm, template="CUSTOM INSTRUCTIONS XYZ")
    assert "CUSTOM INSTRUCTIONS XYZ" in lm.fake.calls[0].text


def test_ground_feedback_rejects_bad_instances(baba_instances):
    empty = baba_instances[0].model_copy(update={"feedback": "  "})
    with pytest.raises(InputError, match="baba-goto-win-ok#human:fixture: feedback is empty"):
        ground_feedback(empty, fake_lm([]))
    no_steps = baba_instances[0].model_copy(
        update={"trajectory": baba_instances[0].trajectory.model_copy(update={"steps": []})})
    with pytest.raises(InputError, match="has no steps"):
        ground_feedback(no_steps, fake_lm([]))


def test_cluster_behaviors_extends_without_redefining():
    lm = fake_lm([reply(metrics=[
        {"name": "action effectiveness", "explanation": "REDEFINED", "good_behaviors": [],
         "bad_behaviors": ["keeps walking left into a wall"]},
        {"name": "Plan consistency", "explanation": "Sticks to a plan.", "good_behaviors": ["follows its plan"],
         "bad_behaviors": ["flips direction each step"]}])])
    aspects = [_aspect("flipped between left and right"), _aspect("walked left into a wall")]
    result = cluster_behaviors(aspects, lm, existing=METRICS, n_metrics=1, iteration=3)
    assert result.names() == ["Action effectiveness", "Output format", "Plan consistency"]
    old = result.get("Action effectiveness")
    assert old.explanation == METRICS.metrics[0].explanation
    assert old.bad_behaviors == ["walks into a wall 5 times", "keeps walking left into a wall"]
    assert result.version == 2 and result.provenance[-1].iteration == 3
    assert result.provenance[-1].instance_ids == ["baba-goto-win-wall#human:fixture"]
    prompt = lm.fake.calls[0].last_user
    assert "(-) flipped between left and right" in prompt and "- Output format:" in prompt
    assert "about 1 new metrics" in prompt
    assert METRICS.version == 1 and len(METRICS.metrics) == 2  # the input set is not mutated


def test_cluster_behaviors_rejects_a_reply_that_adds_nothing():
    no_change = reply(metrics=[{"name": "Output format", "explanation": "x"}])
    with pytest.raises(UnparseableReply):
        cluster_behaviors([_aspect("x")], fake_lm([no_change] * 3), existing=METRICS)


def test_judge_trajectory_parses_and_names_every_metric(baba_instances):
    trajectory = baba_instances[1].trajectory
    lm = fake_lm([reply(verdicts=[
        {"metric": "Action effectiveness", "rating": -1, "reasoning": "Up five times at [0]-[4].", "steps": [0, 4]},
        {"metric": "output format", "rating": 0, "reasoning": "All valid.", "steps": []}])])
    traits = judge_trajectory(trajectory, METRICS, lm)
    assert [(t.metric, t.rating) for t in traits] == [("Action effectiveness", -1), ("Output format", 0)]
    assert traits[0].steps == [0, 4] and traits[0].trajectory_id == trajectory.id
    prompt = lm.fake.calls[0].last_user
    assert "- Action effectiveness: Notices when an action changes nothing." in prompt
    assert "Bad: walks into a wall 5 times." in prompt


def test_judge_unknown_metric_gives_unscored_traits_not_zero(baba_instances):
    bad = reply(verdicts=[{"metric": "Action effectiveness", "rating": 1, "reasoning": "ok", "steps": []},
                          {"metric": "Made up metric", "rating": 1, "reasoning": "?", "steps": []}])
    lm = fake_lm([bad, bad, "garbage"])
    traits = judge_trajectory(baba_instances[0].trajectory, METRICS, lm, retries=2)
    assert len(lm.fake.calls) == 3
    assert traits[0].rating == 1 and traits[0].error is None
    assert traits[1].rating is None and "unknown metric 'Made up metric'" in traits[1].error


def test_judge_out_of_range_rating_then_success_on_retry(baba_instances):
    first = reply(verdicts=[{"metric": "Action effectiveness", "rating": 5, "reasoning": "", "steps": []},
                            {"metric": "Output format", "rating": 1, "reasoning": "", "steps": []}])
    second = reply(verdicts=[{"metric": "Action effectiveness", "rating": 1, "reasoning": "", "steps": []},
                             {"metric": "Output format", "rating": 1, "reasoning": "", "steps": []}])
    calls = OperatorCalls()
    traits = judge_trajectory(baba_instances[0].trajectory, METRICS, fake_lm([first, second]), calls=calls)
    assert [t.rating for t in traits] == [1, 1]
    assert [r.ok for r in calls.records] == [False, True]


def test_match_aspects_enforces_sign_and_skips_impossible_aspects():
    traj = "baba-goto-win-wall"
    traits = [Trait(trajectory_id=traj, metric="Action effectiveness", rating=-1, reasoning="walked into wall"),
              Trait(trajectory_id=traj, metric="Output format", rating=1, reasoning="valid words")]
    aspects = [_aspect("walked into the wall"), _aspect("used valid words", positive=True),
               _aspect("flipped direction"), _aspect("moved diagonally", instance="other#human")]
    lm = fake_lm([reply(matches=[{"point": 1, "metric": "Action effectiveness"},
                                 {"point": 2, "metric": "Output format"}, {"point": 3, "metric": "none"}])])
    matches = match_aspects(aspects, traits, lm, workers=1)
    assert [m.metric for m in matches] == ["Action effectiveness", "Output format", None, None]
    assert matches[3].trajectory_id is None and len(lm.fake.calls) == 1
    prompt = lm.fake.calls[0].last_user
    assert "1. (-) walked into the wall" in prompt and "- Output format (+): valid words" in prompt


def test_match_aspects_wrong_sign_is_retried_then_recorded_as_error():
    traj = "baba-goto-win-wall"
    traits = [Trait(trajectory_id=traj, metric="Output format", rating=1, reasoning="valid"),
              Trait(trajectory_id=traj, metric="Action effectiveness", rating=-1, reasoning="wall")]
    wrong = reply(matches=[{"point": 1, "metric": "Output format"}])  # a (-) aspect to a (+) trait
    matches = match_aspects([_aspect("walked into the wall")], traits, fake_lm([wrong] * 3), workers=1)
    assert matches[0].metric is None and "opposite signs" in matches[0].error


def test_match_accepts_a_metric_name_echoed_with_its_sign_label():
    from autolibra.operators.matching import MatchItem, parse_matches
    from autolibra.schema import Aspect, Trait

    aspect = Aspect(instance_id="i", behavior="bumped the wall", feedback="bumped", is_positive=False, steps=[1])
    trait = Trait(trajectory_id="t", metric="Wasted Moves", rating=-1, reasoning="bumped [1]")
    chosen, issues = parse_matches([MatchItem(point=1, metric="Wasted Moves (-)")], [aspect], [trait])
    assert chosen == {0: "Wasted Moves"} and issues == []
