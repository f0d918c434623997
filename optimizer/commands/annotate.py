"""`ladder annotate RUN_OR_DATA`: write feedback on trajectories, in the terminal or (`--web`) a local page."""

from __future__ import annotations

import argparse
import sys

from autolibra.errors import InputError
from optimizer.annotate import open_source, run_terminal, serve_web


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="RUN_OR_DATA",
                        help="a run directory waiting for feedback, or a JSONL file of trajectories")
    parser.add_argument("--annotator", default=None,
                        help="your name, saved with each feedback as human:NAME (default: your login name)")
    parser.add_argument("--out", default=None,
                        help="feedback file for a JSONL source (default: <data stem>.feedback.jsonl beside it)")
    parser.add_argument("--web", action="store_true", help="serve a local annotation page instead")
    parser.add_argument("--host", default="127.0.0.1", help="--web: address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="--web: port (default 0: a free one)")
    parser.add_argument("--open", action="store_true", help="--web: open the page in a browser")


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        raise InputError(f"expected --port in 0..65535, got {args.port}")
    source = open_source(args.source, args.out)
    if args.web:
        serve_web(source, args.annotator, host=args.host, port=args.port, open_browser=args.open)
        return 0
    if not sys.stdin.isatty():
        print("ladder annotate: standard input is not a terminal; reading commands from it line by line",
              file=sys.stderr)
    result = run_terminal(source, args.annotator)
    if source.run_dir is not None and result.remaining == 0:
        print(f"every requested trajectory has your feedback; go on with: ladder run --resume {source.run_dir}")
    return 0
