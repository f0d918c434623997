"""benchmarks/offline_ladder.py reads a compare directory back and checks each stage against the solver."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from optimizer.cli import main
from tests.optimizer.test_compare import fake_sessions, write_configs  # noqa: F401  (fixture)

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "offline_ladder.py"


def load_script():
    spec = importlib.util.spec_from_file_location("offline_ladder", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_diagnostics_of_a_fake_comparison(tmp_path, fake_sessions):  # noqa: F811
    assert main(["compare", str(write_configs(tmp_path)), "--out", str(tmp_path / "cmp")]) == 0
    script = load_script()
    diag = script.diagnose(tmp_path / "cmp", probe_model=False)
    # every measured prompt: its test episodes re-analysed move by move with the solver
    assert {"metrics it0", "success it0", "reference seed", "reference few"} <= set(diag["prompts"])
    seed = diag["prompts"]["reference seed"]
    assert seed["episodes"] == 2 and seed["moves"] == sum(seed["actions"].values()) > 0
    assert 0.0 <= seed["optimal_share"] <= 1.0
    assert set(diag["constant_policies"]) == {"up", "right", "down", "left"}
    first = diag["stages"]["metrics"][0]
    assert first["feedback"] and first["metrics"] and first["judge"]["traits"] > 0
    assert diag["stages"]["success"][0]["metrics"] == []  # the success arm induces nothing
    text = script.render(diag, wall_s=None)
    assert "## Agent" in text and "## Paired differences" in text
    assert script.headline(diag).startswith("metrics - success on test seeds:")
