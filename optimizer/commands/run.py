"""`ladder run CONFIG [-o key=value ...]` or `ladder run --resume RUN`."""

from __future__ import annotations

import argparse

from autolibra.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="a run config (YAML), e.g. configs/smoke.yaml")
    parser.add_argument("--resume", metavar="RUN", help="resume the run directory RUN")
    parser.add_argument("-o", "--override", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. -o iterations=3 -o models.default=openai/gpt-4o")
    parser.add_argument("--run-dir", help="write into this directory instead of runs/<stamp>_<name>")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from optimizer.config import load_config
    from optimizer.runner import resume_run, start_run

    if args.resume and args.config:
        raise InputError("give either a config or --resume RUN, not both")
    if args.resume:
        run_dir, status = resume_run(args.resume)
    elif args.config:
        config = load_config(args.config, args.override)
        run_dir, status = start_run(config, run_path=Path(args.run_dir) if args.run_dir else None)
    else:
        raise InputError("give a config (e.g. configs/smoke.yaml) or --resume RUN")
    print(f"run {run_dir.path}: {status}")
    if status == "waiting_for_feedback":
        print(f"  write feedback with: ladder annotate {run_dir.path}")
        print(f"  then continue with:  ladder run --resume {run_dir.path}")
    else:
        print(f"  report: {run_dir.path / 'report.html'}")
    return 0
