"""`ladder models [list]` and `ladder models pull [NAME ...]`: the embedded local models' weights."""

from __future__ import annotations

import argparse

from autolibra.errors import InputError
from autolibra.lm import model_store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", default="list", choices=("list", "pull"),
                        help="list the embedded models (default) or pull their weights")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="models to pull (default: local); see `ladder models list`")
    parser.add_argument("--force", action="store_true", help="pull again even if a verified copy exists")


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        if args.names or args.force:
            raise InputError("`ladder models list` takes no names or --force; did you mean `ladder models pull`?")
        _print_list()
        return 0
    names = args.names or ["local"]
    for name in names:
        model_store.spec_for(name)  # unknown names fail before any download starts
    for name in names:
        spec = model_store.MODELS[name]
        print(f"pulling {name}: {spec.title} ({spec.size / 1e9:.2f} GB) ...", flush=True)
        path = model_store.pull(name, force=args.force)
        print(f"{name}: verified (sha256 {spec.sha256[:12]}...) at {path}")
    return 0


def _print_list() -> None:
    print(f"weights directory: {model_store.models_dir()}  (override with LADDER_MODEL_DIR)")
    for name, spec in model_store.MODELS.items():
        path = model_store.models_dir() / spec.filename
        if model_store.is_verified(name):
            state = "verified"
        elif path.exists():
            state = "present, not yet verified"
        else:
            state = "not pulled (`ladder models pull " + name + "`)"
        print(f"  {name:<11} {spec.title}; {spec.size / 1e6:,.0f} MB; {spec.licence}; {state}")
    print("  local:PATH  any GGUF file on disk, e.g. local:/models/my-model.gguf")
