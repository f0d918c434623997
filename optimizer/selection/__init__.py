"""Selecting fine-tuning data with induced metrics (AutoLibra's second application).

Score each trajectory from its traits, select the best under caps and diversity rules, export chat
fine-tuning data (OpenAI JSONL, Hugging Face dataset directory) and a report. See docs/selection.md.
"""

from optimizer.selection.config import SelectionConfig
from optimizer.selection.export import export_chat_jsonl, export_hf_dataset, trajectory_examples
from optimizer.selection.iterative import Inducer, iterate_selection, keep_old_metrics, make_inducer
from optimizer.selection.pipeline import SelectionResult, run_selection
from optimizer.selection.scoring import Judge, Score, make_judge, rank_key, score_trajectories, score_trajectory
from optimizer.selection.select import Selection, select_trajectories

__all__ = [
    "Inducer", "Judge", "Score", "Selection", "SelectionConfig", "SelectionResult",
    "export_chat_jsonl", "export_hf_dataset", "iterate_selection", "keep_old_metrics",
    "make_inducer", "make_judge", "rank_key", "run_selection", "score_trajectories", "score_trajectory",
    "select_trajectories", "trajectory_examples",
]
