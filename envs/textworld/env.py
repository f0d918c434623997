"""TextWorld with the BALROG face: free-text commands, BALROG's observation cut and progression."""

from __future__ import annotations

import re
import warnings

import textworld

from envs._face import FreeTextActions, TextGameEnv
from envs.textworld.games import GAME_SPECS, NUM_GAMES, game_path
from envs.textworld.prompts import EXAMPLE_COMMANDS, instruction_prompt

TASKS = tuple(GAME_SPECS)  # BALROG order: treasure_hunter, the_cooking_game, coin_collector
DEFAULT_ACTION = "help"  # never used: every string is a valid command, as in BALROG
DEFAULT_MAX_STEPS = 80
MAX_COMMAND = 190  # the interpreter truncates input beyond ~198 bytes (with a warning)
# Interpreter meta-commands would end or rewind the story behind the harness's back.
META_COMMANDS = {"quit", "q", "restart", "restore", "save", "script", "unscript", "undo"}
INFOS = textworld.EnvInfos(objective=True, description=True, score=True, max_score=True, won=True, lost=True)


# The interpreter ends each reply with its input prompt and the status bar ("> -= Room =-score/moves").
PROMPT_TAIL = re.compile(r"\s*>\s*(-=.*=-\s*-?\d+/\d+)?\s*$")


def strip_objective(feedback: str, objective: str) -> str:
    """BALROG's cut: drop everything up to and including the last occurrence of the objective (and,
    since our interpreter adds them, the trailing prompt and status bar)."""
    feedback = PROMPT_TAIL.sub("", feedback)
    if objective and objective in feedback:
        feedback = feedback[feedback.rindex(objective) + len(objective):]
    return feedback.strip()


class TextWorldEnv(TextGameEnv):
    env_name = "textworld"

    def __init__(self, task: str, max_steps: int = DEFAULT_MAX_STEPS, game: int | None = None,
                 num_games: int = NUM_GAMES, generation: dict | None = None, cache_dir=None):
        """`game` pins one game index; otherwise each reset picks game `seed % num_games`.
        `generation` overrides TextWorld generation settings (e.g. a small level for quick tests)."""
        if num_games <= 0 or (game is not None and not 0 <= game < num_games):
            raise ValueError(f"expected 0 <= game < num_games, got game={game}, num_games={num_games}")
        super().__init__(task, FreeTextActions(EXAMPLE_COMMANDS[task], max_length=1 << 12),
                         DEFAULT_ACTION, max_steps)
        self.game, self.num_games = game, num_games
        self._generation, self._cache_dir = generation, cache_dir
        self._game_env = None
        self._path = None
        self.game_index = -1
        self.objective, self.score, self.max_score, self.won = "", 0, 1, False

    def pick_game(self, seed: int) -> int:
        """The pinned game, else game `seed % num_games` (BALROG: env seed mod number of games)."""
        return self.game if self.game is not None else seed % self.num_games

    def _reset_game(self, seed: int):
        self.game_index = self.pick_game(seed)
        path = game_path(self.task, self.game_index, self._generation, self._cache_dir)
        if path != self._path:
            self.close()
            with warnings.catch_warnings():
                # Jericho warns that it cannot track score for generated games; TextWorld's own wrapper
                # reads the score from the story instead, so nothing is lost.
                warnings.simplefilter("ignore")
                self._game_env, self._path = textworld.start(str(path), INFOS), path
        state = self._game_env.reset()
        self.objective = state.objective or ""
        self.score, self.max_score, self.won = int(state.score), int(state.max_score or 1), False
        return self._fields(state.feedback), self._info()

    def _step_game(self, action: str):
        command = " ".join(action.split())[:MAX_COMMAND]
        if command.lower() in META_COMMANDS:
            fields = {"long_term_context": f"The command '{command}' is not available in this game.",
                      "short_term_context": ""}
            return fields, 0.0, False, False, self._info()
        state, _, done = self._game_env.step(command)
        # TextWorld hands back the running total; the reward here is the change of score this step.
        reward = int(state.score) - self.score
        self.score, self.won = int(state.score), bool(state.won)
        self.progression = max(self.score / self.max_score, 1.0 if self.won else 0.0)
        return self._fields(state.feedback), float(reward), bool(done), False, self._info()

    def _fields(self, feedback: str) -> dict[str, str]:
        return {"long_term_context": strip_objective(feedback or "", self.objective), "short_term_context": ""}

    def _info(self) -> dict:
        return {"score": self.score, "max_score": self.max_score, "won": self.won, "game": self.game_index}

    def get_stats(self) -> dict:
        return {"progression": float(self.progression), "score": self.score, "max_score": self.max_score,
                "won": self.won, "game": self.game_index}

    def get_instruction_prompt(self, instructions: str | None = None) -> str:
        return instruction_prompt(self.task, self.objective)

    def close(self):
        if self._game_env is not None:
            self._game_env.close()
            self._game_env = None
            self._path = None
