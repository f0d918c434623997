"""The LM layer every stage shares: typed config per role, DSPy LMs with a disk cache, retries,
per-provider concurrency limits, usage accounting and a JSONL call log; the embedded local model;
and a scripted fake provider for tests. See docs/lm.md.

Names load lazily, so reading a config or pulling weights does not import DSPy.
"""

import importlib
import os

# Offline by default: LiteLLM reads its bundled price/capability map instead of fetching one.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from autolibra.lm.config import DEFAULT_MODEL, ROLES, LMConfig, RolesConfig  # noqa: E402

_LAZY = {
    "LMSession": "autolibra.lm.factory",
    "LadderLM": "autolibra.lm.factory",
    "make_lm": "autolibra.lm.factory",
    "fake_lm": "autolibra.lm.fake",
    "FakeScriptExhausted": "autolibra.lm.fake",
    "MODELS": "autolibra.lm.model_store",
    "ensure_model": "autolibra.lm.model_store",
    "Usage": "autolibra.lm.usage",
    "tokens_used": "autolibra.lm.usage",
    "LMCallLog": "autolibra.lm.calllog",
}

__all__ = ["DEFAULT_MODEL", "ROLES", "LMConfig", "RolesConfig", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'autolibra.lm' has no attribute {name!r}")
