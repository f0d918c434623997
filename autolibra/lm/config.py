"""Which model each role uses: typed config, accepted from YAML or from a bare model string.

A model is a provider/model string as DSPy (and LiteLLM) spell it (`openai/gpt-4o`,
`anthropic/claude-...`, `hosted_vllm/...`, `ollama_chat/...`), or one of ours:
`local` (the embedded Qwen2.5-Coder-1.5B), `local-tiny` (SmolLM2-135M, for plumbing tests),
`local:/path/to/model.gguf`, `fake/<name>` (scripted, tests) and `fake/file:replies.json`.
Keys never live here: `api_key_env` names the environment variable that holds one.

Both models check their keys before pydantic does, so a typo (`models: {judeg: ...}`) fails when the
config is loaded, with one message naming the key and listing the valid ones.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from autolibra.errors import ConfigError

ROLES = ("agent", "annotator", "grounder", "clusterer", "judge", "rewriter")
ROLE_KEYS = (*ROLES, "default")
DEFAULT_MODEL = "local"


def _invalid(message: str) -> PydanticCustomError:
    # A custom error type keeps pydantic from prefixing "Value error, " to a message written for people.
    return PydanticCustomError("invalid_lm_config", message)


def _unknown(kind: str, key: Any, known: tuple[str, ...]) -> PydanticCustomError:
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return _invalid(f"unknown {kind} {key!r}{hint}; expected one of: {', '.join(known)}")


class LMConfig(BaseModel):
    """One model and how to call it. A bare string is accepted wherever an LMConfig is."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)  # an input may hold a pasted key

    model: str = DEFAULT_MODEL
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0)
    api_base: str | None = None
    api_key_env: str | None = None  # the *name* of the variable holding the key, never the key
    num_retries: int = Field(default=4, ge=0, le=20)
    timeout: float | None = Field(default=None, gt=0)  # seconds per attempt
    max_concurrency: int | None = Field(default=None, gt=0)  # per provider; None: provider default
    extra: dict[str, Any] = Field(default_factory=dict)  # passed through to the request (e.g. top_p)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"model": value}
        if isinstance(value, dict):
            fields = tuple(cls.model_fields)
            for key in value:
                if key not in fields:
                    raise _unknown("model setting", key, fields)
            return value
        if isinstance(value, LMConfig):
            return value
        raise _invalid(f"expected a model string such as `openai/gpt-4o` or `local`, or a mapping with a "
                       f"`model` key, got {value!r}")

    @model_validator(mode="after")
    def _check(self) -> "LMConfig":
        if not self.model.strip():
            raise _invalid("`model` must be a provider/model string such as `openai/gpt-4o` or `local`")
        for key in ("api_key", "api-key", "key"):
            if key in self.extra:
                raise _invalid(
                    f"`extra.{key}`: keys never go into a config; set `api_key_env` to the name of the "
                    "environment variable (or .env entry) that holds it")
        return self

    @property
    def provider(self) -> str:
        """The provider part of the model string (`openai`, `local`, `fake`, ...)."""
        if self.model == "local" or self.model.startswith(("local:", "local-")):
            return "local"
        return self.model.split("/", 1)[0] if "/" in self.model else "openai"


class RolesConfig(BaseModel):
    """One model per role; a role left out uses `default`."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)  # an input may hold a pasted key

    default: LMConfig = Field(default_factory=LMConfig)
    agent: LMConfig | None = None
    annotator: LMConfig | None = None
    grounder: LMConfig | None = None
    clusterer: LMConfig | None = None
    judge: LMConfig | None = None
    rewriter: LMConfig | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        # `models: local` or `models: {model: ..., temperature: ...}` means "every role uses this model".
        if isinstance(value, (str, LMConfig)):
            return {"default": value}
        if not isinstance(value, dict):
            if isinstance(value, RolesConfig):
                return value
            raise _invalid(f"expected a model string or a mapping of role -> model, got {value!r}")
        if "model" in value and set(value) <= set(LMConfig.model_fields):
            return {"default": value}
        for key in value:
            if key in LMConfig.model_fields:
                raise _invalid(f"{key!r} is a model setting, not a role: put it under `default:` (or a role); "
                               f"roles: {', '.join(ROLE_KEYS)}")
            if key not in ROLE_KEYS:
                raise _unknown("role", key, ROLE_KEYS)
        return value

    def for_role(self, name: str) -> LMConfig:
        if name == "default":
            return self.default
        if name not in ROLES:
            raise ConfigError(f"unknown LM role {name!r}; expected one of: default, {', '.join(ROLES)}")
        return getattr(self, name) or self.default
