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


def test_local_models_get_a_default_reply_cap_and_remote_ones_do_not():
    from autolibra.lm import LMSession
    from autolibra.lm.factory import LOCAL_DEFAULT_MAX_TOKENS

    with LMSession({"default": "local", "judge": {"model": "local", "max_tokens": 300},
                    "rewriter": "openai/gpt-4o"}) as session:  # building starts no server
        assert session.lm("grounder").kwargs["max_tokens"] == LOCAL_DEFAULT_MAX_TOKENS
        assert session.lm("judge").kwargs["max_tokens"] == 300
        assert session.lm("rewriter").kwargs.get("max_tokens") != LOCAL_DEFAULT_MAX_TOKENS
        assert session.lm("annotator").kwargs["max_tokens"] < LOCAL_DEFAULT_MAX_TOKENS
