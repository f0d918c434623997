from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from autolibra.errors import ConfigError
from optimizer.config import RunConfig, apply_override, config_yaml, load_config, set_value
from optimizer.selection import SelectionConfig


def test_shipped_configs_validate():
    for name in ("smoke", "babaisai", "babyai", "crafter", "textworld", "minihack"):
        config = load_config(f"configs/{name}.yaml")
        assert isinstance(config, RunConfig)


def test_overrides_are_parsed_as_yaml(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: x\n")
    config = load_config(path, ["iterations=3", "seeds.train=[5, 6]", "models.judge=openai/gpt-4o"])
    assert config.iterations == 3 and config.seeds.train == [5, 6]
    assert config.models.judge.model == "openai/gpt-4o"


@pytest.mark.parametrize("item, field, value", [
    ("name=2024", "name", "2024"),                                # a string field keeps the text
    ("seed_prompt=yes", "seed_prompt", "yes"),                     # not the YAML boolean
    ("seed_prompt=Rule: reach WIN", "seed_prompt", "Rule: reach WIN"),  # not a YAML mapping
    ("out_dir=2024", "out_dir", "2024"),                           # a path field keeps the text too
    ("max_steps=", "max_steps", None),                             # empty YAML: unset an optional number
    ("feedback.solver_analysis=no", "feedback.solver_analysis", False),
])
def test_an_override_is_parsed_by_the_type_of_its_field(tmp_path, item, field, value):
    path = tmp_path / "c.yaml"
    path.write_text("max_steps: 5\n")
    config = load_config(path, [item])
    got = config
    for part in field.split("."):
        got = getattr(got, part)
    assert (str(got) if field == "out_dir" else got) == value


def test_overrides_reach_into_models_and_selection(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("models: {default: local, judge: openai/gpt-4o}\n")
    config = load_config(path, ["seeds.train=[1,2]", "models.judge.api_base=http://localhost:8000/v1",
                                "models.rewriter=fake/x", "selection.top_k=2", "selection.weights.A=3"])
    assert config.seeds.train == [1, 2]
    assert config.models.judge.model == "openai/gpt-4o"  # the shorthand is opened up, not replaced
    assert config.models.judge.api_base == "http://localhost:8000/v1"
    assert config.models.rewriter.model == "fake/x"
    assert isinstance(config.selection, SelectionConfig)
    assert (config.selection.top_k, config.selection.weights) == (2, {"A": 3.0})


@pytest.mark.parametrize("item, message", [
    ("models.judeg=x", "unknown key 'models.judeg'; did you mean 'models.judge'?"),
    ("iteratons=3", "did you mean 'iterations'?"),
    ("selection.topk=3", "did you mean 'selection.top_k'?"),
    ("name.first=x", "'name' is not a section"),
    ("tasks.0=env/goto_win", "'tasks' is not a section"),
    ("iterations", "must look like key.sub=value"),
])
def test_a_bad_override_key_is_named_with_the_closest(tmp_path, item, message):
    path = tmp_path / "c.yaml"
    path.write_text("{}\n")
    with pytest.raises(ConfigError, match="^-o ") as error:
        load_config(path, [item])
    assert message in str(error.value)


def test_models_and_selection_are_typed_at_load_time(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("models: {default: local, judeg: openai/gpt-4o}\nselection: {topk: 3}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    models, selection = str(error.value).splitlines()  # one line per problem, each naming its key
    assert models.startswith(f"{path}: models") and "judeg" in models and "did you mean 'judge'?" in models
    assert selection == f"{path}: selection.topk: unknown key; did you mean 'top_k'?"
    path.write_text("selection: {per: day, top_k: 1}\n")
    with pytest.raises(ConfigError, match=r"^\S+: selection\.per: .*'day'"):
        load_config(path)
    path.write_text("selection: {}\n")
    with pytest.raises(ConfigError, match="give `top_k` or `threshold`"):
        load_config(path)


def test_the_default_models_are_the_embedded_one():
    config = RunConfig()
    assert config.models.for_role("judge").model == "local" and config.selection is None


def test_the_printed_config_reads_back_as_the_same_config(tmp_path):
    config = load_config("configs/smoke.yaml", ["models.judge=openai/gpt-4o", "selection.top_k=1"])
    path = tmp_path / "resolved.yaml"
    path.write_text(config_yaml(config))
    assert load_config(path) == config
    assert yaml.safe_load(path.read_text())["seed_prompt"] == config.seed_prompt


def test_set_value_takes_a_typed_value_and_checks_the_key():
    data: dict = {}
    set_value(data, "seed_prompt", "Rule: reach WIN")
    set_value(data, "overrides.seeds.test", [1], model=WithMapping)
    assert data["seed_prompt"] == "Rule: reach WIN" and data["overrides"] == {"seeds": {"test": [1]}}
    with pytest.raises(ConfigError, match="did you mean 'seed_prompt'"):
        set_value({}, "seed_promt", "x")
    with pytest.raises(ConfigError, match="did you mean 'models.judge'"):
        apply_override({}, "models.judeg=x")


class WithMapping(BaseModel):
    overrides: dict[str, Any] = {}


@pytest.mark.parametrize("text, message", [
    ("iteratons: 3\n", "iteratons"),  # an unknown key is named
    ("iterations: -1\n", r"iterations.*-1"),  # a bad value: the field and the value
    ("seeds: {train: [0, 1], validation: [1]}\n", "disjoint"),  # overlapping seed splits
    ("a: [1, 2\n", "not valid YAML"),
], ids=["unknown-key", "bad-value", "overlapping-seeds", "broken-yaml"])
def test_a_bad_config_file_is_one_config_error(tmp_path, text, message):
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")


def test_file_feedback_needs_a_path(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("feedback: {source: file}\n")
    with pytest.raises(ConfigError, match="feedback.path"):
        load_config(path)
