"""AutoLibra end to end on the embedded local model (Qwen2.5-Coder-1.5B): structure, not wording.

Bounded for a 2-core machine: one short Baba trajectory, one clustering round, short outputs (about six
calls: ground, cluster, judge, match, with retries only if a reply is unusable).
"""

import time

import pytest

from autolibra.induction import induce_metrics
from autolibra.operators import CallLog

pytestmark = [pytest.mark.local_model, pytest.mark.timeout(1800)]


def test_induce_judge_and_measure_on_the_local_model(baba_instances):
    from autolibra.lm import LMSession

    chosen = [baba_instances[1]]  # the wall-bumping episode
    calls = CallLog()
    started = time.monotonic()
    with LMSession({"default": {"model": "local", "max_tokens": 350, "temperature": 0}}) as session:
        result = induce_metrics(chosen, session, heldout=0.0, max_rounds=1, workers=1, token_budget=300,
                                calls=calls)
    elapsed = time.monotonic() - started
    print(f"\nlocal e2e: {len(calls)} calls, {calls.usage().input} prompt / {calls.usage().output} completion "
          f"tokens, {elapsed:.0f}s; metrics {result.metrics.names()}; coverage {result.coverage}, "
          f"redundancy {result.redundancy}; failed calls {result.failed_calls}, unscored {result.unscored_traits}")
    assert result.metrics.metrics and all(m.name.strip() and m.explanation.strip() for m in result.metrics.metrics)
    assert result.aspects and all(a.behavior.strip() for a in result.aspects)
    names = result.metrics.names()
    for instance in chosen:
        own = [t for t in result.traits if t.trajectory_id == instance.trajectory.id]
        assert [t.metric for t in own] == names  # exactly one trait per metric, in order
        assert all(t.rating in (-1, 0, 1) or (t.rating is None and t.error) for t in own)
    assert len(result.matches) == len(result.aspects)
    usable = [m for m in result.matches if m.error is None]
    assert result.coverage.denominator == len(usable)
    assert all(r.prompt_tokens > 0 for r in calls.records if r.ok)
    assert result.rounds and result.rounds[0].tokens.input > 0
