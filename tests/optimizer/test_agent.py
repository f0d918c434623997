"""The game agent: BALROG message layout, per-format parsing, constrained decoding, instructions as data."""

from __future__ import annotations

import dspy
import pytest

from autolibra.lm.fake import FakeEngine, fake_lm
from optimizer.agent import AgentConfig, GameAgent, prompt_id_of
from optimizer.prompting import (INVALID_ACTION_PREFIX, ROBUST_FALLBACK, SUFFIXES, action_event, build_messages,
                                 observation_event, parse_output)

ACTIONS = ["idle", "up", "right", "down", "left"]


def decide(agent, lm, history=(), observation="obs now", prompt="GAME RULES"):
    return agent.act(lm, instruction_prompt=prompt, history=list(history), observation=observation, actions=ACTIONS)


@pytest.mark.parametrize("fmt, completion, action, reasoning", [
    ("naive", "up.", "up", None),
    ("naive", "**left**", "left", None),
    ("naive", "Up", "Up", None),  # case-sensitive: stays invalid
    ("naive", "move up", "move up", None),
    ("cot", "Door is left.\nACTION: up\nno wait ACTION: left!", "left", "Door is left.\nACTION: up\nno wait ACTION: left!"),
    ("cot", "I go down", "I go down", "I go down"),
    ("robust_cot", "think\n<|ACTION|> right <|END|> then <|ACTION|>up<|END|>", "right",
     "think\n<|ACTION|> right <|END|> then <|ACTION|>up<|END|>"),
    ("robust_cot", "ACTION: up", ROBUST_FALLBACK, "ACTION: up"),
    ("constrained", '{"reasoning": "win is up", "action": "up"}', "up", "win is up"),
    ("constrained", '{"reasoning": "a very long thought that got cut', '{"reasoning": "a very long thought that got cut',
     None),
])
def test_parse_output_follows_balrog(fmt, completion, action, reasoning):
    assert parse_output(fmt, completion) == (action, reasoning)


def test_messages_follow_balrog_layout_with_stable_prefix():
    history = [observation_event("o0"), action_event("up"), observation_event("o1"), action_event("left")]
    first = build_messages(instructions="Be smart.", instruction_prompt="RULES", history=history[:2],
                           observation="o1", suffix=SUFFIXES["naive"])
    second = build_messages(instructions="Be smart.", instruction_prompt="RULES", history=history,
                            observation="o2", suffix=SUFFIXES["naive"])
    assert [m["role"] for m in second] == ["system", "user", "user", "assistant", "user", "assistant", "user"]
    assert second[2]["content"] == "Observation:\no0"
    assert second[-1]["content"] == "Current Observation:\no2\n\n" + SUFFIXES["naive"]
    # Everything before the old "current" message is unchanged: a prompt cache can reuse it.
    assert second[:4] == first[:4]


def test_history_window_keeps_newest_events_and_cot_plan():
    history = []
    for i in range(5):
        history += [observation_event(f"o{i}"), action_event(f"a{i}", reasoning=f"plan {i}")]
    messages = build_messages(instructions="x", instruction_prompt="RULES", history=history, observation="o5",
                              suffix="S", history_turns=2, cot_history=1)
    contents = [m["content"] for m in messages[2:]]
    assert contents == ["a3", "Observation:\no4", "Previous plan:\nplan 4", "Current Observation:\no5\n\nS"]


def test_agent_sends_balrog_messages():
    lm = fake_lm(["up."])
    agent = GameAgent("Reach the win.", AgentConfig(format="naive"))
    decision = decide(agent, lm, history=[observation_event("o0"), action_event("left")])
    assert (decision.action, decision.reasoning, decision.raw_output) == ("up", None, "up.")
    messages = lm.fake.calls[0].messages
    assert messages[0] == {"role": "system", "content": "Reach the win."}
    assert messages[1] == {"role": "user", "content": "GAME RULES"}
    assert messages[-1]["content"].startswith("Current Observation:\nobs now\n\nYou always have to output")


def test_instructions_are_signature_data_and_drive_the_prompt_id():
    lm = fake_lm(["up", "up"])
    agent = GameAgent("First prompt.", AgentConfig(format="naive"))
    first_id = agent.prompt_id
    agent.instructions = "Second prompt."
    assert agent.prompt_id == prompt_id_of("Second prompt.") != first_id
    assert [p.signature.instructions for _, p in agent.named_predictors()] == ["Second prompt."]
    decide(agent, lm)
    assert lm.fake.calls[0].messages[0]["content"] == "Second prompt."
    with pytest.raises(ValueError, match="non-empty"):
        agent.instructions = "  "


class RecordingEngine(FakeEngine):
    """Keeps each request's config, to check the JSON schema reached the model."""

    def complete(self, request):
        self.configs = getattr(self, "configs", []) + [request.config]
        return super().complete(request)


def test_constrained_mode_sends_a_schema_of_the_legal_actions():
    engine = RecordingEngine(['{"reasoning": "the door is up", "action": "up"}'])
    lm = dspy.LM("fake/recording", engine=engine, cache=False)
    agent = GameAgent("Win.", AgentConfig(format="constrained", max_tokens=64, temperature=0.0))
    decision = decide(agent, lm)
    assert (decision.action, decision.reasoning) == ("up", "the door is up")
    config = engine.configs[0]
    assert config.max_tokens == 64 and config.temperature == 0.0
    schema = config.response_format["schema"]
    assert schema["properties"]["action"]["enum"] == ACTIONS
    assert schema["required"] == ["reasoning", "action"]
    assert "exactly one of: idle, up, right, down, left" in engine.calls[0].last_user


def test_action_only_mode_sends_a_schema_without_reasoning():
    engine = RecordingEngine(['{"action": "left"}'])
    lm = dspy.LM("fake/recording", engine=engine, cache=False)
    agent = GameAgent("Win.", AgentConfig(format="constrained_action", max_tokens=16))
    decision = decide(agent, lm)
    assert (decision.action, decision.reasoning) == ("left", None)
    schema = engine.configs[0].response_format["schema"]
    assert schema["required"] == ["action"] and list(schema["properties"]) == ["action"]
    assert '"action" (exactly one of: idle, up, right, down, left)' in engine.calls[0].last_user
    assert "reasoning" not in engine.calls[0].last_user


def test_empty_completion_is_an_empty_action_not_a_crash():
    agent = GameAgent("Win.", AgentConfig(format="naive"))
    decision = decide(agent, fake_lm([""]))
    assert (decision.action, decision.raw_output) == ("", "")


def test_invalid_prefix_is_balrogs():
    assert INVALID_ACTION_PREFIX.format(action="idle") == (
        "\n\nYour previous output did not contain a valid action. Defaulted to action: idle\n\nObservation:\n")
