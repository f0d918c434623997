"""Instruction prompts of the TextWorld tasks (our own wording; content as BALROG's: the game, the
command syntax, tips). Unlike BALROG we also state the game's objective, because the observation has it
cut out and the agent would otherwise have to ask for it with `goal`."""

from __future__ import annotations

GAME_TEXT = {
    "treasure_hunter": (
        "You are exploring a maze of about twenty rooms in a text adventure, looking for one particular "
        "object. Doors and containers on the way may be closed or locked; the keys you need are in your "
        "inventory or somewhere in the rooms. Pick up the right object to win; picking up the wrong one "
        "loses the game."),
    "the_cooking_game": (
        "You are in a house in a text adventure and you are hungry. Find the cookbook in the kitchen, read "
        "the recipe, collect the ingredients from the rooms of the house, process them exactly as the recipe "
        "says (slice, dice or chop them with a knife; roast, grill or fry them with the right appliance), "
        "then prepare the meal and eat it. Processing an ingredient the wrong way can make the game "
        "unwinnable, so follow the recipe."),
    "coin_collector": (
        "You are in a text adventure made of a long chain of rooms, some of them dead ends. Somewhere in it "
        "lies a coin. Find the coin and take it to win."),
}

COMMANDS = {
    "common": [
        ("look", "describe the room you are in"),
        ("goal", "repeat the objective of the game"),
        ("inventory", "list what you are carrying"),
        ("go north / south / east / west", "move through an exit"),
        ("take <thing>", "pick something up"),
        ("drop <thing>", "put something you carry down"),
        ("open <door or container>", "open it"),
        ("close <door or container>", "close it"),
        ("take <thing> from <container or supporter>", "pick something up from a box, table, and so on"),
        ("put <thing> on <supporter>", "place something on a table, shelf, and so on"),
        ("insert <thing> into <container>", "place something inside a box, fridge, and so on"),
        ("unlock <door or container> with <key>", "unlock it with a key you carry"),
    ],
    "the_cooking_game": [
        ("examine <thing>", "look closely at something (the cookbook, for example)"),
        ("eat <food>", "eat something you carry"),
        ("lock <door or container> with <key>", "lock it"),
        ("cook <food> with <stove, oven or BBQ>", "fry, roast or grill the food"),
        ("slice / chop / dice <food> with <knife>", "cut the food as the recipe asks"),
        ("prepare meal", "combine the prepared ingredients (in the kitchen)"),
    ],
}

EXAMPLE_COMMANDS = {
    "treasure_hunter": ("look", "goal", "inventory", "go north", "open door", "take key"),
    "the_cooking_game": ("look", "goal", "inventory", "examine cookbook", "take knife", "prepare meal"),
    "coin_collector": ("look", "goal", "go north", "go east", "take coin"),
}

TIPS = [
    "Type one short command per turn, in the forms listed; the game does not understand long sentences.",
    "Read each reply: it tells you whether your command worked.",
    "Keep track of the rooms and exits you have seen, so that you do not walk in circles.",
    "Do not repeat a command that changed nothing.",
]


def instruction_prompt(task: str, objective: str = "") -> str:
    commands = COMMANDS["common"] + (COMMANDS["the_cooking_game"] if task == "the_cooking_game" else [])
    lines = "\n".join(f"- {form}: {meaning}" for form, meaning in commands)
    goal = f"\n\nObjective of this game: {objective.strip()}" if objective.strip() else ""
    tips = "\n".join(f"- {tip}" for tip in TIPS)
    return (f"{GAME_TEXT[task]}{goal}\n\nCommands you can type:\n{lines}\n\nTips:\n{tips}\n\n"
            "Each turn, answer with one command.")
