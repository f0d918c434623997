import pytest
from pydantic import ValidationError

from autolibra.errors import ConfigError
from autolibra.lm import LMConfig, RolesConfig


def test_bare_string_is_an_lm_config():
    config = LMConfig.model_validate("openai/gpt-4o")
    assert config.model == "openai/gpt-4o" and config.provider == "openai"
    assert LMConfig.model_validate("local").provider == "local"
    assert LMConfig.model_validate("local:/tmp/m.gguf").provider == "local"
    assert LMConfig.model_validate("fake/x").provider == "fake"


def test_missing_role_uses_default_and_strings_work_per_role():
    roles = RolesConfig.model_validate({"default": "local", "judge": "openai/gpt-4o"})
    assert roles.for_role("judge").model == "openai/gpt-4o"
    assert roles.for_role("agent").model == "local"
    assert RolesConfig.model_validate("fake/x").for_role("rewriter").model == "fake/x"
    assert RolesConfig.model_validate({"model": "local-tiny", "temperature": 0}).default.temperature == 0


def test_unknown_role_and_bad_values_are_named():
    with pytest.raises(ConfigError, match="unknown LM role 'critic'"):
        RolesConfig().for_role("critic")
    with pytest.raises(ValidationError, match="api_key_env"):
        LMConfig(model="openai/gpt-4o", extra={"api_key": "sk-..."})
    with pytest.raises(ValidationError):
        LMConfig(model="local", max_tokens=0)
    with pytest.raises(ValidationError):
        RolesConfig.model_validate({"default": "local", "critic": "local"})


def _message(value) -> str:
    with pytest.raises(ValidationError) as caught:
        RolesConfig.model_validate(value)
    (error,) = caught.value.errors()
    return ".".join(map(str, error["loc"])) + ": " + error["msg"]


def test_a_bad_role_key_or_model_entry_is_one_self_explaining_message():
    roles = "agent, annotator, grounder, clusterer, judge, rewriter, default"
    assert _message({"judeg": "x"}) == f": unknown role 'judeg' (did you mean 'judge'?); expected one of: {roles}"
    assert "'model' is a model setting, not a role" in _message({"model": "x", "judge": "y"})
    assert _message({"judge": {"model": "x", "temprature": 0}}).startswith(
        "judge: unknown model setting 'temprature' (did you mean 'temperature'?); expected one of: model,")
    assert _message({"judge": 5}).startswith("judge: expected a model string such as `openai/gpt-4o`")
    assert _message({"default": None}).startswith("default: expected a model string")
    assert _message({"judge": ""}).startswith("judge: `model` must be a provider/model string")
    assert _message(["local"]).startswith(": expected a model string or a mapping of role -> model")
    secret = "sk-pasted-0123456789"
    with pytest.raises(ValidationError) as caught:
        RolesConfig.model_validate({"judge": {"model": "x", "extra": {"api_key": secret}}})
    assert secret not in str(caught.value)


def test_every_form_the_readme_shows_validates():
    import re
    from pathlib import Path

    import yaml

    readme = Path(__file__).parents[2].joinpath("README.md").read_text()
    section = readme.split("## Models: one line per role", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    roles = RolesConfig.model_validate(yaml.safe_load(block)["models"])
    assert roles.for_role("grounder").api_base == "http://localhost:8000/v1"
    assert roles.for_role("rewriter").model == "azure/my-deployment"
    assert RolesConfig.model_validate({"default": "local"}).for_role("judge").model == "local"
    assert RolesConfig.model_validate({"judge": None}).for_role("judge").model == "local"
    assert RolesConfig.model_validate(roles.model_dump()) == roles  # a resolved config reads back


def test_local_models_get_a_default_reply_cap_and_remote_ones_do_not():
    from autolibra.lm import LMSession
    from autolibra.lm.factory import LOCAL_DEFAULT_MAX_TOKENS

    with LMSession({"default": "local", "judge": {"model": "local", "max_tokens": 300},
                    "rewriter": "openai/gpt-4o"}) as session:  # building starts no server
        assert session.lm("grounder").kwargs["max_tokens"] == LOCAL_DEFAULT_MAX_TOKENS
        assert session.lm("judge").kwargs["max_tokens"] == 300
        assert session.lm("rewriter").kwargs.get("max_tokens") != LOCAL_DEFAULT_MAX_TOKENS
        assert session.lm("annotator").kwargs["max_tokens"] < LOCAL_DEFAULT_MAX_TOKENS
