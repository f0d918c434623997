"""`ladder compare CONFIG` (or `--resume DIR`): run the arms on identical splits, write table and plots."""

from __future__ import annotations

import argparse

from autolibra.errors import InputError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", help="a compare config, e.g. configs/compare.yaml")
    parser.add_argument("--resume", metavar="DIR", help="resume a compare directory")
    parser.add_argument("-o", "--override", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--dir", help="write into this directory")


def run(args: argparse.Namespace) -> int:
    import json
    from pathlib import Path

    from optimizer.compare import CompareConfig, load_compare_config, run_compare
    from optimizer.config import RunConfig

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
        directory = run_compare(config, base, directory=Path(args.dir) if args.dir else None)
    else:
        raise InputError("give a compare config (e.g. configs/compare.yaml) or --resume DIR")
    print((directory / "compare.md").read_text())
    print(f"written: {directory / 'compare.md'}, {directory / 'compare.html'}")
    return 0
