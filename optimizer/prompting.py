"""BALROG-style message building and output parsing for the game agent.

The message layout follows BALROG's prompt builder (spec §B.4) so that our numbers are comparable with
the leaderboard: the env's instruction prompt as a user message, then the history as alternating
user (observation) / assistant (action) messages, the newest observation as `Current Observation:` with
the output-format suffix appended. Our one addition is the optimizable agent instructions, sent first as
a system message, so the prefix (instructions + env prompt + older turns) stays byte-stable across the
steps of an episode and a local server can reuse its prompt cache. Parsing follows §B.3 exactly.

`BalrogAdapter` plugs this into DSPy: a `dspy.Predict` over `GameStep` calls the adapter, which formats
the messages itself (instead of DSPy's field-marker format) and parses the completion per format.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal, get_args, get_origin

import dspy

Format = Literal["naive", "cot", "robust_cot", "constrained", "constrained_action"]
CONSTRAINED_FORMATS = ("constrained", "constrained_action")

# Model-facing interface strings (spec Appendix B.2); kept verbatim for comparability with BALROG.
SUFFIXES: dict[str, str] = {
    "naive": "You always have to output one of the above actions at a time and no other text. "
             "You always have to output an action until the episode terminates.",
    "cot": "First think about what's the best course of action step by step.\n"
           "Finally, provide a single output action at the end of the message in the form of: ACTION: <action>",
    "robust_cot": "First, think about the best course of action.\n"
                  "Then, you must choose exactly one of the listed actions and output it strictly in the "
                  "following format:\n\n<|ACTION|>YOUR_CHOSEN_ACTION<|END|>\n\n"
                  "Replace YOUR_CHOSEN_ACTION with the chosen action.",
}
# Ours: the constrained mode has no BALROG counterpart; decoding is restricted by a JSON schema anyway,
# the text only tells the model what the two keys mean.
CONSTRAINED_SUFFIX = ('Reply with a JSON object with two keys: "reasoning" (one or two short sentences) and '
                      '"action" (exactly one of: {actions}).')
# `constrained_action`: the same without reasoning. A 1.5B model on 2 CPU cores spends most of a step writing
# its reasoning; without it a step is several times cheaper (docs/results/offline-ladder.md measures both).
ACTION_ONLY_SUFFIX = 'Reply with a JSON object with one key: "action" (exactly one of: {actions}).'
INVALID_ACTION_PREFIX = ("\n\nYour previous output did not contain a valid action. "
                         "Defaulted to action: {action}\n\nObservation:\n")
ROBUST_FALLBACK = "Failed to obtain a valid action from the reasoning."
REASONING_MAX_CHARS = 200  # bound on the constrained reasoning: a small model rambles past max_tokens

_NOT_LETTERS = re.compile(r"[^a-zA-Z\s:]")
_ROBUST_ACTION = re.compile(r"<\|ACTION\|>(.*?)<\|END\|>", re.DOTALL)
_JSON_ACTION = re.compile(r'"action"\s*:\s*"([^"]*)"')


def observation_event(text: str) -> dict[str, Any]:
    return {"kind": "observation", "text": text}


def action_event(text: str, reasoning: str | None = None) -> dict[str, Any]:
    return {"kind": "action", "text": text, "reasoning": reasoning}


def build_messages(*, instructions: str, instruction_prompt: str, history: list[dict], observation: str,
                   short_term: str = "", suffix: str, history_turns: int = 16,
                   cot_history: int = 0) -> list[dict[str, str]]:
    """The chat messages for one decision, BALROG layout (spec §B.4) plus a leading system message.

    `history` holds earlier events (observation/action dicts, oldest first); like BALROG's bounded deque,
    only the newest `2 * history_turns` events including the current observation are shown.
    `cot_history` newest actions that carry reasoning are shown as `Previous plan:` (BALROG's CoT agent).
    """
    events = [*history, observation_event(observation)]
    events = events[-max(1, 2 * history_turns):]
    messages = [{"role": "system", "content": instructions}] if instructions.strip() else []
    messages.append({"role": "user", "content": instruction_prompt})
    plans_left = cot_history
    shown_plan = set()
    for position in range(len(events) - 1, -1, -1):  # newest first, to find the newest reasoning
        event = events[position]
        if event["kind"] == "action" and event.get("reasoning") and plans_left > 0:
            shown_plan.add(position)
            plans_left -= 1
    last = len(events) - 1
    for position, event in enumerate(events):
        if event["kind"] == "observation":
            lines = ["Current Observation:" if position == last else "Observation:"]
            if position == last and short_term:
                lines.append(short_term)
            lines.append(event["text"])
            messages.append({"role": "user", "content": "\n".join(lines)})
        else:
            content = f"Previous plan:\n{event['reasoning']}" if position in shown_plan else event["text"]
            messages.append({"role": "assistant", "content": content})
    messages[-1] = {**messages[-1], "content": messages[-1]["content"] + "\n\n" + suffix}
    return messages


def parse_output(fmt: str, completion: str) -> tuple[str, str | None]:
    """(action, reasoning) from a raw completion, exactly as BALROG's agents parse it (spec §B.3).

    The action may well be illegal; legality is the env's call, not the parser's.
    """
    text = completion.strip()  # BALROG's clients strip the completion before the agent sees it
    if fmt == "naive":
        return _NOT_LETTERS.sub("", text), None
    if fmt == "cot":
        filtered = _NOT_LETTERS.sub("", text)
        if "ACTION:" in filtered:
            return filtered.rsplit("ACTION:", 1)[1].strip(), text
        return filtered, text
    if fmt == "robust_cot":
        match = _ROBUST_ACTION.search(text)
        return (match.group(1).strip() if match else ROBUST_FALLBACK), text
    if fmt in CONSTRAINED_FORMATS:
        return _parse_json_action(text)
    raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(get_args(Format))}")


def _parse_json_action(text: str) -> tuple[str, str | None]:
    # Constrained decoding yields pure JSON; a reply cut off by max_tokens may still hold the action.
    body = text.removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        match = _JSON_ACTION.search(text)
        return (match.group(1) if match else text), None
    if not isinstance(data, dict):
        return text, None
    reasoning = data.get("reasoning")
    return str(data.get("action", "")), (str(reasoning) if reasoning is not None else None)


def literal_choices(annotation: Any) -> list[str] | None:
    """The allowed values of a `Literal[...]` annotation, or None for any other type."""
    return [str(v) for v in get_args(annotation)] if get_origin(annotation) is Literal else None


def action_schema(actions: list[str], reasoning: bool = True) -> dict[str, Any]:
    """An OpenAI-style `response_format` restricting the reply to {"reasoning", "action" in actions}
    (without the reasoning key when `reasoning` is False)."""
    properties: dict[str, Any] = {"reasoning": {"type": "string", "maxLength": REASONING_MAX_CHARS}} if reasoning else {}
    properties["action"] = {"type": "string", "enum": list(actions)}
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    return {"type": "json_schema", "json_schema": {"name": "game_action", "schema": schema}}


class BalrogAdapter(dspy.Adapter):
    """A DSPy adapter that speaks BALROG's message layout instead of DSPy's field markers.

    The signature's instructions become the system message; its inputs (`instruction_prompt`, `history`,
    `observation`, `short_term_context`) are laid out by `build_messages`. In constrained mode the legal
    actions are read from the `action` output field's `Literal[...]` type and sent as a JSON schema.
    """

    def __init__(self, fmt: str = "naive", history_turns: int = 16):
        if fmt not in get_args(Format):
            raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(get_args(Format))}")
        super().__init__()
        self.fmt = fmt
        self.history_turns = history_turns

    def __call__(self, lm, lm_kwargs, signature, demos, inputs):
        if self.fmt in CONSTRAINED_FORMATS:
            schema = action_schema(self._actions(signature), reasoning=self.fmt == "constrained")
            lm_kwargs = {**lm_kwargs, "response_format": schema}
        return super().__call__(lm, lm_kwargs, signature, demos, inputs)

    def _actions(self, signature) -> list[str]:
        actions = literal_choices(signature.output_fields["action"].annotation)
        if not actions:
            raise ValueError("constrained mode needs the `action` output field typed Literal[...] of legal actions")
        return actions

    def suffix(self, signature) -> str:
        if self.fmt in CONSTRAINED_FORMATS:
            suffix = CONSTRAINED_SUFFIX if self.fmt == "constrained" else ACTION_ONLY_SUFFIX
            return suffix.format(actions=", ".join(self._actions(signature)))
        return SUFFIXES[self.fmt]

    def format(self, signature, demos, inputs):
        return build_messages(
            instructions=signature.instructions,
            instruction_prompt=inputs.get("instruction_prompt", ""),
            history=list(inputs.get("history") or []),
            observation=inputs["observation"],
            short_term=inputs.get("short_term_context") or "",
            suffix=self.suffix(signature),
            history_turns=self.history_turns,
            cot_history=1 if self.fmt == "cot" else 0,  # BALROG: only the CoT agent keeps its plan
        )

    def parse(self, signature, completion):
        action, reasoning = parse_output(self.fmt, completion)
        return {"action": action, "reasoning": reasoning, "raw_output": completion}
