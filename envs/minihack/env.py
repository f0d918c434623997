"""MiniHack with the BALROG face: BALROG's offline tasks, action names, text layout and progression."""

from __future__ import annotations

import warnings

import gymnasium
from nle.nethack import actions as nle_actions

with warnings.catch_warnings():  # minihack still imports the deprecated pkg_resources
    warnings.simplefilter("ignore")
    import minihack  # noqa: F401  (registers the MiniHack ids with gymnasium)

from envs._face import LanguageActions, TextGameEnv
from envs.minihack.language import render, screen_text

# BALROG's eight tasks minus the two Boxoban ones, whose level files need a download.
TASKS = ("MiniHack-MazeWalk-9x9-v0", "MiniHack-MazeWalk-15x15-v0", "MiniHack-Corridor-R3-v0",
         "MiniHack-CorridorBattle-Dark-v0", "MiniHack-Quest-Easy-v0", "MiniHack-Quest-Medium-v0")
LEFT_OUT = ("MiniHack-Boxoban-Hard-v0", "MiniHack-Boxoban-Medium-v0")
OBS_KEYS = ("glyphs", "blstats", "tty_chars", "inv_letters", "inv_strs", "tty_cursor", "tty_colors",
            "message", "screen_descriptions")
_DIRS = {"north": "N", "east": "E", "south": "S", "west": "W", "northeast": "NE", "southeast": "SE",
         "southwest": "SW", "northwest": "NW"}
# BALROG's fixed list of 33 action names -> (NLE action, what it does). A task offers those in its own set.
ACTION_TABLE = {
    **{name: (nle_actions.CompassDirection[d], f"move one square {name}") for name, d in _DIRS.items()},
    **{f"far {name}": (nle_actions.CompassDirectionLonger[d], f"run {name} until something interesting")
       for name, d in _DIRS.items()},
    "up": (nle_actions.MiscDirection.UP, "climb up a staircase"),
    "down": (nle_actions.MiscDirection.DOWN, "go down a staircase"),
    "wait": (nle_actions.MiscDirection.WAIT, "rest for one turn"),
    "more": (nle_actions.MiscAction.MORE, "show the rest of a long message"),
    "apply": (nle_actions.Command.APPLY, "use a tool or wand"),
    "close": (nle_actions.Command.CLOSE, "close a door"),
    "open": (nle_actions.Command.OPEN, "open a door"),
    "eat": (nle_actions.Command.EAT, "eat something"),
    "force": (nle_actions.Command.FORCE, "force a lock"),
    "kick": (nle_actions.Command.KICK, "kick something, such as a locked door"),
    "loot": (nle_actions.Command.LOOT, "loot a box on the floor"),
    "pickup": (nle_actions.Command.PICKUP, "pick up what is here"),
    "pray": (nle_actions.Command.PRAY, "pray to your god"),
    "puton": (nle_actions.Command.PUTON, "put on a ring or amulet"),
    "quaff": (nle_actions.Command.QUAFF, "drink a potion"),
    "search": (nle_actions.Command.SEARCH, "search for hidden doors and passages"),
    "zap": (nle_actions.Command.ZAP, "zap a wand"),
}
DEFAULT_ACTION = "north"
DEFAULT_MAX_STEPS = 100
MAX_MORE_SKIPS = 16
GOALS = {
    "MazeWalk": "find your way through the maze to the staircase down (>) and go down it",
    "Corridor": "explore the rooms and corridors to reach the staircase down (>) and go down it",
    "CorridorBattle": "fight your way along the dark corridor to the staircase down (>) and go down it",
    "Quest": "explore, fight or avoid the monsters, cross the lava, and reach the staircase down (>)",
}


class MiniHackTextEnv(TextGameEnv):
    env_name = "minihack"

    def __init__(self, task: str, max_steps: int = DEFAULT_MAX_STEPS, penalty_step: float = -0.01):
        # NetHack's own step limit is set well above ours: our cap truncates, skipped "--More--" prompts
        # must not eat into it.
        self._game = gymnasium.make(task, observation_keys=OBS_KEYS, max_episode_steps=20 * max_steps,
                                    penalty_step=penalty_step, penalty_time=0.0, penalty_mode="constant",
                                    autopickup=False, character="@", fix_moon_phase=True).unwrapped
        offered = set(self._game.actions)
        names = [name for name, (action, _) in ACTION_TABLE.items() if action in offered]
        self._index = {name: self._game.actions.index(ACTION_TABLE[name][0]) for name in names}
        self._more = (self._game.actions.index(nle_actions.MiscAction.MORE)
                      if nle_actions.MiscAction.MORE in offered else None)
        super().__init__(task, LanguageActions(names), DEFAULT_ACTION, max_steps)

    def _reset_game(self, seed: int):
        # gymnasium's seed only reaches NLE's Python-side RNG: NetHack's own generators are seeded here,
        # without NetHack's periodic reseeding from true randomness, and with the moon phase taken from the
        # seed rather than the clock (fix_moon_phase), so that a seed fixes the whole episode.
        self._game.seed(core=seed, disp=seed ^ 0x5BD1E995, reseed=False)
        obs, info = self._game.reset(seed=seed)
        obs, _, _, _ = self._skip_more(obs)
        return render(obs), {"end_status": int(info.get("end_status", 0))}

    def _step_game(self, action: str):
        obs, reward, terminated, truncated, info = self._game.step(self._index[action])
        if not (terminated or truncated):
            obs, extra, terminated, truncated = self._skip_more(obs)
            reward += extra
        status = int(info.get("end_status", 0))
        # BALROG: solved when the last step pays >= 1 (a MiniHack success pays 1).
        if terminated and (reward >= 1.0 or status == int(self._game.StepStatus.TASK_SUCCESSFUL)):
            self.progression = 1.0
        return render(obs), float(reward), bool(terminated), bool(truncated), {"end_status": status}

    def _skip_more(self, obs):
        """Answer "--More--" prompts (as BALROG's skip_more does), summing their rewards."""
        total, terminated, truncated = 0.0, False, False
        for _ in range(MAX_MORE_SKIPS):
            if self._more is None or "--More--" not in screen_text(obs):
                break
            obs, reward, terminated, truncated, _ = self._game.step(self._more)
            total += float(reward)
            if terminated or truncated:
                break
        return obs, total, terminated, truncated

    def get_instruction_prompt(self, instructions: str | None = None) -> str:
        family = self.task.split("-")[1]
        actions = "\n".join(f"- {name}: {ACTION_TABLE[name][1]}" for name in self.language_action_space)
        return (
            "You are playing MiniHack, a small NetHack dungeon seen as a character map (you are @).\n"
            f"Your goal: {GOALS.get(family, 'reach the staircase down (>)')}.\n\n"
            f"Each turn, answer with exactly one of these actions:\n{actions}\n\n"
            "Tips:\n"
            "- Read the message line and the language observation before acting.\n"
            "- Walls and rock cannot be walked through; if a move changes nothing, do not repeat it.\n\n"
            "PLAY!"
        )

    def close(self):
        self._game.close()
