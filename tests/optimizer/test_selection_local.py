"""One end-to-end selection over the web fixture with the real embedded model as judge (small, bounded)."""

import json
import time

import pytest

from autolibra.schema import MetricSet
from autolibra.web_import import load_web_trajectories
from optimizer.reporting import write_selection_outcome
from optimizer.selection import SelectionConfig, make_judge, run_selection


@pytest.mark.local_model
@pytest.mark.timeout(1200)
def test_local_model_judges_and_selects_web_trajectories(tmp_path, fixtures_dir):
    from autolibra.lm import local_server, make_lm

    root = fixtures_dir / "web"
    # Two short trajectories (a success and a failure of one task), observations cut hard: ~40 tokens/s.
    pool = {t.id: t for t in load_web_trajectories(root / "webvoyager.json", max_observation_chars=300)}
    trajectories = [pool["webvoyager-Allrecipes--3-a"], pool["webvoyager-Allrecipes--3-b"]]
    full = MetricSet.model_validate_json((root / "metrics.json").read_text())
    metrics = full.model_copy(update={"metrics": full.metrics[:2]})
    lm = make_lm("local", role="judge")
    config = SelectionConfig(top_k=1, formats=["openai"], per="episode")
    started = time.monotonic()
    try:
        result = run_selection(trajectories, metrics, [], config, tmp_path / "out",
                               judge=make_judge(lm, token_budget=600, retries=1))
    finally:
        local_server.stop_all()
    elapsed = time.monotonic() - started
    write_selection_outcome(result)

    assert result.judged == 4  # every (trajectory, metric) pair was asked of the real judge
    traits = [json.loads(line) for line in (tmp_path / "out" / "traits.jsonl").read_text().splitlines()]
    assert len(traits) == 4
    for trait in traits:
        assert trait["rating"] in (-1, 0, 1) or (trait["rating"] is None and trait["error"])
    scored = [t for t in traits if t["rating"] is not None]
    print(f"local judge: {len(scored)}/4 traits scored in {elapsed:.0f}s; "
          f"scores {[(s.trajectory_id, s.value) for s in result.scores]}; selected {result.selected_ids}")
    assert scored, "the local judge produced no parseable verdict at all"
    # Whatever the verdicts, selection and export ran on them: at most one selected, exported as one episode.
    assert len(result.selected) <= 1 and result.examples["openai"] == len(result.selected)
    assert (tmp_path / "out" / "report.json").exists()
