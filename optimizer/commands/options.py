"""Options several verbs share, spelled the same way everywhere: `-o KEY=VALUE` and `--out`."""

from __future__ import annotations

import argparse
import sys


def add_override_option(parser: argparse.ArgumentParser, example: str = "-o iterations=3") -> None:
    parser.add_argument("-o", "--override", action="append", default=[], metavar="KEY=VALUE",
                        help=f"override a config value, parsed by the field's type (repeatable), e.g. {example}")


def add_out_option(parser: argparse.ArgumentParser, help: str, *, old_names: tuple[str, ...] = (),
                   **kwargs) -> None:
    """`--out` for an output folder; `old_names` still work for one release, with a notice on stderr."""
    kwargs.setdefault("metavar", "DIR")
    parser.add_argument("--out", help=help, **kwargs)
    if old_names:
        parser.add_argument(*old_names, dest="out", action=_DeprecatedName, help=argparse.SUPPRESS, **kwargs)


class _DeprecatedName(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None) -> None:
        print(f"{parser.prog}: {option_string} is deprecated and goes in the next release; use --out",
              file=sys.stderr)
        setattr(namespace, self.dest, values)
