"""`ladder meta DATA --metrics metrics.json`: coverage and redundancy of a metric set on feedback.

Pass held-out instances (feedback the metric set was not induced from) for an honest measure.
"""

from __future__ import annotations

import argparse
from collections import Counter

from autolibra.induction import measure_metrics
from autolibra.instances import load_instances, load_metric_set
from autolibra.jsonl import read_jsonl, write_json
from autolibra.schema import Trait
from optimizer.commands.induce import add_data_arguments, add_lm_arguments, build_session
from optimizer.commands.judge import print_rates


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    parser.add_argument("--metrics", required=True, help="the MetricSet JSON")
    parser.add_argument("--traits", help="reuse stored Trait records (from `ladder judge`) instead of judging")
    parser.add_argument("--out", help="also write the full report (aspects, traits, matches) as JSON")
    add_lm_arguments(parser)


def run(args: argparse.Namespace) -> int:
    metrics = load_metric_set(args.metrics)
    instances = load_instances(args.data, args.feedback)
    stored = read_jsonl(args.traits, Trait) if args.traits else None
    with build_session(args) as session:
        report = measure_metrics(instances, metrics, session, traits=stored, workers=args.workers,
                                 token_budget=args.token_budget)
    matched = Counter(m.metric for m in report.matches if m.metric)
    print_rates(report.per_metric, dict(matched))
    print(f"coverage    {report.coverage}   (aspects matched / aspects)")
    print(f"redundancy  {report.redundancy}   (unmatched detected traits / detected traits)")
    print(f"redundancy* {report.redundancy_all}   (* 0-rated traits also in the denominator)")
    print(f"{len(instances)} instances, {len(report.aspects)} aspects, failed groundings "
          f"{len(report.failed_groundings)}, failed calls {report.failed_calls}, "
          f"tokens {report.tokens.input} in / {report.tokens.output} out")
    if args.out:
        write_json(args.out, report)
    return 0
