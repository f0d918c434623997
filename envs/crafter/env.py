"""Crafter with the BALROG face: one task (`default`), BALROG's action names, text and progression."""

from __future__ import annotations

import crafter

from envs._face import LanguageActions, TextGameEnv, action_lines
from envs.crafter.describe import long_term_text, short_term_text

TASKS = ("default",)
# Exact BALROG names, in crafter's action order (the index is crafter's action number).
ACTIONS = {
    "Noop": "do nothing",
    "Move West": "step one cell west",
    "Move East": "step one cell east",
    "Move North": "step one cell north",
    "Move South": "step one cell south",
    "Do": "act on the cell you face: gather material, drink water, eat, or attack a creature",
    "Sleep": "sleep until your energy is restored",
    "Place Stone": "put a stone from your inventory on the cell you face",
    "Place Table": "build a crafting table (uses wood) on the cell you face",
    "Place Furnace": "build a furnace (needs a nearby table, uses stone) on the cell you face",
    "Place Plant": "plant a sapling on the grass you face",
    "Make Wood Pickaxe": "craft a wood pickaxe (near a table, uses wood)",
    "Make Stone Pickaxe": "craft a stone pickaxe (near a table, uses wood and stone)",
    "Make Iron Pickaxe": "craft an iron pickaxe (near a table and a furnace, uses wood, coal and iron)",
    "Make Wood Sword": "craft a wood sword (near a table, uses wood)",
    "Make Stone Sword": "craft a stone sword (near a table, uses wood and stone)",
    "Make Iron Sword": "craft an iron sword (near a table and a furnace, uses wood, coal and iron)",
}
DEFAULT_ACTION = "Noop"
ACHIEVEMENTS = tuple(crafter.constants.achievements)  # the 22 crafter achievements
DEFAULT_MAX_STEPS = 2000  # BALROG's episode cap (crafter's own 10000 is never reached)


class _TextOnlyCrafter(crafter.Env):
    """Crafter without per-step image rendering: we only read the world, and rendering dominates a step."""

    def _obs(self):
        return None


class CrafterTextEnv(TextGameEnv):
    env_name = "crafter"

    def __init__(self, task: str = "default", max_steps: int = DEFAULT_MAX_STEPS, area=(64, 64)):
        # length=None: the cap is ours (a truncation), so crafter itself only ends an episode on death.
        self._game = _TextOnlyCrafter(area=tuple(area), view=(9, 9), reward=True, length=None)
        super().__init__(task, LanguageActions(list(ACTIONS)), DEFAULT_ACTION, max_steps)
        self._achievements: dict[str, int] = {}
        self.score = 0.0

    def _fields(self, inventory: dict[str, int]) -> dict[str, str]:
        world, player = self._game._world, self._game._player
        return {"long_term_context": long_term_text(world, player),
                "short_term_context": short_term_text(inventory)}

    def _reset_game(self, seed: int):
        # crafter seeds each world from (its seed, its episode number): fix both for a reproducible world.
        self._game._seed, self._game._episode = seed, 0
        self._game.reset()
        _, _, _, info = self._game.step(0)  # BALROG takes one noop after reset to obtain the info
        self._achievements = dict(info["achievements"])
        self.score = 0.0
        self.progression = 0.0
        return self._fields(info["inventory"]), {"achievements": dict(self._achievements)}

    def _step_game(self, action: str):
        _, reward, done, info = self._game.step(self.action_space.index(action))
        self._achievements = dict(info["achievements"])
        self.score += float(reward)
        self.progression = sum(count > 0 for count in self._achievements.values()) / len(ACHIEVEMENTS)
        return (self._fields(info["inventory"]), float(reward), bool(done), False,
                {"achievements": dict(self._achievements)})

    def get_stats(self) -> dict:
        return {"score": self.score, "progression": float(self.progression),
                "achievements": dict(self._achievements)}

    def get_instruction_prompt(self, instructions: str | None = None) -> str:
        achievements = ", ".join(name.replace("_", " ").title() for name in ACHIEVEMENTS)
        return (
            "You are playing Crafter, a two-dimensional survival game seen from above. You gather "
            "materials, craft tools, and keep your health, food, drink and energy up while avoiding "
            "zombies, skeletons and lava.\n\n"
            "Each turn, answer with exactly one of these actions:\n"
            f"{action_lines(ACTIONS)}\n\n"
            f"Your aim is to unlock as many of these achievements as you can: {achievements}.\n\n"
            "Tips:\n"
            "- Most actions work on the cell you are facing; move towards a thing to face it.\n"
            "- Wood comes first: collect it from trees, then build a table to craft tools.\n"
            "- Drink water and eat (cows, plants) before your status runs low, and sleep when energy is low.\n"
            "- Do not repeat an action that changes nothing."
        )
