"""`ladder induce | judge | meta` end to end with a scripted `fake/file:` model, and bad input."""

import json

import pytest

from autolibra.jsonl import read_jsonl
from autolibra.schema import MetricSet, Trait
from optimizer.cli import main

ASPECT = {"behavior": "pressed up at [0]", "feedback": "kept pressing", "is_positive": False, "steps": [0]}
METRICS = [{"name": "Action effectiveness", "explanation": "Notices blocked moves.", "good_behaviors": [],
            "bad_behaviors": ["walks into walls"]},
           {"name": "Output format", "explanation": "Legal action words only.", "good_behaviors": [],
            "bad_behaviors": []}]
VERDICTS = [{"metric": "Action effectiveness", "rating": -1, "reasoning": "[0] blocked", "steps": [0]},
            {"metric": "Output format", "rating": 1, "reasoning": "fine", "steps": []}]
# Keys are matched against the last user message, whose first input field names the operator.
SCRIPT = {"[[ ## feedback ## ]]": json.dumps({"aspects": [ASPECT]}),
          "[[ ## behaviors ## ]]": json.dumps({"metrics": METRICS}),
          "[[ ## metrics ## ]]": json.dumps({"verdicts": VERDICTS}),
          "[[ ## points ## ]]": json.dumps({"matches": [{"point": 1, "metric": "Action effectiveness"}]})}


@pytest.fixture
def model(tmp_path):
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(SCRIPT))
    return f"fake/file:{path}"


@pytest.fixture
def data(fixtures_dir):
    return str(fixtures_dir / "autolibra" / "baba_instances.jsonl")


def test_induce_then_judge_then_meta(tmp_path, model, data, capsys):
    out = tmp_path / "metrics.json"
    assert main(["induce", data, "--out", str(out), "--heldout", "0.34", "--model", model, "--workers", "2"]) == 0
    metrics = MetricSet.model_validate_json(out.read_text())
    assert metrics.names() == ["Action effectiveness", "Output format"]
    report = json.loads((tmp_path / "metrics.induction.json").read_text())
    assert len(report["heldout_ids"]) == 2 and report["coverage"]["value"] == 1.0
    printed = capsys.readouterr().out
    assert "held-out coverage 100.0% (2/2)" in printed

    traits_path = tmp_path / "traits.jsonl"
    assert main(["judge", data, "--metrics", str(out), "--out", str(traits_path), "--model", model]) == 0
    traits = read_jsonl(traits_path, Trait)
    assert len(traits) == 12 and {t.rating for t in traits} == {-1, 1}
    # A second run finds everything judged and appends nothing.
    assert main(["judge", data, "--metrics", str(out), "--out", str(traits_path), "--model", model]) == 0
    assert len(read_jsonl(traits_path, Trait)) == 12

    capsys.readouterr()
    assert main(["meta", data, "--metrics", str(out), "--traits", str(traits_path), "--model", model]) == 0
    printed = capsys.readouterr().out
    # 6 aspects all matched; detected traits 12, unmatched: the 6 Output format (+1) traits.
    assert "coverage    100.0% (6/6)" in printed
    assert "redundancy  50.0% (6/12)" in printed


def test_balrog_run_with_feedback(tmp_path, model, fixtures_dir, capsys):
    feedback = tmp_path / "feedback.jsonl"
    feedback.write_text(json.dumps({"trajectory_id": "babaisai/env/goto_win/run_01", "text": "Invalid outputs."}) + "\n")
    metrics = tmp_path / "m.json"
    metrics.write_text(MetricSet(name="m", metrics=METRICS).model_dump_json())
    run_dir = str(fixtures_dir / "autolibra" / "balrog_run")
    assert main(["meta", run_dir, "--feedback", str(feedback), "--metrics", str(metrics), "--model", model]) == 0
    assert "coverage    100.0% (1/1)" in capsys.readouterr().out


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines))
    return str(path)


def test_bad_input_names_file_and_line(tmp_path, data, capsys):
    good = open(data).readline().strip()
    bad = _write(tmp_path / "bad.jsonl", [good, "{not json"])
    assert main(["induce", bad, "--out", str(tmp_path / "m.json"), "--model", "fake/x"]) == 2
    assert f"{bad}:2: not a valid Instance" in capsys.readouterr().err

    record = json.loads(good)
    record["feedback"] = "   "
    empty = _write(tmp_path / "empty.jsonl", [good, json.dumps(record)])
    assert main(["induce", empty, "--out", str(tmp_path / "m.json"), "--model", "fake/x"]) == 2
    assert f"{empty}:2: instance baba-goto-win-ok#human:fixture: feedback is empty" in capsys.readouterr().err

    record = json.loads(good)
    record["trajectory"]["steps"] = []
    no_steps = _write(tmp_path / "nosteps.jsonl", [json.dumps(record)])
    assert main(["induce", no_steps, "--out", str(tmp_path / "m.json"), "--model", "fake/x"]) == 2
    assert "trajectory has no steps" in capsys.readouterr().err

    assert main(["induce", data, "--out", str(tmp_path / "m.json"), "--heldout", "1.5"]) == 2
    assert main(["meta", data, "--metrics", str(tmp_path / "missing.json")]) == 2
    assert "metric set file not found" in capsys.readouterr().err


def test_unknown_metric_in_judge_reply_is_unscored_and_run_goes_on(tmp_path, data, capsys):
    script = {"[[ ## metrics ## ]]": json.dumps({"verdicts": [
        {"metric": "Action effectiveness", "rating": 1, "reasoning": "ok", "steps": []},
        {"metric": "Invented", "rating": 1, "reasoning": "?", "steps": []}]})}
    replies = tmp_path / "r.json"
    replies.write_text(json.dumps(script))
    metrics = tmp_path / "m.json"
    metrics.write_text(MetricSet(name="m", metrics=METRICS).model_dump_json())
    out = tmp_path / "t.jsonl"
    assert main(["judge", data, "--metrics", str(metrics), "--out", str(out), "--model", f"fake/file:{replies}"]) == 0
    traits = read_jsonl(out, Trait)
    assert len(traits) == 12
    unscored = [t for t in traits if t.rating is None]
    assert len(unscored) == 6 and all("unknown metric 'Invented'" in t.error for t in unscored)
    assert "(6 unscored)" in capsys.readouterr().out
