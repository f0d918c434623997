"""The selection report: counts per task and per exclusion reason, pass rates, Markdown, files."""

from __future__ import annotations

from autolibra.schema import Metric, MetricSet
from optimizer.reporting import SelectionReport, build_selection_report, write_selection_report
from optimizer.reporting.selection import render_markdown
from optimizer.selection.config import SelectionConfig
from optimizer.selection.scoring import Score
from optimizer.selection.select import Selection

METRICS = MetricSet(name="web", metrics=[Metric(name="Finds the page", explanation="."),
                                         Metric(name="Answers | briefly", explanation="."),
                                         Metric(name="Never applies", explanation=".")])


def scores() -> list[Score]:
    return [Score(trajectory_id="a1", task="shop", value=1.0, passed=2,
                  ratings={"Finds the page": 1, "Answers | briefly": 1, "Never applies": 0}),
            Score(trajectory_id="a2", task="shop", value=0.5, passed=1, failed=1,
                  ratings={"Finds the page": 1, "Answers | briefly": -1, "Never applies": None}),
            Score(trajectory_id="b1", task="map", value=0.0, failed=1,
                  ratings={"Finds the page": -1, "Answers | briefly": 0, "old metric": 1}),
            Score(trajectory_id="b2", task="map", value=None, unscored=1, ratings={"Finds the page": None},
                  excluded="no applicable metric (every trait rated 0, unscored, or weighted 0)")]


def report() -> SelectionReport:
    selection = Selection(selected=["a1", "b1"], excluded={
        "a2": "per-task cap 1 reached for task shop",
        "b2": "no applicable metric (every trait rated 0, unscored, or weighted 0)"})
    return build_selection_report(scores(), selection, SelectionConfig(top_k=2, per_task_cap=1), METRICS)


def test_counts_per_task_and_per_reason_kind():
    built = report()
    assert (built.total, built.selected, built.selected_ids) == (4, 2, ["a1", "b1"])
    assert [(t.task, t.total, t.selected) for t in built.per_task] == [("map", 2, 1), ("shop", 2, 1)]
    assert built.exclusion_counts == {"no applicable metric": 1, "per-task cap": 1}
    assert (built.metric_set, built.metric_names) == ("web", METRICS.names())


def test_pass_rates_count_only_applicable_ratings_of_the_set():
    rates = report().metric_pass_rate
    assert rates["Finds the page"] == {"all": round(2 / 3, 4), "selected": 0.5}
    assert rates["Answers | briefly"] == {"all": 0.5, "selected": 1.0}
    assert rates["Never applies"] == {"all": None, "selected": None}
    assert "old metric" not in rates


def test_markdown_tables_keep_data_from_breaking_cells():
    markdown = render_markdown(report())
    assert markdown.startswith("# Selection report: 2 of 4 trajectories selected\n")
    assert "| shop | 1 | 2 |" in markdown
    assert "| a2 | shop | 0.500 | 1 | 1 | 0 | 0 | per-task cap 1 reached for task shop |" in markdown
    assert "| b2 | map | - | 0 | 0 | 0 | 1 | no applicable metric" in markdown
    assert "| Answers \\| briefly | 50% | 100% |" in markdown and "| Never applies | - | - |" in markdown


def test_write_selection_report_writes_json_markdown_and_histogram(tmp_path):
    path = write_selection_report(report(), tmp_path / "out")
    written = SelectionReport.model_validate_json(path.read_text())
    assert written.histogram == "score_histogram.png" and written.scores[0].trajectory_id == "a1"
    assert (tmp_path / "out" / "score_histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "![score distribution](score_histogram.png)" in (tmp_path / "out" / "report.md").read_text()
