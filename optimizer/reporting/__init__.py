"""All reporting in one place: statistics, the run summary (summary.json), report.html and its plots,
BALROG's summary table, `ladder compare`'s tables and plots, and the selection report.

Reports only read records; nothing upstream imports them except to write a report at the end. Names
load lazily: reporting imports matplotlib, which a CLI verb that writes no report should not pay for,
and the selection report's types come from `optimizer.selection`, whose pipeline writes that report.
"""

import importlib

_LAZY = {
    "Rate": "optimizer.reporting.stats",
    "PairedDifference": "optimizer.reporting.stats",
    "format_rate": "optimizer.reporting.stats",
    "paired_difference": "optimizer.reporting.stats",
    "rate": "optimizer.reporting.stats",
    "standard_error": "optimizer.reporting.stats",
    "BalrogSummary": "optimizer.reporting.balrog",
    "balrog_summary": "optimizer.reporting.balrog",
    "format_balrog_table": "optimizer.reporting.balrog",
    "print_balrog_table": "optimizer.reporting.balrog",
    "IterationSummary": "optimizer.reporting.summary",
    "RoleUsage": "optimizer.reporting.summary",
    "RunSummary": "optimizer.reporting.summary",
    "SuccessRate": "optimizer.reporting.summary",
    "success_by_pair": "optimizer.reporting.summary",
    "summarize_run": "optimizer.reporting.summary",
    "build_report": "optimizer.reporting.html",
    "CompareReport": "optimizer.reporting.compare",
    "collect": "optimizer.reporting.compare",
    "compare_table": "optimizer.reporting.compare",
    "build_compare_report": "optimizer.reporting.compare",
    "SelectionReport": "optimizer.reporting.selection",
    "write_selection_outcome": "optimizer.reporting.selection",
    "build_selection_report": "optimizer.reporting.selection",
    "write_selection_report": "optimizer.reporting.selection",
}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'optimizer.reporting' has no attribute {name!r}")
