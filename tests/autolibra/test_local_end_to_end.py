"""AutoLibra end to end on the embedded local model (Qwen2.5-Coder-1.5B): structure, not wording.

Bounded for a 2-core machine: three short Baba trajectories (two to induce from, one held out for the
meta-metrics), one clustering round, short outputs: about ten calls, a couple of minutes on a quiet machine.
"""

import time

import pytest

from autolibra.induction import induce_metrics
from autolibra.operators import OperatorCalls

pytestmark = [pytest.mark.local_model, pytest.mark.timeout(1800)]


def test_induce_judge_and_measure_on_the_local_model(baba_instances):
    from autolibra.lm import LMSession

    chosen = baba_instances[:3]
    calls = OperatorCalls()
    started = time.monotonic()
    with LMSession({"default": {"model": "local", "max_tokens": 350, "temperature": 0}}) as session:
        result = induce_metrics(chosen, session, heldout=[chosen[2].id], max_rounds=1, workers=2,
                                token_budget=300, calls=calls)
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
    assert result.heldout_ids == [chosen[2].id]
    heldout_aspects = [a for a in result.aspects if a.instance_id == chosen[2].id]
    assert len(result.matches) == len(heldout_aspects)  # coverage is measured on the held-out instance
    usable = [m for m in result.matches if m.error is None]
    assert result.coverage.denominator == len(usable)
    assert len(calls) >= 5 and all(r.prompt_tokens > 0 for r in calls.records if r.ok)
    assert result.rounds and result.rounds[0].tokens.input > 0
