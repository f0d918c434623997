"""`ladder compare CONFIG [--out DIR]` (or `--resume DIR`): run the arms on identical splits, report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from autolibra.errors import InputError
from optimizer.commands.options import add_out_option, add_override_option
from optimizer.compare import CompareConfig, load_compare_config, run_compare
from optimizer.config import RunConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="a compare config, e.g. configs/compare.yaml")
    parser.add_argument("--resume", metavar="DIR", help="resume a compare directory")
    add_override_option(parser, "-o overrides.iterations=1")
    add_out_option(parser, "write into this directory instead of <out_dir>/<stamp>_<name>", old_names=("--dir",))


def run(args: argparse.Namespace) -> int:
    if args.resume:
        saved = json.loads((Path(args.resume) / "compare_config.json").read_text()) \
            if (Path(args.resume) / "compare_config.json").exists() else None
        if saved is None:
            raise InputError(f"{args.resume} is not a compare directory (no compare_config.json)")
        config = CompareConfig.model_validate(saved["compare"])
        base = RunConfig.model_validate(saved["base"])
        directory = run_compare(config, base, directory=Path(args.resume))
    elif args.config:
        config, base = load_compare_config(args.config, args.override)
        directory = run_compare(config, base, directory=Path(args.out) if args.out else None)
    else:
        raise InputError("give a compare config (e.g. configs/compare.yaml) or --resume DIR")
    print((directory / "compare.md").read_text())
    print(f"written: {directory / 'compare.md'}, {directory / 'compare.html'}")
    return 0
