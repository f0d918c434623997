"""The annotation queue, saving, drafts, views and the agreement figures (no front end involved)."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from autolibra.errors import DataError, InputError
from autolibra.jsonl import read_jsonl
from autolibra.schema import Aspect, Feedback
from optimizer.annotate import FeedbackStore, agreement, annotation_queue, annotator_id, open_source, verdict
from optimizer.annotate.views import cell_kind, grid_rows, list_plots, load_metrics, load_traits
from optimizer.cli import main


@pytest.fixture
def run_dir(fixtures_dir, tmp_path) -> Path:
    return Path(shutil.copytree(fixtures_dir / "annotate" / "run", tmp_path / "run"))


def test_queue_of_a_run_is_the_request_minus_what_the_annotator_did(run_dir):
    assert [t.id for t in annotation_queue(run_dir, "alice")] == ["baba-001", "baba-002", "baba-003"]
    assert [t.id for t in annotation_queue(run_dir, "carol")] == ["baba-001", "baba-003"]
    assert [t.id for t in annotation_queue(run_dir, "human:dave")] == ["baba-001", "baba-003"]


def test_latest_iteration_with_a_request_wins(run_dir):
    later = run_dir / "iterations" / "001"
    later.mkdir()
    shutil.copy(run_dir / "iterations/000/rollouts.jsonl", later / "rollouts.jsonl")
    (later / "feedback_request.json").write_text(json.dumps({"trajectory_ids": ["baba-003"], "source": "human"}))
    (run_dir / "iterations/002").mkdir()  # started, but asks for nothing yet
    source = open_source(run_dir)
    assert source.feedback_path == later / "feedback.jsonl"
    assert [t.id for t in annotation_queue(run_dir, "carol")] == ["baba-003"]
    assert load_metrics(source).names() == ["Goal-directed movement", "Rule manipulation"]  # from 000


def test_a_jsonl_of_trajectories(run_dir, tmp_path):
    data = tmp_path / "trajs.jsonl"
    shutil.copy(run_dir / "iterations/000/rollouts.jsonl", data)
    source = open_source(data)
    assert source.feedback_path == tmp_path / "trajs.feedback.jsonl"
    store = FeedbackStore(source)
    store.save("baba-002", "  looped  ", "human:alice")
    assert [t.id for t in store.queue("human:alice")] == ["baba-001", "baba-003"]
    assert open_source(data, tmp_path / "x.jsonl").feedback_path == tmp_path / "x.jsonl"
    assert list_plots(source) == [] and load_traits(source) == {}


def test_bad_sources_are_clear_input_errors(run_dir, tmp_path, capsys):
    (run_dir / "iterations/000/feedback_request.json").unlink()
    with pytest.raises(InputError, match="asks for no feedback"):
        open_source(run_dir)
    (run_dir / "iterations/000/feedback_request.json").write_text('{"trajectory_ids": ["baba-001", "ghost"], "source": "human"}')
    with pytest.raises(DataError, match="ghost"):
        open_source(run_dir)
    with pytest.raises(InputError, match="bad annotator name"):
        annotator_id("two words")
    assert main(["annotate", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_save_replaces_only_the_annotators_own_record_and_is_thread_safe(run_dir):
    store = FeedbackStore(open_source(run_dir))
    store.save("baba-001", "first try", "human:alice")
    store.save("baba-001", "second thoughts", "human:alice")
    threads = [threading.Thread(target=store.save, args=("baba-003", f"note {i}", f"human:p{i}")) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = read_jsonl(store.path, Feedback)
    assert [f.text for f in records if f.annotator == "human:alice"] == ["second thoughts"]
    assert len(records) == 2 + 1 + 8  # carol, dave, alice, and all eight concurrent savers
    with pytest.raises(InputError, match="empty"):
        store.save("baba-001", "   ", "human:alice")
    store.save_draft("human:alice", "baba-003", "half")
    assert store.load_draft("human:alice") == ("baba-003", "half") and store.load_draft("human:bob") is None
    store.clear_draft("human:alice")
    assert store.load_draft("human:alice") is None


def test_verdicts_and_agreement():
    assert verdict("It failed to win and walked in a loop.") == "negative"
    assert verdict("Solved it directly, great.") == "positive"
    assert verdict("Good start, but then stuck and wasted moves.") == "mixed"
    assert verdict("It moved right, then up.") == "neutral"
    assert verdict("It was not efficient.") == "negative"
    feedback = [Feedback(trajectory_id="t1", text="great, solved quickly", annotator="human:a"),
                Feedback(trajectory_id="t1", text="it failed, stuck in a loop", annotator="human:b"),
                Feedback(trajectory_id="t1", text="efficient and correct", annotator="human:c"),
                Feedback(trajectory_id="t2", text="only one annotator", annotator="human:a")]
    aspects = [Aspect(instance_id="t1#human:a", behavior="x", feedback="x", is_positive=True, steps=[1, 2]),
               Aspect(instance_id="t1#human:c", behavior="x", feedback="x", is_positive=True, steps=[2])]
    summary = agreement(feedback, aspects)
    assert summary.trajectories == 1 and len(summary.pairs) == 3
    by_pair = {p.annotators: p for p in summary.pairs}
    assert by_pair[("human:a", "human:c")].verdicts_agree and by_pair[("human:a", "human:c")].aspect_overlap == 0.5
    assert not by_pair[("human:a", "human:b")].verdicts_agree and by_pair[("human:a", "human:b")].aspect_overlap is None
    assert summary.verdict_agreement == pytest.approx(1 / 3)
    assert agreement([]).verdict_agreement is None


def test_grid_cells_and_views(run_dir):
    assert grid_rows("BABA IS  YOU\n.  baba .\n") == [["BABA", "IS", "YOU"], [".", "baba", "."]]
    assert grid_rows("#..\n.B.") == [["#", ".", "."], [".", "B", "."]]
    assert [cell_kind(c) for c in ("BABA", "baba", ".", "B")] == ["rule", "object", "empty", "object"]
    source = open_source(run_dir)
    traits = load_traits(source)
    assert {t.metric: t.rating for t in traits["baba-001"]} == {"Goal-directed movement": 1, "Rule manipulation": 0}
    assert traits["baba-003"][0].rating is None
    assert list_plots(source) == ["success_rate.png"]
