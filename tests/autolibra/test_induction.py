"""The induction loop against a scripted fake LM that plays all four roles by reading the prompts."""

import json
import re

import pytest

from autolibra.errors import InputError
from autolibra.induction import induce_metrics, split_instances
from autolibra.lm.fake import fake_lm
from autolibra.schema import Metric, MetricSet

LABELS = {"Good: the agent walked": "ok", "Bad: it kept pressing": "wall", "There is no WIN": "norule",
          "Nice rule work": "break", "Three of its": "invalid", "The agent went back": "osc"}
COVERS = {"ok": "Efficiency", "wall": "Efficiency", "norule": "Rule handling", "osc": "Efficiency"}
ROUND_METRICS = ["Efficiency", "Rule handling", "Noise"]


class World:
    """Fake roles. Round 1 adds Efficiency (covers ok, wall), round 2 Rule handling (norule), round 3
    Noise, whose presence makes the judge rate Efficiency 0: coverage drops and round 2's set is kept."""

    def __init__(self):
        self.cluster_prompts = []

    def __call__(self, messages):
        system, user = messages[0]["content"], messages[-1]["content"]
        output = re.search(r"Your output fields are:\s*1\. `(\w+)`", system).group(1)
        if output == "aspects":
            label = next(v for k, v in LABELS.items() if k in user)
            return json.dumps({"aspects": [{"behavior": f"behavior {label}", "feedback": "f",
                                            "is_positive": False, "steps": [0]}]})
        if output == "metrics":
            self.cluster_prompts.append(user)
            name = ROUND_METRICS[len(self.cluster_prompts) - 1]
            return json.dumps({"metrics": [{"name": name, "explanation": f"{name} matters.",
                                            "good_behaviors": [], "bad_behaviors": ["x"]}]})
        if output == "verdicts":
            names = re.findall(r"^- ([^:]+):", user.split("[[ ## trajectory")[0], re.MULTILINE)
            noise = "Noise" in names
            return json.dumps({"verdicts": [{"metric": n, "rating": 0 if (noise and n == "Efficiency") else -1,
                                             "reasoning": "r", "steps": []} for n in names]})
        if output == "matches":
            points = re.findall(r"^(\d+)\. \(-\) behavior (\w+)", user, re.MULTILINE)
            verdicts = re.findall(r"^- (.+?) \(-\):", user, re.MULTILINE)
            return json.dumps({"matches": [{"point": int(n), "metric": COVERS.get(label) if COVERS.get(label)
                                            in verdicts else "none"} for n, label in points]})
        raise AssertionError(f"unexpected prompt: {system[:200]}")


def test_iterative_loop_keeps_the_set_before_coverage_drops(baba_instances):
    world = World()
    lm = fake_lm(world)
    heldout = ["baba-invalid", "baba-oscillate"]
    result = induce_metrics(baba_instances, {"default": lm}, heldout=heldout, max_rounds=5, workers=2)
    assert result.metrics.names() == ["Efficiency", "Rule handling"]
    assert result.metrics.version == 2 and len(result.metrics.provenance) == 2
    assert [(r.round, r.metrics_added, r.kept) for r in result.rounds] == [
        (1, ["Efficiency"], True), (2, ["Rule handling"], True), (3, ["Noise"], False)]
    assert [(r.coverage.numerator, r.coverage.denominator) for r in result.rounds] == [(2, 4), (3, 4), (1, 4)]
    # Round 2 clustered only what round 1 left uncovered.
    assert "behavior norule" in world.cluster_prompts[1] and "behavior ok" not in world.cluster_prompts[1]
    # Held-out: osc is covered by Efficiency; invalid by nothing. 4 detected traits, 3 unmatched.
    assert (result.coverage.numerator, result.coverage.denominator) == (1, 2)
    assert (result.redundancy.numerator, result.redundancy.denominator) == (3, 4)
    assert sorted(result.heldout_ids) == ["baba-invalid#human:fixture", "baba-oscillate#human:fixture"]
    assert len(result.aspects) == 6 and len(result.traits) == 6 * 2
    assert all(r.tokens.input > 0 for r in result.rounds) and result.failed_calls == 0


def test_incremental_induction_keeps_existing_metrics(baba_instances):
    world = World()
    world.cluster_prompts.append("(round 1 already done)")
    existing = MetricSet(name="stage0", metrics=[Metric(name="Efficiency", explanation="Efficiency matters.")])
    result = induce_metrics(baba_instances[:4], {"default": fake_lm(world)}, existing=existing, heldout=0.0,
                            max_rounds=1)
    assert result.rounds[0].kind == "existing" and result.rounds[0].coverage.numerator == 2
    assert result.metrics.names() == ["Efficiency", "Rule handling"]
    assert result.metrics.get("Efficiency").explanation == "Efficiency matters."
    assert result.metrics.name == "stage0" and result.heldout_ids == []


def test_failed_grounding_is_counted_and_the_run_goes_on(baba_instances):
    world = World()

    def flaky(messages):
        if "`aspects`" in messages[0]["content"] and "Three of its" in messages[-1]["content"]:
            return "I cannot do that"
        return world(messages)

    result = induce_metrics(baba_instances, {"default": fake_lm(flaky)}, heldout=["baba-oscillate"], max_rounds=1)
    assert list(result.failed_groundings) == ["baba-invalid#human:fixture"]
    assert result.failed_calls == 3  # one call and two retries
    assert len(result.aspects) == 5


def test_bad_instances_are_rejected_before_any_call(baba_instances):
    empty = baba_instances[2].model_copy(update={"feedback": ""})
    lm = fake_lm([])
    with pytest.raises(InputError, match="baba-make-win-norule#human:fixture: feedback is empty"):
        induce_metrics([baba_instances[0], empty], {"default": lm})
    assert lm.fake.calls == []


def test_split_is_by_trajectory_and_deterministic(baba_instances):
    train, test = split_instances(baba_instances, 0.34, seed=1)
    assert len(test) == 2 and len(train) == 4
    assert split_instances(baba_instances, 0.34, seed=1)[1] == test
    with pytest.raises(InputError, match="heldout"):
        split_instances(baba_instances, 1.5)


def test_search_over_n_prefers_equal_coverage_with_less_redundancy(baba_instances):
    def script(messages):
        system, user = messages[0]["content"], messages[-1]["content"]
        output = re.search(r"Your output fields are:\s*1\. `(\w+)`", system).group(1)
        if output == "aspects":
            return json.dumps({"aspects": [{"behavior": "b", "feedback": "f", "is_positive": False, "steps": []}]})
        if output == "metrics":
            n = int(re.search(r"about (\d+) new metrics", user).group(1))
            return json.dumps({"metrics": [{"name": f"M{i}", "explanation": "e"} for i in range(1, n + 1)]})
        if output == "verdicts":
            names = re.findall(r"^- (M\d+):", user, re.MULTILINE)
            return json.dumps({"verdicts": [{"metric": n, "rating": -1, "reasoning": "r"} for n in names]})
        return json.dumps({"matches": [{"point": 1, "metric": "M1"}]})

    result = induce_metrics(baba_instances[:3], {"default": fake_lm(script)}, heldout=0.0, search=[4, 7])
    # Every N covers everything; fewer metrics leave fewer unmatched traits, so the search walks down to 1.
    assert [r.n_requested for r in result.rounds] == [4, 7, 2, 3, 5, 6, 1]
    assert [r.n_requested for r in result.rounds if r.kept] == [1]
    assert result.metrics.names() == ["M1"] and result.redundancy.numerator == 0
