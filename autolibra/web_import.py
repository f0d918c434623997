"""Load web-navigation trajectories from the shapes public datasets use into our `Trajectory` records.

Three source shapes are recognised per record, plus our own schema:

* ``webarena``: ``intent`` + ``trajectory`` (steps with ``observation`` as text or ``{"text", "url"}`` and
  ``action`` as a string or ``{"action_str", "raw_prediction"}``), ``answer``, ``score`` or ``success``.
* ``webvoyager``: ``ques`` (+ ``web_name``, ``web``) with either ``steps`` (``thought``/``action``/
  ``observation``) or a chat log ``messages`` (user turns = observations, assistant turns =
  ``Thought: ... Action: ...``), ``answer``, ``evaluation`` ("SUCCESS" / "NOT SUCCESS") or ``success``.
* ``nnetnav``: ``instruction`` + ``steps`` whose ``output`` is the raw chain-of-thought completion ending in
  "the next action I will perform is ```ACTION```".
* ``ladder``: a record already in our schema (has ``env`` and ``steps``), validated as is.

Long observations are cut to ``max_observation_chars`` and flagged in ``step.info`` so judges and exports
know they saw a partial page (see docs/selection.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from autolibra.errors import DataError
from autolibra.schema import Step, Trajectory

DEFAULT_MAX_OBSERVATION_CHARS = 4000
TRUNCATION_MARKER = "\n[... observation truncated ...]"
# Markers other tools leave when they already cut an observation before it reached us.
_SOURCE_TRUNCATION = re.compile(r"(\[\.\.\.\s*truncated[^\]]*\]|<truncated>|\.\.\.\s*\(truncated\))\s*$", re.I)
_COT_ACTION = re.compile(r"(?:in summary,?\s*)?(?:the\s+)?(?:next action I will perform is|action:)\s*```(.+?)```",
                         re.I | re.S)
_WHERE_GLOSS = re.compile(r"\s+where \[\d+\] is .*$", re.S)
_THOUGHT_ACTION = re.compile(r"Thought:\s*(?P<thought>.*?)\s*Action:\s*(?P<action>.+)", re.S)


class _Bad(ValueError):
    """A record-level problem; the caller adds the file and record index."""


def load_web_trajectories(path: str | Path, *, source: str | None = None,
                          max_observation_chars: int = DEFAULT_MAX_OBSERVATION_CHARS) -> list[Trajectory]:
    """Read a .json (list, or object with a ``data``/``records`` list) or .jsonl file of web trajectories.

    ``source`` forces one shape; otherwise each record's shape is detected from its keys.
    A malformed record raises DataError naming the file and the record index (JSONL: the line number).
    """
    path = Path(path)
    trajectories: list[Trajectory] = []
    seen: dict[str, str] = {}
    for where, record in _iter_records(path):
        try:
            if not isinstance(record, dict):
                raise _Bad(f"expected a JSON object, got {type(record).__name__}")
            shape = source or detect_shape(record)
            if shape not in _CONVERTERS:
                raise _Bad(f"unknown source shape {shape!r}; expected one of {', '.join(_CONVERTERS)}")
            trajectory = _CONVERTERS[shape](record)
            if trajectory.id in seen:
                raise _Bad(f"duplicate trajectory id {trajectory.id!r} (also at {seen[trajectory.id]}); "
                           "give repeated attempts a distinct 'run_id'")
            seen[trajectory.id] = where
            trajectories.append(_truncate(trajectory, max_observation_chars))
        except (_Bad, ValidationError, TypeError, KeyError) as error:
            message = error.errors()[0]["msg"] if isinstance(error, ValidationError) else str(error)
            raise DataError(f"{where}: {message}", str(path)) from None
    return trajectories


def detect_shape(record: dict[str, Any]) -> str:
    if "env" in record and "steps" in record and "id" in record:
        return "ladder"
    if "intent" in record and "trajectory" in record:
        return "webarena"
    if "ques" in record:
        return "webvoyager"
    if "instruction" in record and "steps" in record:
        return "nnetnav"
    keys = ", ".join(sorted(record)) or "(none)"
    raise _Bad(f"cannot tell the source shape from keys [{keys}]; expected webarena (intent, trajectory), "
               "webvoyager (ques), nnetnav (instruction, steps) or a ladder Trajectory")


def _iter_records(path: Path):
    if not path.exists():
        raise DataError("file not found", str(path))
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                yield f"line {number}", _parse(line, path, number)
        return
    data = _parse(text, path, None)
    if isinstance(data, dict):
        data = data.get("data", data.get("records", [data]))
    if not isinstance(data, list):
        raise DataError("expected a list of trajectory records", str(path))
    for index, record in enumerate(data):
        yield f"record {index}", record


def _parse(text: str, path: Path, line: int | None) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(f"invalid JSON: {error.msg} (column {error.colno})", str(path), line) from None


def _require(record: dict, key: str) -> Any:
    if key not in record or record[key] in (None, ""):
        raise _Bad(f"missing required field {key!r}")
    return record[key]


def _steps_list(record: dict, key: str) -> list:
    steps = _require(record, key)
    if not isinstance(steps, list) or not steps:
        raise _Bad(f"field {key!r} must be a non-empty list of steps")
    return steps


def _outcome(success: bool | None) -> str:
    return "unknown" if success is None else "success" if success else "failure"


def _from_ladder(record: dict) -> Trajectory:
    return Trajectory.model_validate(record)


def _from_webarena(record: dict) -> Trajectory:
    steps = []
    for index, raw in enumerate(_steps_list(record, "trajectory")):
        if not isinstance(raw, dict) or "action" not in raw:
            raise _Bad(f"step {index}: expected an object with 'observation' and 'action'")
        obs = raw.get("observation", "")
        url = obs.get("url") if isinstance(obs, dict) else raw.get("url")
        text = obs.get("text", "") if isinstance(obs, dict) else str(obs)
        action = raw["action"]
        reasoning = None
        if isinstance(action, dict):
            reasoning, parsed = _split_cot(action.get("raw_prediction", ""))
            # The model's own action string is what a fine-tuned agent should emit; `action_str` adds a
            # " where [id] is <element>" gloss meant for humans.
            action = parsed or _WHERE_GLOSS.sub("", action.get("action_str") or "")
        if not action:
            raise _Bad(f"step {index}: empty action")
        steps.append(_step(index, text, str(action), reasoning, url))
    score = record.get("score")
    success = record.get("success", None if score is None else float(score) >= 1.0)
    sites = record.get("sites") or []
    return _trajectory(f"webarena-{record.get('task_id', _require(record, 'intent')[:24])}", "webarena",
                       task=f"webarena/{'+'.join(sites) or 'web'}/{record.get('task_id', 'unknown')}",
                       intent=_require(record, "intent"), steps=steps, answer=record.get("answer"),
                       success=success, extra={"start_url": record.get("start_url"), "sites": sites},
                       run_id=record.get("run_id"))


def _from_webvoyager(record: dict) -> Trajectory:
    if "steps" in record:
        steps = []
        for index, raw in enumerate(_steps_list(record, "steps")):
            if not isinstance(raw, dict) or not raw.get("action"):
                raise _Bad(f"step {index}: expected an object with a non-empty 'action'")
            obs = raw.get("observation", raw.get("accessibility_tree", ""))
            steps.append(_step(index, str(obs), raw["action"], raw.get("thought"), raw.get("url")))
    else:
        steps = _steps_from_messages(_steps_list(record, "messages"))
    evaluation = record.get("evaluation")
    success = record.get("success")
    if success is None and isinstance(evaluation, str):
        success = evaluation.strip().upper() == "SUCCESS"
    task_id = str(record.get("id") or record.get("task_id") or _require(record, "ques")[:24])
    return _trajectory(f"webvoyager-{task_id}", "webvoyager", task=f"webvoyager/{task_id}",
                       intent=_require(record, "ques"), steps=steps, answer=record.get("answer"),
                       success=success, extra={"start_url": record.get("web"), "site": record.get("web_name")},
                       run_id=record.get("run_id"))


def _steps_from_messages(messages: list) -> list[Step]:
    """A chat log: each assistant turn is one step, acting on the user turn just before it."""
    steps, observation = [], ""
    for position, message in enumerate(messages):
        if not isinstance(message, dict) or "role" not in message:
            raise _Bad(f"message {position}: expected an object with 'role' and 'content'")
        content = message.get("content") or ""
        if isinstance(content, list):  # multimodal content: keep the text parts only
            content = "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        if message["role"] == "user":
            observation = content
        elif message["role"] == "assistant":
            match = _THOUGHT_ACTION.search(content)
            if not match:
                raise _Bad(f"message {position}: assistant turn has no 'Thought: ... Action: ...'")
            steps.append(_step(len(steps), observation, match["action"].strip(), match["thought"], None))
    if not steps:
        raise _Bad("messages contain no assistant turn")
    return steps


def _from_nnetnav(record: dict) -> Trajectory:
    steps = []
    for index, raw in enumerate(_steps_list(record, "steps")):
        if not isinstance(raw, dict):
            raise _Bad(f"step {index}: expected an object")
        reasoning, action = _split_cot(raw.get("output", ""))
        action = raw.get("action") or action
        if not action:
            raise _Bad(f"step {index}: no action (neither 'action' nor a ```action``` in 'output')")
        steps.append(_step(index, str(raw.get("observation", "")), action, raw.get("reasoning", reasoning),
                           raw.get("url")))
    task_id = str(record.get("task_id") or record.get("id") or "unknown")
    return _trajectory(f"nnetnav-{task_id}", "nnetnav", task=f"nnetnav/{task_id}",
                       intent=_require(record, "instruction"), steps=steps, answer=record.get("answer"),
                       success=record.get("success"), extra={"start_url": record.get("start_url")},
                       run_id=record.get("run_id"))


def _split_cot(text: str) -> tuple[str | None, str | None]:
    """'Let's think ... In summary, the next action I will perform is ```click [3]```' -> (thoughts, action)."""
    match = _COT_ACTION.search(text or "")
    if not match:
        return (text or None), None
    return text[: match.start()].strip() or None, match.group(1).strip()


def _step(index: int, observation: str, action: str, reasoning: str | None, url: str | None) -> Step:
    info: dict[str, Any] = {"url": url} if url else {}
    if _SOURCE_TRUNCATION.search(observation):
        info["observation_truncated"] = "source"  # the dataset already cut it
    return Step(index=index, observation=observation, action=str(action).strip(),
                reasoning=(reasoning or "").strip() or None, info=info)


def _trajectory(base_id: str, source: str, *, task: str, intent: str, steps: list[Step], answer: Any,
                success: bool | None, extra: dict, run_id: Any) -> Trajectory:
    # Several attempts at one task are common in these datasets: `run_id` keeps their ids apart.
    trajectory_id = f"{base_id}-{run_id}" if run_id is not None else base_id
    metadata = {"source": source, **{k: v for k, v in extra.items() if v}}
    return Trajectory(id=trajectory_id, env="web", task=task, instruction=str(intent), steps=steps,
                      final_answer=None if answer is None else str(answer), success=success,
                      outcome=_outcome(success), progression=1.0 if success else 0.0,
                      num_steps=len(steps), metadata=metadata)


def _truncate(trajectory: Trajectory, limit: int) -> Trajectory:
    cut = []
    for step in trajectory.steps:
        if limit > 0 and len(step.observation) > limit:
            step.info["observation_chars"] = len(step.observation)
            step.info["observation_truncated"] = "import"
            step.observation = step.observation[:limit] + TRUNCATION_MARKER
        if step.info.get("observation_truncated"):
            cut.append(step.index)
    if cut:
        trajectory.metadata["truncated_steps"] = cut
    return trajectory


_CONVERTERS: dict[str, Callable[[dict], Trajectory]] = {
    "webarena": _from_webarena, "webvoyager": _from_webvoyager, "nnetnav": _from_nnetnav, "ladder": _from_ladder,
}
