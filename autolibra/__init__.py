"""AutoLibra: induce agent metrics from open-ended feedback (grounding, clustering, judging, meta-metrics).

The schema classes and the scoring arithmetic load eagerly; the operators (which import DSPy) load on
first use, so importing `autolibra.schema`, `autolibra.scoring` or `autolibra.errors` stays cheap for the
CLI and the envs.
"""

from importlib import import_module
from typing import Any

from autolibra.schema import (Aspect, Feedback, Instance, Metric, MetricSet, Provenance, Step, TokenUsage,
                              Trait, Trajectory)
from autolibra.scoring import Aggregate, MetricRate, TrajectoryScore, metric_rates, trajectory_score

_LAZY = {
    "ground_feedback": "autolibra.operators.grounding",
    "cluster_behaviors": "autolibra.operators.clustering",
    "judge_trajectory": "autolibra.operators.judging",
    "match_aspects": "autolibra.operators.matching",
    "AspectMatch": "autolibra.operators.matching",
    "OperatorCalls": "autolibra.operators.base",
    "coverage": "autolibra.meta_metrics",
    "redundancy": "autolibra.meta_metrics",
    "Ratio": "autolibra.meta_metrics",
    "induce_metrics": "autolibra.induction",
    "measure_metrics": "autolibra.induction",
    "InductionResult": "autolibra.induction",
    "render_trajectory": "autolibra.render",
    "load_instances": "autolibra.instances",
    "load_trajectories": "autolibra.instances",
    "import_balrog_run": "autolibra.balrog_import",
}

__all__ = ["Aggregate", "Aspect", "Feedback", "Instance", "Metric", "MetricRate", "MetricSet", "Provenance", "Step",
           "TokenUsage", "Trait", "Trajectory", "TrajectoryScore", "metric_rates", "trajectory_score", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'autolibra' has no attribute {name!r}")
