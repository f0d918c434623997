"""Scripted replies for every role of the loop, so the whole loop runs on fake models in seconds.

Each function reads the request the way a model would (which operator is asking, which metrics exist)
and answers in that operator's output shape. Nothing here is a default answer: an unexpected request
raises, so a test notices when a stage asks for something new.
"""

from __future__ import annotations

import json
import re
import threading

METRICS = ["Goal pursuit", "Move efficiency"]


class Counter:
    def __init__(self):
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def add(self, role: str) -> None:
        with self.lock:
            self.calls[role] = self.calls.get(role, 0) + 1


def _system(messages) -> str:
    return messages[0]["content"] if messages and messages[0]["role"] == "system" else ""


def scripts(counter: Counter | None = None, *, action: str = "right", judge_garbage_on: str | None = None,
            agent_error_on: str | None = None, rewrite: str = "Find the rule `X is win`, then walk to X.") -> dict:
    counter = counter or Counter()

    def agent(messages):
        counter.add("agent")
        last = messages[-1]["content"]
        if agent_error_on and agent_error_on in last:
            raise RuntimeError("injected agent failure")
        # A rewritten prompt that names the procedure makes this fake agent head left (which wins
        # env/goto_win seed 0): prompts matter here as they do for real models.
        chosen = "left" if "walk to X" in _system(messages) else action
        return json.dumps({"reasoning": "the win object is to the left", "action": chosen})

    def annotator(messages):
        counter.add("annotator")
        assert "trajectory" in messages[-1]["content"]
        return {"feedback": "The agent kept walking left [0] and bumped into the wall [1]; it never "
                            "checked which object was WIN. Good: it always gave a legal action."}

    def grounder(messages):
        system = _system(messages)
        if "Split the feedback" in system:
            counter.add("grounder")
            return {"aspects": [
                {"behavior": "walked left into the wall [1]", "feedback": "bumped into the wall",
                 "is_positive": False, "steps": [1]},
                {"behavior": "always gave a legal action", "feedback": "always gave a legal action",
                 "is_positive": True, "steps": [0]}]}
        if "feedback point" in system:
            counter.add("matcher")
            points = re.findall(r"^\s*(\d+)\.", messages[-1]["content"], flags=re.MULTILINE)
            return {"matches": [{"point": int(p), "metric": METRICS[i % 2]} for i, p in enumerate(points)]}
        raise AssertionError(f"unexpected grounder request: {system[:200]}")

    def clusterer(messages):
        counter.add("clusterer")
        return {"metrics": [
            {"name": METRICS[0], "explanation": "Does the agent move toward the WIN object?",
             "good_behaviors": ["walked straight to the door"], "bad_behaviors": ["walked into a wall"]},
            {"name": METRICS[1], "explanation": "Does each move make progress?",
             "good_behaviors": ["no wasted moves"], "bad_behaviors": ["bumped into the wall"]}]}

    def judge(messages):
        counter.add("judge")
        if judge_garbage_on and judge_garbage_on in messages[-1]["content"]:
            return "I cannot decide, sorry."
        won = "outcome: win" in messages[-1]["content"]
        return {"verdicts": [
            {"metric": METRICS[0], "rating": 1 if won else -1,
             "reasoning": "it reached the WIN object" if won else "it walked into the wall [1]", "steps": [1]},
            {"metric": METRICS[1], "rating": 1, "reasoning": "every action was legal [0]", "steps": [0]}]}

    def rewriter(messages):
        counter.add("rewriter")
        if "`new_instruction`" in _system(messages):  # GEPA's reflection signature
            return {"new_instruction": rewrite}
        return {"new_instructions": rewrite}

    return {"agent": agent, "annotator": annotator, "grounder": grounder, "clusterer": clusterer,
            "judge": judge, "rewriter": rewriter}


def fake_models() -> dict:
    return {role: f"fake/{role}" for role in ("default", "agent", "annotator", "grounder", "clusterer",
                                              "judge", "rewriter")}
