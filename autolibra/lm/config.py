"""Which model each role uses: typed config, accepted from YAML or from a bare model string.

A model is a provider/model string as DSPy (and LiteLLM) spell it (`openai/gpt-4o`,
`anthropic/claude-...`, `hosted_vllm/...`, `ollama_chat/...`), or one of ours:
`local` (the embedded Qwen2.5-Coder-1.5B), `local-tiny` (SmolLM2-135M, for plumbing tests),
`local:/path/to/model.gguf`, `fake/<name>` (scripted, tests) and `fake/file:replies.json`.
Keys never live here: `api_key_env` names the environment variable that holds one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

ROLES = ("agent", "annotator", "grounder", "clusterer", "judge", "rewriter")
DEFAULT_MODEL = "local"


class LMConfig(BaseModel):
    """One model and how to call it. A bare string is accepted wherever an LMConfig is."""

    model_config = ConfigDict(extra="forbid")

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
        return value

    @model_validator(mode="after")
    def _check(self) -> "LMConfig":
        if not self.model.strip():
            raise ValueError("`model` must be a provider/model string such as `openai/gpt-4o` or `local`")
        for key in ("api_key", "api-key", "key"):
            if key in self.extra:
                raise ValueError(
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

    model_config = ConfigDict(extra="forbid")

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
        # `lm: local` or `lm: {model: ...}` means "every role uses this model".
        if isinstance(value, str):
            return {"default": value}
        if isinstance(value, dict) and "model" in value and "default" not in value:
            return {"default": value}
        return value

    def for_role(self, name: str) -> LMConfig:
        if name == "default":
            return self.default
        if name not in ROLES:
            from autolibra.errors import ConfigError

            raise ConfigError(f"unknown LM role {name!r}; expected one of: default, {', '.join(ROLES)}")
        return getattr(self, name) or self.default
