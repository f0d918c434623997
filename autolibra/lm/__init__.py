"""The LM layer every stage shares: typed config per role, DSPy LMs with a disk cache, retries,
per-provider concurrency limits, usage accounting and a JSONL call log; the embedded local model;
and a scripted fake provider for tests. See docs/lm.md.
"""

import os

# Offline by default: LiteLLM reads its bundled price/capability map instead of fetching one.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from autolibra.lm.config import DEFAULT_MODEL, ROLES, LMConfig, RolesConfig  # noqa: E402
from autolibra.lm.factory import LadderLM, LMSession, make_lm  # noqa: E402
from autolibra.lm.fake import FakeScriptExhausted, fake_lm  # noqa: E402
from autolibra.lm.model_store import MODELS, ensure_model  # noqa: E402
from autolibra.lm.usage import Usage  # noqa: E402

__all__ = ["DEFAULT_MODEL", "ROLES", "LMConfig", "RolesConfig", "LMSession", "LadderLM", "make_lm",
           "fake_lm", "FakeScriptExhausted", "MODELS", "ensure_model", "Usage"]
