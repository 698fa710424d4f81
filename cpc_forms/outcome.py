"""What a run tells its user at the end: the returns per channel, and what became of every input given."""
from __future__ import annotations

from typing import List, Mapping, Union

from .catalogue import Code
from .model import Report
from .report.run import Run

# Issues that say a file's columns were not all read: its returns may be scored from partial data.
PARTIAL = frozenset({Code.UNKNOWN_COLUMN, Code.AMBIGUOUS_COLUMN, Code.SCORED_COLUMN_MISSING, Code.COLUMN_MISSING,
                     Code.RAGGED_ROWS, Code.LOST_CHOICE})


def _counted(c: Mapping[str, int]) -> str:
    excluded = f", {c['excluded']} excluded by review" if c.get("excluded") else ""
    return (f"{c['read']} read, {c['accepted']} accepted, {c['rejected']} rejected, "
            f"{c['duplicates']} duplicates{excluded}")


def summary(report: Union[Report, Run]) -> List[str]:
    """The short summary printed after a run: returns per channel, accepted, rejected, duplicates, excluded by
    review, countries; and whether any file had columns that were not read."""
    lines = [f"{name:>12}: {_counted(report.counts[name])}" for name in sorted(report.counts)]
    keys = ("read", "accepted", "rejected", "duplicates", "excluded")
    total = {k: sum(c.get(k, 0) for c in report.counts.values()) for k in keys}
    if isinstance(report, Run):
        partial, countries = report.partial, report.countries
    else:
        partial, countries = tuple({i.source for i in report.issues if i.code in PARTIAL}), len(report.countries)
    unread = (f"; columns not read in {len(partial)} file(s), whose returns may be scored from partial data "
              "(see the issues)" if partial else "")
    lines.append(f"{'total':>12}: {_counted(total)}; {countries} countries{unread}")
    return lines
