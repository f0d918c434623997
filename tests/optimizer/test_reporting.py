"""The run summary (summary.json) and report.html, built from a run directory of typed records."""

from __future__ import annotations

import html
import json
import re

import pytest

from autolibra.errors import InputError
from optimizer.reporting import RunSummary, build_report, success_by_pair, summarize_run
from optimizer.reporting.stats import format_rate, rate
from tests.optimizer.report_runs import CANDIDATE_PROMPT, SEED_PROMPT, build_run, episodes

PNG = b"\x89PNG\r\n\x1a\n"


def table(page: str, heading: str) -> list[list[str]]:
    """The cells of the first table after `heading`, unescaped, one list per row (header row first)."""
    section = page.split(f"<h2>{heading}</h2>", 1)[1].split("</table>", 1)[0]
    return [[html.unescape(cell) for cell in re.findall(r"<t[dh]>(.*?)</t[dh]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", section)]


def test_summary_reads_every_record_of_the_run(tmp_path):
    summary = summarize_run(build_run(tmp_path / "run"))
    first, second = summary.iterations
    assert (summary.name, summary.status, summary.objective) == ("demo <run>", "done", "metrics")
    assert (first.train.mean, first.train.n, first.train.average_steps) == (pytest.approx(1 / 3), 3, 3.0)
    assert first.validation.mean == 0.5 and first.candidate_validation.mean == 1.0 and first.test.mean == 0.0
    assert [m.name for m in first.metrics] == ["Goal-directed movement", "Rule manipulation"]
    assert [(r.metric, r.pass_rate) for r in first.metric_rates] == [("Goal-directed movement", 0.5),
                                                                      ("Rule manipulation", None)]
    assert first.coverage.value == 0.75 and first.redundancy.excluded == 1
    assert (first.unscored_traits, first.invalid_actions) == (1, 1)
    assert first.decision.accepted and first.decision.episodes == 2 and first.rewrite.objective == "metrics"
    assert (first.prompt, first.candidate_prompt) == (SEED_PROMPT, CANDIDATE_PROMPT)
    assert second.validation is None and second.decision is None and second.metrics == []
    assert summary.final_prompt == CANDIDATE_PROMPT and summary.final_test.n == 2


def test_summary_json_counts_lm_usage_per_role_as_integers(tmp_path):
    run = build_run(tmp_path / "run")
    summarize_run(run)
    data = json.loads((run.path / "summary.json").read_text())
    assert data["lm_usage"]["agent"] == {"calls": 2, "cache_hits": 1, "errors": 0, "input_tokens": 200,
                                         "output_tokens": 6, "latency_s": 0.5}  # the line cut by a kill is skipped
    assert data["lm_usage"]["judge"]["errors"] == 1 and data["lm_usage"]["rewriter"]["input_tokens"] == 900
    assert isinstance(data["lm_usage"]["agent"]["calls"], int)
    assert RunSummary.model_validate(data).iterations[0].train.n == 3  # summary.json reads back typed


def test_unfinished_run_has_no_final_numbers(tmp_path):
    summary = summarize_run(build_run(tmp_path / "run", final_test=None))
    assert summary.final_prompt is None and summary.final_test is None


def test_a_malformed_record_is_named(tmp_path):
    run = build_run(tmp_path / "run")
    (run.path / "iterations" / "000" / "decision.json").write_text('{"rule": "not_worse"}')
    with pytest.raises(InputError, match=r"decision\.json: not a valid Decision record"):
        summarize_run(run)


def test_report_shows_the_per_iteration_numbers(tmp_path):
    run = build_run(tmp_path / "run")
    page = build_report(run.path).read_text()
    rows = table(page, "Per iteration")
    assert rows[0][:2] == ["iter", "train success"]
    assert rows[1] == ["0", "33.3% ± 27.2 (n=3)", "50.0% ± 35.4 (n=2)", "100.0% ± 0.0 (n=2)", "0.0% ± 0.0 (n=2)",
                       "2", "75% (3/4)", "25% (1/4)", "True"]
    assert rows[2] == ["1", "66.7% ± 27.2 (n=3)", "-", "-", "50.0% ± 35.4 (n=2)", "0", "-", "-", "-"]
    usage = {row[0]: row[1:] for row in table(page, "LM usage per role")[1:]}
    assert usage["agent"] == ["2", "1", "200", "6", "0.5", "0"]
    assert usage["judge"][-1] == "1"
    assert "final test success: 50.0% ± 35.4 (n=2)" in page
    assert "<b>Goal-directed movement</b>: Moves bring the controlled object closer to a WIN object." in page


def test_report_shows_the_prompts_and_escapes_model_text(tmp_path):
    run = build_run(tmp_path / "run")
    page = build_report(run.path).read_text()
    assert "<script>" not in page
    assert html.escape(SEED_PROMPT) in page  # the seed prompt, escaped
    assert f"<h4>Candidate (accepted: True)</h4><pre>{html.escape(CANDIDATE_PROMPT)}</pre>" in page
    assert page.count(f"<pre>{html.escape(CANDIDATE_PROMPT)}</pre>") == 3  # candidate, iteration 1, final
    assert "<title>ladder run demo &lt;run&gt;</title>" in page


def test_report_writes_its_plots(tmp_path):
    run = build_run(tmp_path / "run")
    page = build_report(run.path).read_text()
    for name in ("success", "metric_pass_rates", "coverage_redundancy", "tokens_per_role"):
        assert (run.path / "plots" / f"{name}.png").read_bytes()[:8] == PNG
        assert f'<img src="plots/{name}.png" alt="{name}">' in page


def test_report_of_a_missing_run_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="not a run directory"):
        build_report(tmp_path)


def test_success_by_pair_and_the_one_rate_format():
    pairs = success_by_pair(episodes([True, False], first_seed=5))
    assert pairs == {("env/goto_win", 5): 1.0, ("env/goto_win", 6): 0.0}
    assert format_rate(rate([1, 0])) == "50.0% ± 35.4 (n=2)" and format_rate(None) == "-"
