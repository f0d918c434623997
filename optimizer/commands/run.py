"""`ladder run CONFIG [-o key=value ...] [--out DIR] [--print-config]` or `ladder run --resume RUN`."""

from __future__ import annotations

import argparse
from pathlib import Path

from autolibra.errors import InputError
from optimizer.commands.options import add_out_option, add_override_option
from optimizer.config import config_yaml, load_config
from optimizer.loop import resume_run, start_run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="a run config (YAML), e.g. configs/smoke.yaml")
    parser.add_argument("--resume", metavar="RUN", help="resume the run directory RUN")
    add_override_option(parser, "-o iterations=3 -o models.default=openai/gpt-4o")
    add_out_option(parser, "write into this directory instead of <out_dir>/<stamp>_<name>",
                   old_names=("--run-dir",))
    parser.add_argument("--print-config", action="store_true",
                        help="print the resolved config (after overrides) as YAML and exit; runs nothing")


def run(args: argparse.Namespace) -> int:
    if args.resume and args.config:
        raise InputError("give either a config or --resume RUN, not both")
    if not args.resume and not args.config:
        raise InputError("give a config (e.g. configs/smoke.yaml) or --resume RUN")
    if args.print_config and not args.config:
        raise InputError("--print-config needs a config (it prints what `ladder run CONFIG` would run)")
    # The whole config is read and checked before anything is created or any LM is called.
    config = load_config(args.config, args.override) if args.config else None
    if args.print_config:
        print(config_yaml(config), end="")
        return 0
    if config is None:
        run_dir, status = resume_run(args.resume)
    else:
        run_dir, status = start_run(config, run_path=Path(args.out) if args.out else None)
    print(f"run {run_dir.path}: {status}")
    if status == "waiting_for_feedback":
        print(f"  write feedback with: ladder annotate {run_dir.path}")
        print(f"  then continue with:  ladder run --resume {run_dir.path}")
    else:
        print(f"  report: {run_dir.path / 'report.html'}")
    return 0
