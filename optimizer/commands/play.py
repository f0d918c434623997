"""`ladder play babaisai <task> --seed N`: play a Baba Is AI level in the terminal.

Shows BALROG's text observation and a grid view; moves are typed (`up`, `left`, `w/a/s/d`, ...) or, on a
real terminal, arrow keys. `--solve` prints the solver's shortest plan (also on demand with `?`), asked of
the env's `plan` capability (envs.capabilities) for the moves played so far.
"""

from __future__ import annotations

import sys

import envs
from autolibra.errors import InputError

KEYS = {"w": "up", "a": "left", "s": "down", "d": "right", "i": "idle", ".": "idle", " ": "idle",
        "\x1b[A": "up", "\x1b[B": "down", "\x1b[C": "right", "\x1b[D": "left"}
HELP = "moves: up/down/left/right/idle (or w/a/s/d, arrow keys, space = idle); ? = solver plan; q = quit"


def add_arguments(parser) -> None:
    parser.add_argument("env", help="environment name (only `babaisai` can be played here)")
    parser.add_argument("task", help="level id, e.g. env/goto_win")
    parser.add_argument("--seed", type=int, default=0, help="level seed (the same seed gives the same level)")
    parser.add_argument("--solve", action="store_true", help="show the solver's shortest plan")
    parser.add_argument("--max-steps", type=int, default=100, help="episode length (default 100)")
    parser.add_argument("--keys", action="store_true", help="read single keys (arrows) even if unsure of the tty")


def run(args) -> int:
    env = _make_env(args)
    obs, _ = env.reset(seed=args.seed)
    out = sys.stdout
    played: list[str] = []   # the solver plans from reset(seed) followed by these moves
    _show(out, env, obs, args, played)
    raw = args.keys or (sys.stdin.isatty() and out.isatty())
    read = _read_key if raw else _read_line
    out.write(HELP + "\n")
    while True:
        command = read()
        if command is None or command in ("q", "quit", "exit"):
            out.write("bye\n")
            return 0
        if command in ("?", "solve", "plan"):
            _show_plan(out, args, played)
            continue
        action = KEYS.get(command, command)
        if action not in env.language_action_space:
            out.write(f"unknown move {command!r}; {HELP}\n")
            continue
        obs, reward, terminated, truncated, info = env.step(action)
        played.append(action)
        _show(out, env, obs, args, played, action=action, reward=reward)
        if terminated or truncated:
            verdict = "You won!" if reward > 0 else "You lost." if reward < 0 else "Out of steps."
            out.write(f"{verdict} reward {reward:.3f}, progression {env.get_stats()['progression']:.0f}\n")
            return 0


def _make_env(args):
    if args.env != "babaisai":
        raise InputError(f"`ladder play` plays Baba Is AI only; expected env `babaisai`, got {args.env!r}")
    if not 0 <= args.seed < 2**32:
        raise InputError(f"expected a seed in 0..2**32-1, got {args.seed}")
    if args.max_steps < 1:
        raise InputError(f"expected --max-steps > 0, got {args.max_steps}")
    try:
        return envs.make("babaisai", args.task, max_steps=args.max_steps)
    except envs.EnvError as error:
        raise InputError(str(error)) from error


def _show(out, env, obs, args, played: list[str], action: str | None = None, reward: float = 0.0) -> None:
    if action is not None:
        out.write(f"\n> {action}   (step {env.episode_steps}/{env.max_steps}, reward {reward:.3f})\n")
    else:
        out.write(f"{args.task} seed={args.seed}  target plan: {env.get_stats()['target_plan']}\n")
    out.write(envs.capabilities(args.env).grid_view(env) + "\n\n")
    out.write(obs["text"]["long_term_context"] + "\n\n")
    if args.solve:
        _show_plan(out, args, played)


def _show_plan(out, args, played: list[str]) -> None:
    plan_from = envs.capabilities(args.env).plan
    out.write("solver: searching (milliseconds on most levels, seconds on the largest)...\n")
    out.flush()
    plan = plan_from(args.task, args.seed, played)
    if plan.actions is None:
        if plan.proven_shortest:
            out.write("solver: no win is possible from here within the steps left\n")
        else:
            out.write("solver: no plan found within the solver's budget\n")
        return
    moves = ", ".join(plan.actions)
    if plan.proven_shortest:
        out.write(f"solver: shortest plan ({len(plan.actions)} moves): {moves}\n")
    else:
        out.write(f"solver: a winning plan ({len(plan.actions)} moves; not proven shortest, the shortest has "
                  f"at least {plan.lower_bound}): {moves}\n")


def _read_line() -> str | None:
    line = sys.stdin.readline()
    if not line:
        return None
    return line.strip().lower() or "idle"


def _read_key() -> str | None:
    import termios
    import tty

    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        key = sys.stdin.read(1)
        if key == "\x1b":
            key += sys.stdin.read(2)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
    if key in ("\x03", "\x04"):   # ctrl-c, ctrl-d
        return None
    return key if key in KEYS or key in "q?" else key
