"""AutoLibra's operators: plain functions, typed data in, the LM passed in, prompts as Signature data."""

from autolibra.operators.base import OperatorCall, OperatorCalls, call_with_retries, parallel_map
from autolibra.operators.clustering import ClusterBehaviors, cluster_behaviors
from autolibra.operators.grounding import GroundFeedback, ground_feedback
from autolibra.operators.judging import JudgeTrajectory, judge_trajectory
from autolibra.operators.matching import AspectMatch, MatchAspects, match_aspects

__all__ = [
    "AspectMatch", "ClusterBehaviors", "GroundFeedback", "JudgeTrajectory", "MatchAspects", "OperatorCall",
    "OperatorCalls", "call_with_retries", "cluster_behaviors", "ground_feedback", "judge_trajectory",
    "match_aspects", "parallel_map",
]
