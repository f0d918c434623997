"""Import a BALROG run directory (per-episode CSV + JSON logs) as Trajectory records.

Layout: ``<run>/<env>/<task>/<task>_run_NN.csv`` and ``..._run_NN.json`` (a babaisai task such as
``env/goto_win`` adds a directory level). Current BALROG writes the CSV header
``Step,Action,Reasoning,Observation,Reward,Done`` where Observation is what the step *returned*, so our
Step.observation (what the agent saw before acting) is the previous row's Observation. The very first
pre-action observation is in neither file: it gets the INITIAL_OBSERVATION placeholder. The 2024
leaderboard order ``Step,Observation,Action,...`` logged the pre-action observation and is read as is.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from pathlib import Path
from typing import Any

from autolibra.errors import DataError
from autolibra.schema import Step, Trajectory

log = logging.getLogger(__name__)

INITIAL_OBSERVATION = "(initial observation not recorded in BALROG logs)"
CURRENT_HEADER = ["Step", "Action", "Reasoning", "Observation", "Reward", "Done"]
OLD_HEADER = ["Step", "Observation", "Action", "Reasoning", "Reward", "Done"]
ESCAPE_CHAR = "˘"  # BALROG's csv writer escape character
DEFAULT_ACTIONS = {"babaisai": "idle"}  # what the env executes for an invalid output, when the log omits it
_INVALID = re.compile(r"^\s*Your previous output did not contain a valid action\. Defaulted to action: (.+?)\s*\n")
_LOG_KEYS = {"task", "action_frequency", "input_tokens", "output_tokens", "done", "episode_return", "num_steps",
             "failed_candidates", "process_num", "seed", "agent", "client", "progression"}


def import_balrog_run(run_dir: str | Path) -> list[Trajectory]:
    """Every episode under `run_dir`, sorted by path. Raises DataError when there is none."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise DataError("not a directory (expected a BALROG run directory)", str(run_dir))
    csvs = sorted(p for p in run_dir.rglob("*_run_*.csv"))
    if not csvs:
        raise DataError("no <task>_run_NN.csv episode logs found in this BALROG run directory", str(run_dir))
    return [read_episode(path, run_dir) for path in csvs]


def read_episode(csv_path: Path, run_dir: Path) -> Trajectory:
    episode = _read_log(csv_path.with_suffix(".json"))
    rows, old_format = _read_rows(csv_path)
    env = csv_path.relative_to(run_dir).parts[0]
    stem = csv_path.stem
    task = episode.get("task") or stem.rsplit("_run_", 1)[0]
    run_index = stem.rsplit("_run_", 1)[1]
    steps = _steps(rows, old_format, set(episode.get("failed_candidates") or []), DEFAULT_ACTIONS.get(env))
    final = None if old_format or not rows else rows[-1]["Observation"]
    progression = float(episode.get("progression", 0.0) or 0.0)
    return Trajectory(
        id=f"{env}/{task}/run_{run_index}", env=env, task=task, seed=episode.get("seed"),
        model=(episode.get("client") or {}).get("model_id"), steps=steps, final_observation=final,
        success=progression >= 1.0 if "progression" in episode else None,
        outcome=_outcome(episode, progression), episode_return=float(episode.get("episode_return", 0.0) or 0.0),
        progression=min(max(progression, 0.0), 1.0), num_steps=int(episode.get("num_steps", len(steps))),
        stats={k: v for k, v in episode.items() if k not in _LOG_KEYS} | {"progression": progression},
        metadata={"source": "balrog", "csv": str(csv_path.relative_to(run_dir)),
                  "initial_observation_missing": not old_format},
    )


def _read_log(path: Path) -> dict[str, Any]:
    if not path.exists():
        log.warning("%s: no episode log next to the CSV; outcome and stats unknown", path)
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError(f"not valid JSON: {error.msg}", str(path), error.lineno) from None
    if not isinstance(data, dict):
        raise DataError("expected a JSON object (a BALROG episode log)", str(path))
    return data


def _read_rows(path: Path) -> tuple[list[dict[str, str]], bool]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, escapechar=ESCAPE_CHAR)
        header = list(reader.fieldnames or [])
        if header not in (CURRENT_HEADER, OLD_HEADER):
            raise DataError(f"unexpected CSV header {header}; expected {','.join(CURRENT_HEADER)}", str(path), 1)
        rows = []
        for row in reader:
            try:
                int(row["Step"])
                float(row["Reward"] or 0)
            except (TypeError, ValueError):
                raise DataError(f"bad Step/Reward value in row {row.get('Step')!r}", str(path),
                                reader.line_num) from None
            rows.append(row)
    return rows, header == OLD_HEADER


def _steps(rows: list[dict[str, str]], old_format: bool, failed: set[str], default: str | None) -> list[Step]:
    steps = []
    for position, row in enumerate(rows):
        if old_format:
            seen = row["Observation"]
            returned = rows[position + 1]["Observation"] if position + 1 < len(rows) else ""
        else:
            seen = rows[position - 1]["Observation"] if position else INITIAL_OBSERVATION
            returned = row["Observation"]
        raw = row["Action"] or ""
        # The env prefixes the observation a step returns when that step's output was invalid.
        defaulted = _INVALID.match(returned or "")
        valid = defaulted is None and raw not in failed
        action = defaulted.group(1) if defaulted else raw if valid else default or raw
        steps.append(Step(index=position, observation=seen, action=action,
                          raw_output=raw, reasoning=row["Reasoning"] or None, valid=valid,
                          reward=float(row["Reward"] or 0)))
    return steps


def _outcome(episode: dict[str, Any], progression: float) -> str:
    if not episode:
        return "unknown"
    if progression >= 1.0:
        return "win"
    return "loss" if episode.get("done") else "timeout"
