"""`ladder compare`'s report from a compare directory: the tables, compare.json, the plot, the page."""

from __future__ import annotations

import json

import pytest

from autolibra.errors import InputError
from autolibra.jsonl import write_jsonl
from optimizer.records import CompareRecord, write_record
from optimizer.reporting import CompareReport, build_compare_report, collect, compare_table
from tests.optimizer.report_runs import build_run, episodes

PNG = b"\x89PNG\r\n\x1a\n"


def build_compare(directory):
    """Two finished arms, an arm that never started, a reference with episodes and one without."""
    config = {"name": "cmp", "arms": [{"name": "metrics", "objective": "metrics"},
                                      {"name": "success", "objective": "success"},
                                      {"name": "gepa", "objective": "gepa"}],
              "references": [{"name": "seed <b>"}, {"name": "empty"}], "bootstrap_seed": 3}
    directory.mkdir()
    write_record(directory / "compare_config.json", CompareRecord(compare=config, base={"max_steps": 3}))
    build_run(directory / "arms" / "metrics", final_test=[True, True])
    build_run(directory / "arms" / "success", final_test=[False, True])
    write_jsonl(directory / "references" / "seed <b>" / "test_rollouts.jsonl", episodes([False, False], first_seed=200))
    return directory


def test_collect_pairs_every_arm_and_reference_on_task_and_seed(tmp_path):
    data = collect(build_compare(tmp_path / "cmp"))
    assert list(data.arms) == ["metrics", "success"] and list(data.references) == ["seed <b>"]
    metrics = data.arms["metrics"]
    assert (metrics.rollouts.train, metrics.rollouts.validation, metrics.rollouts.test) == (6, 4, 4)
    assert metrics.rewriter_calls == 1
    assert [(d.a, d.b, d.n, d.seed) for d in data.differences] == [
        ("metrics", "success", 2, 3), ("metrics", "seed <b>", 2, 3), ("success", "seed <b>", 2, 3)]
    assert data.differences[0].mean == pytest.approx(-0.5)
    assert data.config.base == {"max_steps": 3}


def test_compare_table_rows(tmp_path):
    lines = compare_table(collect(build_compare(tmp_path / "cmp"))).splitlines()
    assert lines[2] == "| metrics | 100.0% ± 0.0 (n=2) | 6/4/4 | 1 | 1100/86 |"
    assert lines[3] == "| success | 50.0% ± 35.4 (n=2) | 6/4/4 | 1 | 1100/86 |"
    assert lines[4] == "| seed <b> (fixed prompt) | 0.0% ± 0.0 (n=2) | - | - | - |"
    assert ("- metrics: it0: 0.0% ± 0.0 (n=2); it1: 50.0% ± 35.4 (n=2); final: 100.0% ± 0.0 (n=2)"
            in lines)
    assert "- success - metrics: -50.0 points [-100.0, +0.0] over 2 pairs" in lines


def test_build_compare_report_writes_json_markdown_page_and_plot(tmp_path):
    directory = build_compare(tmp_path / "cmp")
    assert build_compare_report(directory) == directory / "compare.md"
    data = json.loads((directory / "compare.json").read_text())
    assert set(data["arms"]["metrics"]) == {"iterations", "final_test", "lm_usage", "rollouts", "rewriter_calls"}
    assert set(data["arms"]["metrics"]["iterations"][0]) == {"index", "train", "validation", "test", "coverage",
                                                            "redundancy", "metric_rates", "decision"}
    assert data["arms"]["success"]["final_test"]["n"] == 2
    assert data["references"] == {"seed <b>": {"n": 2, "success": 0.0}}
    assert {(d["a"], d["b"]) for d in data["differences"]} >= {("metrics", "success")}
    CompareReport.model_validate(data)
    assert (directory / "compare.md").read_text().startswith("| arm | final test success |")
    page = (directory / "compare.html").read_text()
    assert "seed &lt;b&gt; (fixed prompt)" in page and "seed <b>" not in page
    assert (directory / "plots" / "test_success_per_iteration.png").read_bytes()[:8] == PNG


def test_a_folder_without_compare_config_is_named(tmp_path):
    with pytest.raises(InputError, match="is not a compare directory"):
        collect(tmp_path)
