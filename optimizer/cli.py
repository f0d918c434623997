"""The `ladder` command: one entry point, a few verbs.

Each verb lives in ``optimizer/commands/<verb>.py`` and exposes ``add_arguments(parser)`` and
``run(args) -> int``. Modules are imported only when their verb runs, so `ladder --help` is fast and
a verb's heavy dependencies (DSPy, the local model) load only when needed.

Conventions every verb shares: `-v`/`-vv` anywhere on the line, `--out` for an output folder, `-o KEY=VALUE`
for a config value, and bad input as one line on stderr with exit code 2 (no traceback).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import logging
import sys

from autolibra.errors import LadderError

# The distribution's name, newest first; the command is `ladder` whatever the distribution is called.
DISTRIBUTIONS = ("ladder-autolibra", "ladder")

# verb -> (module, one-line help)
VERBS: dict[str, tuple[str, str]] = {
    "play": ("optimizer.commands.play", "play a level in the terminal (Baba Is AI: grid view, --solve)"),
    "eval": ("optimizer.commands.eval", "run an agent on tasks x seeds and print BALROG's table"),
    "run": ("optimizer.commands.run", "run the optimization loop from a YAML config (or --resume RUN)"),
    "compare": ("optimizer.commands.compare", "metric-driven vs success-driven optimization, same budget"),
    "report": ("optimizer.commands.report", "rebuild a run's report.html and plots"),
    "induce": ("optimizer.commands.induce", "induce metrics from trajectories with feedback (AutoLibra)"),
    "judge": ("optimizer.commands.judge", "judge trajectories on a metric set"),
    "meta": ("optimizer.commands.meta", "coverage and redundancy of a metric set on feedback"),
    "annotate": ("optimizer.commands.annotate", "write feedback on trajectories (terminal or --web)"),
    "select": ("optimizer.commands.select", "select high-scoring trajectories as fine-tuning data"),
    "models": ("optimizer.commands.models", "list and pull the embedded local models"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ladder", description="Make LLM agents better from open-ended feedback.")
    _add_verbose(parser)
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for verb, (module_name, help_text) in VERBS.items():
        sub.add_parser(verb, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    top, rest = parser.parse_known_args(argv)
    if top.version:
        print(f"ladder {version()}")
        return 0
    if top.verb is None:
        parser.print_help()
        return 2
    module_name, help_text = VERBS[top.verb]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            print(f"ladder: `{top.verb}` is not available in this version", file=sys.stderr)
            return 2
        raise
    verb_parser = argparse.ArgumentParser(prog=f"ladder {top.verb}", description=help_text)
    module.add_arguments(verb_parser)
    _add_verbose(verb_parser)  # `-v` after the verb counts too
    args = verb_parser.parse_args(rest)
    args.verbose += top.verbose
    _configure_logging(args.verbose)
    try:
        return int(module.run(args) or 0)
    except LadderError as error:
        print(f"ladder {top.verb}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print(f"ladder {top.verb}: interrupted; finished work is saved", file=sys.stderr)
        return 130


def version() -> str:
    """This package's version from its installed metadata; "unknown" when run from a bare source tree."""
    for name in DISTRIBUTIONS:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        # Another project may hold the name `ladder`: count a distribution only if it is this command.
        if any(entry.value == "optimizer.cli:main" for entry in dist.entry_points):
            return dist.version
    return "unknown (not installed as a distribution)"


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if verbosity < 2:
        for noisy in ("LiteLLM", "litellm", "httpx", "httpcore", "openai"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


if __name__ == "__main__":
    sys.exit(main())
