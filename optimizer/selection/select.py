"""Choosing trajectories from their scores: threshold, duplicate removal, per-task caps, diversity, top-k.

Pure over `Score` records (and, for duplicate removal, each trajectory's action sequence), so every rule is
tested without a model. Every trajectory left out gets one reason, the first rule that removed it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, Field

from optimizer.selection.config import SelectionConfig
from optimizer.selection.scoring import Score, rank_key


class Selection(BaseModel):
    selected: list[str] = Field(default_factory=list)  # trajectory ids, in selection order
    excluded: dict[str, str] = Field(default_factory=dict)  # trajectory id -> why it was left out


def select_trajectories(scores: Sequence[Score], config: SelectionConfig,
                        actions: Mapping[str, Sequence[str]] | None = None) -> Selection:
    """Apply the selection rules in a fixed order; `actions` (id -> action strings) enables dedupe."""
    selection = Selection()
    candidates = []
    for score in sorted(scores, key=rank_key):
        reason = _entry_reason(score, config)
        if reason:
            selection.excluded[score.trajectory_id] = reason
        else:
            candidates.append(score)
    if config.dedupe_actions and actions is not None:
        candidates = _dedupe(candidates, actions, selection)
    if config.per_task_cap is not None:
        candidates = _cap_per_task(candidates, config.per_task_cap, selection)
    ordered = _round_robin(candidates) if config.diversity == "round_robin" else candidates
    limit = config.top_k if config.top_k is not None else len(ordered)
    for position, score in enumerate(ordered):
        if position < limit:
            selection.selected.append(score.trajectory_id)
        else:
            selection.excluded[score.trajectory_id] = f"beyond top-k ({config.top_k}) after diversity ordering"
    return selection


def _entry_reason(score: Score, config: SelectionConfig) -> str | None:
    if score.excluded:
        return score.excluded
    if config.threshold is not None and score.value is not None and score.value < config.threshold:
        return f"score {score.value:.3f} below threshold {config.threshold:g}"
    return None


def _dedupe(candidates: list[Score], actions: Mapping[str, Sequence[str]], selection: Selection) -> list[Score]:
    # Identical action sequences on one task teach the same thing twice: keep the best-ranked copy.
    kept, first_seen = [], {}
    for score in candidates:
        key = (score.task, tuple(a.strip().lower() for a in actions.get(score.trajectory_id, ())))
        if key[1] and key in first_seen:
            selection.excluded[score.trajectory_id] = f"same actions as {first_seen[key]} on the same task"
            continue
        first_seen.setdefault(key, score.trajectory_id)
        kept.append(score)
    return kept


def _cap_per_task(candidates: list[Score], cap: int, selection: Selection) -> list[Score]:
    kept, counts = [], {}
    for score in candidates:
        counts[score.task] = counts.get(score.task, 0) + 1
        if counts[score.task] > cap:
            selection.excluded[score.trajectory_id] = f"per-task cap {cap} reached for task {score.task}"
        else:
            kept.append(score)
    return kept


def _round_robin(candidates: list[Score]) -> list[Score]:
    """Each task's best first, then each task's second best, ...; within a round, by rank. So a top-k cut
    reaches every task before any task gets its second trajectory."""
    by_task: dict[str, list[Score]] = {}
    for score in candidates:  # already in rank order
        by_task.setdefault(score.task, []).append(score)
    ordered = []
    depth = max((len(group) for group in by_task.values()), default=0)
    for level in range(depth):
        layer = [group[level] for group in by_task.values() if level < len(group)]
        ordered.extend(sorted(layer, key=rank_key))
    return ordered
