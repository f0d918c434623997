"""Objectives: interchangeable strategies that propose the agent's next instructions.

`metrics` (AutoLibra's judged metrics -> a DSPy rewriter), `success` (episode success -> the same
rewriter; the baseline), `gepa` (DSPy's GEPA scored by the judged metrics). All meet `Objective`.
"""

from optimizer.objectives.base import Objective, Proposal, TrainingData, judged_score
from optimizer.objectives.gepa import GepaObjective
from optimizer.objectives.reflective import MetricsObjective, SuccessObjective

OBJECTIVES: dict[str, type] = {"metrics": MetricsObjective, "success": SuccessObjective, "gepa": GepaObjective}


def objective_named(name: str) -> Objective:
    return OBJECTIVES[name]()


__all__ = ["Objective", "Proposal", "TrainingData", "judged_score", "objective_named", "OBJECTIVES",
           "MetricsObjective", "SuccessObjective", "GepaObjective"]
