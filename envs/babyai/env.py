"""BabyAI-Text with the BALROG face: BALROG's five tasks, action names, description and progression."""

from __future__ import annotations

from envs._face import LanguageActions, TextGameEnv, action_lines
from envs.babyai.describe import describe
from envs.babyai.level import KINDS, MixedLocalLevel, natural_max_steps

LEVEL_ID = "BabyAI-MixedTrainLocal-v0"
TASKS = tuple(f"{LEVEL_ID}/{kind}" for kind in KINDS)
# Exact BALROG strings; the index is minigrid's action number.
ACTIONS = {
    "turn left": "turn to face the cell on your left",
    "turn right": "turn to face the cell on your right",
    "go forward": "move one cell in the direction you are facing",
    "pick up": "pick up the object right in front of you",
    "drop": "put down the object you carry, in front of you",
    "toggle": "act on the object in front of you (open a door, unlock it with the matching key, open a box)",
}
DEFAULT_ACTION = "go forward"


class BabyAITextEnv(TextGameEnv):
    env_name = "babyai"

    def __init__(self, task: str, max_steps: int | None = None):
        kind = task.rsplit("/", 1)[-1]
        self._level = MixedLocalLevel(kind, max_steps=max_steps)
        super().__init__(task, LanguageActions(list(ACTIONS)), DEFAULT_ACTION,
                         max_steps or natural_max_steps(kind), extra_obs_keys=("mission",))
        self.mission = ""

    def _fields(self) -> tuple[dict[str, str], list[str]]:
        sentences = describe(self._level)
        return ({"long_term_context": "\n".join(sentences), "short_term_context": "",
                 "mission": self.mission}, sentences)

    def _reset_game(self, seed: int):
        self._level.reset(seed=seed)
        self.mission = self._level.mission
        fields, sentences = self._fields()
        return fields, {"descriptions": sentences, "mission": self.mission}

    def _step_game(self, action: str):
        _, reward, terminated, truncated, _ = self._level.step(self.action_space.index(action))
        if reward > 0:  # BALROG: solved as soon as any step pays
            self.progression = 1.0
        fields, sentences = self._fields()
        return fields, float(reward), terminated, truncated, {"descriptions": sentences}

    def get_stats(self) -> dict:
        return {"mission": self.mission, "progression": float(self.progression)}

    def get_instruction_prompt(self, instructions: str | None = None) -> str:
        mission = instructions or self.mission or "complete the mission shown in the observation"
        return (
            "You are moving around a small grid world in a simple navigation game, seeing only the cells "
            f"in front of you.\nYour goal is to {mission}.\n\n"
            "Each turn, answer with exactly one of these actions:\n"
            f"{action_lines(ACTIONS)}\n\n"
            "Tips:\n"
            "- Use toggle on the thing right in front of you to interact with it, such as a door.\n"
            "- When an action leaves the observation unchanged, do something else instead of repeating it.\n\n"
            "PLAY!"
        )
