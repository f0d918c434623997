import pytest

from autolibra.errors import ConfigError
from optimizer.config import RunConfig, load_config


def test_shipped_configs_validate():
    for name in ("smoke", "babaisai", "babyai", "crafter", "textworld", "minihack"):
        config = load_config(f"configs/{name}.yaml")
        assert isinstance(config, RunConfig)


def test_overrides_are_parsed_as_yaml(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("name: x\n")
    config = load_config(path, ["iterations=3", "seeds.train=[5, 6]", "models.judge=openai/gpt-4o"])
    assert config.iterations == 3 and config.seeds.train == [5, 6]
    assert config.models["judge"] == "openai/gpt-4o"


def test_unknown_key_is_named(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("iteratons: 3\n")
    with pytest.raises(ConfigError, match="iteratons"):
        load_config(path)


def test_bad_value_names_field_and_value(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("iterations: -1\n")
    with pytest.raises(ConfigError, match=r"iterations.*-1"):
        load_config(path)


def test_overlapping_seed_splits_are_rejected(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("seeds: {train: [0, 1], validation: [1]}\n")
    with pytest.raises(ConfigError, match="disjoint"):
        load_config(path)


def test_broken_yaml_and_missing_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("a: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")


def test_file_feedback_needs_a_path(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("feedback: {source: file}\n")
    with pytest.raises(ConfigError, match="feedback.path"):
        load_config(path)
