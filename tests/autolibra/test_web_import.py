import json

import pytest

from autolibra.errors import DataError
from autolibra.schema import Step, Trajectory
from autolibra.web_import import TRUNCATION_MARKER, detect_shape, load_web_trajectories


@pytest.fixture
def web(fixtures_dir):
    return fixtures_dir / "web"


def by_id(trajectories):
    return {t.id: t for t in trajectories}


def test_webarena_shape_maps_intent_steps_answer_and_outcome(web):
    loaded = by_id(load_web_trajectories(web / "webarena.jsonl"))
    assert sorted(loaded) == ["webarena-21-a", "webarena-21-b", "webarena-44", "webarena-98"]
    good, bad = loaded["webarena-21-a"], loaded["webarena-21-b"]
    assert good.env == "web" and good.metadata["source"] == "webarena"
    assert good.task == "webarena/shopping_admin/21" == bad.task
    assert good.instruction == "What is the top-1 best selling product in 2022?"
    assert (good.success, good.outcome, bad.success, bad.outcome) == (True, "success", False, "failure")
    assert good.final_answer == "Quest Lumaflex™ Band" and good.num_steps == 3
    # the model's own action string, not the human-readable " where [224] is ..." gloss
    assert [s.action for s in good.steps] == ["click [224]", "click [2312]", "stop [Quest Lumaflex™ Band]"]
    assert good.steps[0].reasoning.endswith("which lives under REPORTS.")
    assert "next action" not in good.steps[0].reasoning
    assert good.steps[2].info["url"].endswith("/bestsellers/")


def test_webvoyager_shape_with_steps_and_with_chat_messages(web):
    loaded = by_id(load_web_trajectories(web / "webvoyager.json"))
    assert len(loaded) == 3
    failed = loaded["webvoyager-Allrecipes--3-b"]
    assert failed.success is False and failed.metadata["site"] == "Allrecipes"
    assert failed.steps[1].action == "Scroll [WINDOW]; down"
    chat = loaded["webvoyager-Cambridge Dictionary--1"]  # parsed from a user/assistant message log
    assert chat.success is True and chat.num_steps == 2
    assert chat.steps[0].action == "Type [2]; sustainability"
    assert chat.steps[0].reasoning.startswith("The search box is [2]")
    assert chat.steps[1].observation.startswith("[1] link 'Cambridge Dictionary'")
    assert chat.steps[1].action.startswith("ANSWER; UK")


def test_truncation_is_flagged_both_from_source_markers_and_on_import(web):
    webarena = by_id(load_web_trajectories(web / "webarena.jsonl", max_observation_chars=1000))
    long_step = webarena["webarena-98"].steps[3]
    assert long_step.info["observation_truncated"] == "import"
    assert long_step.info["observation_chars"] > 1000
    assert long_step.observation.endswith(TRUNCATION_MARKER)
    assert len(long_step.observation) == 1000 + len(TRUNCATION_MARKER)
    assert webarena["webarena-98"].metadata["truncated_steps"] == [3]
    voyager = by_id(load_web_trajectories(web / "webvoyager.json"))
    assert voyager["webvoyager-Allrecipes--3-a"].steps[2].info["observation_truncated"] == "source"
    untouched = by_id(load_web_trajectories(web / "webarena.jsonl", max_observation_chars=0))
    assert "observation_truncated" not in untouched["webarena-98"].steps[3].info


def test_nnetnav_shape_splits_reasoning_from_the_fenced_action(tmp_path):
    record = {"task_id": "n7", "instruction": "Find the cheapest USB-C hub", "steps": [
        {"observation": "[5] textbox 'Search'", "url": "http://shop.local/",
         "output": "Let's think step-by-step. A search is fastest. In summary, the next action I will perform "
                   "is ```type [5] [usb-c hub] [1]```"},
        {"observation": "[9] link 'Hub $12'", "output": "The first result is cheapest. In summary, the next "
                                                        "action I will perform is ```stop [Hub $12]```"}],
        "success": True}
    path = tmp_path / "nnetnav.jsonl"
    path.write_text(json.dumps(record) + "\n")
    [trajectory] = load_web_trajectories(path)
    assert trajectory.id == "nnetnav-n7" and trajectory.metadata["source"] == "nnetnav"
    assert [s.action for s in trajectory.steps] == ["type [5] [usb-c hub] [1]", "stop [Hub $12]"]
    assert trajectory.steps[0].reasoning == "Let's think step-by-step. A search is fastest."


def test_our_own_trajectory_records_load_unchanged(tmp_path):
    original = Trajectory(id="baba-1", env="babaisai", task="env/goto_win", steps=[
        Step(index=0, observation="rule `baba is you`", action="right")], success=True, outcome="win")
    path = tmp_path / "rollouts.jsonl"
    path.write_text(original.model_dump_json() + "\n")
    assert load_web_trajectories(path) == [original]


@pytest.mark.parametrize("records, message", [
    ([{"intent": "x", "trajectory": []}], "record 0: field 'trajectory' must be a non-empty list"),
    ([{"ques": "q", "id": "a", "steps": [{"action": "Click [1]"}]}, {"foo": 1}],
     "record 1: cannot tell the source shape from keys [foo]"),
    ([{"ques": "q", "id": "a", "messages": [{"role": "assistant", "content": "no format"}]}],
     "record 0: message 0: assistant turn has no 'Thought: ... Action: ...'"),
    ([{"intent": "", "trajectory": [{"action": "click [1]"}]}], "record 0: missing required field 'intent'"),
    ([{"ques": "q", "id": "a", "steps": [{"action": "Click [1]"}]}] * 2, "duplicate trajectory id"),
    ([7], "record 0: expected a JSON object"),
])
def test_malformed_records_name_the_file_and_record(tmp_path, records, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(records))
    with pytest.raises(DataError) as error:
        load_web_trajectories(path)
    assert str(path) in str(error.value) and message in str(error.value)


def test_bad_jsonl_line_is_named_by_line_number(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"ques": "q", "id": "a", "steps": [{"action": "Click [1]"}]}\n{not json\n')
    with pytest.raises(DataError, match=r"bad.jsonl:2: invalid JSON"):
        load_web_trajectories(path)


def test_detect_shape_and_forced_source(web):
    assert detect_shape({"intent": "i", "trajectory": []}) == "webarena"
    assert detect_shape({"ques": "q"}) == "webvoyager"
    assert detect_shape({"instruction": "i", "steps": []}) == "nnetnav"
    with pytest.raises(DataError, match="record 0: missing required field 'trajectory'"):
        load_web_trajectories(web / "webvoyager.json", source="webarena")


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_web_trajectories(tmp_path / "nope.jsonl")
