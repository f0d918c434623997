"""All reporting in one place: statistics, the run summary (summary.json), report.html and its plots,
BALROG's summary table, `ladder compare`'s tables and plots, and the selection report.

Reports only read records; nothing upstream imports them except to write a report at the end.
"""

from optimizer.reporting.balrog import BalrogSummary, balrog_summary, format_balrog_table, print_balrog_table
from optimizer.reporting.compare import CompareReport, build_compare_report, collect, compare_table
from optimizer.reporting.html import build_report
from optimizer.reporting.selection import (SelectionReport, build_selection_report, write_selection_outcome,
                                           write_selection_report)
from optimizer.reporting.stats import PairedDifference, Rate, format_rate, paired_difference, rate, standard_error
from optimizer.reporting.summary import (IterationSummary, RoleUsage, RunSummary, SuccessRate, success_by_pair,
                                         summarize_run)

__all__ = ["Rate", "PairedDifference", "format_rate", "paired_difference", "rate", "standard_error",
           "BalrogSummary", "balrog_summary", "format_balrog_table", "print_balrog_table",
           "IterationSummary", "RoleUsage", "RunSummary", "SuccessRate", "success_by_pair", "summarize_run",
           "build_report", "CompareReport", "collect", "compare_table", "build_compare_report",
           "SelectionReport", "write_selection_outcome", "build_selection_report", "write_selection_report"]
