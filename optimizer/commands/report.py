"""`ladder report RUN`: rebuild report.html, summary.json and plots from the run directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from optimizer.reporting import build_compare_report, build_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", help="a run directory (or a compare directory)")


def run(args: argparse.Namespace) -> int:
    if (Path(args.run) / "compare.json").exists() or (Path(args.run) / "compare_config.json").exists():
        target = build_compare_report(Path(args.run))
    else:
        target = build_report(args.run)
    print(target)
    return 0
