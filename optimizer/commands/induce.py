"""`ladder induce DATA --out metrics.json`: induce a metric set from trajectories with feedback (AutoLibra).

Also home of the argument and LM-session helpers that `ladder judge` and `ladder meta` share.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from autolibra.errors import InputError
from autolibra.induction import induce_metrics
from autolibra.instances import load_instances, load_metric_set
from autolibra.jsonl import write_json
from autolibra.lm import LMSession


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("data", help="JSONL of instances, JSONL of trajectories, or a BALROG run directory")
    parser.add_argument("--feedback", help="JSONL of Feedback records (needed with trajectories or a BALROG run)")


def add_lm_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="local", help="model for every role (default: the embedded `local`)")
    parser.add_argument("--lm", action="append", default=[], metavar="ROLE=MODEL",
                        help="a model for one role: grounder, clusterer or judge (repeatable)")
    parser.add_argument("--workers", type=int, default=4, help="concurrent LM calls (default 4)")
    parser.add_argument("--token-budget", type=int, default=1200, help="trajectory tokens per prompt")
    parser.add_argument("--cache", help="directory for the LM response cache (default: none)")
    parser.add_argument("--calls-log", help="append every LM call to this JSONL (no secrets)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    parser.add_argument("--out", required=True, help="where to write the MetricSet JSON")
    parser.add_argument("--heldout", type=float, default=0.2, help="fraction of trajectories held out (0..1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the held-out split")
    parser.add_argument("--existing", help="a MetricSet JSON to extend (its metrics are kept as they are)")
    parser.add_argument("--rounds", type=int, default=3, help="at most this many clustering rounds")
    parser.add_argument("--n-metrics", type=int, help="ask for about N new metrics per round")
    parser.add_argument("--search", help="comma-separated N values to search, e.g. 4,7,10,13")
    parser.add_argument("--name", default="metrics", help="name of a new metric set")
    add_lm_arguments(parser)


def build_session(args: argparse.Namespace) -> LMSession:
    if args.workers < 1:
        raise InputError(f"expected --workers >= 1, got {args.workers}")
    roles: dict[str, str] = {"default": args.model}
    for item in args.lm:
        role, sep, model = item.partition("=")
        if not sep or not model:
            raise InputError(f"expected --lm ROLE=MODEL, got {item!r}")
        roles[role.strip()] = model.strip()
    return LMSession(roles, cache_dir=Path(args.cache) if args.cache else None,
                     log_path=Path(args.calls_log) if args.calls_log else None)


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.heldout < 1:
        raise InputError(f"expected 0 <= --heldout < 1, got {args.heldout}")
    search = _parse_search(args.search)
    instances = load_instances(args.data, args.feedback)
    existing = load_metric_set(args.existing) if args.existing else None
    out = Path(args.out)
    with build_session(args) as session:
        result = induce_metrics(instances, session, existing=existing, heldout=args.heldout, seed=args.seed,
                                n_metrics=args.n_metrics, search=search, max_rounds=args.rounds,
                                workers=args.workers, token_budget=args.token_budget, name=args.name)
    write_json(out, result.metrics)
    write_json(out.with_name(out.stem + ".induction.json"), result.report_dict())
    _print(result, out)
    return 0


def _parse_search(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError(f"expected --search as comma-separated integers, got {text!r}") from None
    if not values or min(values) < 1:
        raise InputError(f"expected --search values >= 1, got {text!r}")
    return values


def _print(result, out: Path) -> None:
    print(f"{'round':>5} {'kind':9} {'N':>3} {'coverage':>22} {'redundancy':>22} {'tokens in':>9} kept  added")
    for r in result.rounds:
        print(f"{r.round:>5} {r.kind:9} {r.num_metrics:>3} {str(r.coverage or '-'):>22} "
              f"{str(r.redundancy or '-'):>22} {r.tokens.input:>9} {'yes' if r.kept else 'no ':4}  "
              f"{', '.join(r.metrics_added) or r.note}")
    where = "held-out" if result.heldout_ids else "training (no held-out split)"
    print(f"{len(result.metrics.metrics)} metrics -> {out}")
    print(f"{where} coverage {result.coverage}, redundancy {result.redundancy}")
    print(f"failed groundings {len(result.failed_groundings)}, unscored traits {result.unscored_traits}, "
          f"failed calls {result.failed_calls}, tokens {result.tokens.input} in / {result.tokens.output} out")
