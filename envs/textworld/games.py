"""Offline generation of BALROG's TextWorld games, with fixed seeds, cached on disk.

BALROG downloads 25 pre-generated games per task. We generate them instead with TextWorld's own
challenge generators at the settings BALROG's games were made with; game `i` of a task always uses
generation seed `i + 1`, so the same index is the same game on every machine with the same TextWorld
version. A game is generated the first time it is asked for and then reused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

# task -> (TextWorld challenge, generation settings) matching BALROG's description of its games.
GAME_SPECS: dict[str, tuple[str, dict]] = {
    "treasure_hunter": ("tw-treasure_hunter", {"level": 30}),  # 20 rooms, hard mode, quest length 20
    "the_cooking_game": ("tw-cooking", {"recipe": 5, "take": 5, "go": 12, "open": True, "cook": True,
                                        "cut": True, "drop": True, "recipe_seed": 0, "split": None}),
    "coin_collector": ("tw-coin_collector", {"level": 120}),  # 40 rooms (with distractors), path 20
}
NUM_GAMES = 25  # BALROG's games per task
# Small games of the same three kinds, generated in seconds instead of minutes: for tests, smoke runs and
# the speed benchmark (pass as `generation=QUICK_GENERATION[task]`).
QUICK_GENERATION: dict[str, dict] = {
    "treasure_hunter": {"level": 5},
    "the_cooking_game": {"recipe": 1, "take": 1, "go": 1},
    "coin_collector": {"level": 5},
}


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get("LADDER_TEXTWORLD_GAMES") or
                Path(platformdirs.user_cache_dir("ladder")) / "textworld")


def settings_for(task: str, overrides: dict | None = None) -> tuple[str, dict]:
    challenge, settings = GAME_SPECS[task]
    return challenge, {**settings, **(overrides or {})}


def _folder(task: str, settings: dict, root: Path) -> Path:
    import textworld  # the version is part of the key: another version may generate other games

    key = json.dumps({"settings": settings, "textworld": textworld.__version__}, sort_keys=True)
    return root / f"{task}-{hashlib.sha256(key.encode()).hexdigest()[:10]}"


def game_path(task: str, index: int, overrides: dict | None = None,
              cache_dir: str | os.PathLike | None = None) -> Path:
    """Path of game `index` of `task`, generating it first if it is not cached yet."""
    challenge, settings = settings_for(task, overrides)
    folder = _folder(task, settings, cache_root(cache_dir))
    path = folder / f"game_{index:03d}.z8"
    if not path.exists():
        _generate(challenge, settings, seed=index + 1, path=path)
    return path


def _generate(challenge: str, settings: dict, seed: int, path: Path) -> None:
    import textworld
    import textworld.challenges

    log.info("generating TextWorld game %s (seed %d) into %s; this is done once", challenge, seed, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Generate into a private temp folder, then move: concurrent first uses never see half a game.
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".gen-") as tmp:
        options = textworld.GameOptions()
        options.seeds = seed
        options.path = str(Path(tmp) / path.stem)
        options.file_ext = ".z8"
        _, make_game, _ = textworld.challenges.CHALLENGES[challenge]
        with warnings.catch_warnings():  # compiling replays the walkthrough; Jericho warns it can't score it
            warnings.simplefilter("ignore")
            game = make_game(settings=dict(settings), options=options)
            compiled = Path(textworld.generator.compile_game(game, options))
        # The .json beside the .z8 carries the objective and max score: move it first, the .z8 last,
        # because the .z8's presence is what marks a game as ready.
        shutil.move(str(compiled.with_suffix(".json")), path.with_suffix(".json"))
        os.replace(compiled, path)


def generate_games(task: str, count: int = NUM_GAMES, overrides: dict | None = None,
                   cache_dir: str | os.PathLike | None = None) -> list[Path]:
    """Pre-generate games 0..count-1 of `task` (e.g. before an evaluation run)."""
    return [game_path(task, index, overrides, cache_dir) for index in range(count)]
