"""`run_selection`: score, select, export and report in one call (used by `ladder select` and the loop).

Everything it writes lands in `out_dir`:

    traits.jsonl           every judgment used (stored ones reused, missing ones newly judged)
    metrics.json           the metric set used (extended by re-induction in iterative mode)
    selected.jsonl         the selected Trajectory records, in selection order
    train.jsonl            OpenAI chat fine-tuning data            (formats: openai)
    hf/                    data/train.jsonl + README.md card       (formats: hf)

`run_selection` returns what it selected and why; the caller writes the report (report.json, report.md,
score_histogram.png) with `write_selection_outcome`, so that all reporting stays in optimizer/reporting.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from autolibra.jsonl import write_json, write_jsonl
from autolibra.schema import Feedback, MetricSet, Trait, Trajectory
from optimizer.selection.config import SelectionConfig
from optimizer.selection.export import export_chat_jsonl, export_hf_dataset
from optimizer.selection.iterative import Inducer, RoundSummary, iterate_selection
from optimizer.selection.scoring import Judge, Score
from optimizer.selection.select import Selection


class SelectionResult(BaseModel):
    selected: list[Trajectory]  # in selection order
    scores: list[Score]  # ranked best first
    selection: Selection  # the chosen ids and every exclusion with its reason
    config: SelectionConfig
    metrics: MetricSet  # the set the final round scored with
    judged: int  # traits newly judged (the rest were reused)
    rounds: list[RoundSummary]
    out_dir: str
    exports: dict[str, str] = Field(default_factory=dict)  # format -> path
    examples: dict[str, int] = Field(default_factory=dict)  # format -> examples written

    @property
    def selected_ids(self) -> list[str]:
        return [t.id for t in self.selected]

    @property
    def excluded(self) -> dict[str, str]:  # trajectory id -> reason
        return self.selection.excluded


def run_selection(trajectories: Sequence[Trajectory], metrics: MetricSet, traits: Sequence[Trait],
                  config: SelectionConfig, out_dir: str | Path, *, judge: Judge | None = None,
                  feedback: Sequence[Feedback] = (), induce: Inducer | None = None) -> SelectionResult:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    outcome = iterate_selection(trajectories, metrics, traits, config, judge=judge, feedback=feedback,
                                induce=induce)
    write_jsonl(out_dir / "traits.jsonl", outcome.traits)
    write_json(out_dir / "metrics.json", outcome.metrics)
    by_id = {t.id: t for t in trajectories}
    selected = [by_id[i] for i in outcome.selection.selected]
    write_jsonl(out_dir / "selected.jsonl", selected)

    options = {"per": config.per, "history": config.history, "system_prompt": config.system_prompt,
               "include_reasoning": config.include_reasoning}
    exports, examples = {}, {}
    if "openai" in config.formats:
        path = out_dir / "train.jsonl"
        examples["openai"] = export_chat_jsonl(selected, path, **options)
        exports["openai"] = str(path)
    if "hf" in config.formats:
        values = {s.trajectory_id: s.value for s in outcome.scores}
        path = export_hf_dataset(selected, out_dir / "hf", scores=values, name=f"{metrics.name}-selection",
                                 **options)
        examples["hf"] = sum(1 for line in (path / "data" / "train.jsonl").open(encoding="utf-8") if line.strip())
        exports["hf"] = str(path)

    return SelectionResult(selected=selected, scores=outcome.scores, selection=outcome.selection, config=config,
                           metrics=outcome.metrics, judged=outcome.judged, rounds=outcome.rounds,
                           out_dir=str(out_dir), exports=exports, examples=examples)
