"""What a run tells its user at the end: the returns per channel, and what became of every input given."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Set, Tuple, Union

from .catalogue import ERROR, Code
from .limits import shown
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
    lines = [f"{name:>12}: {_counted(report.counts[name])}" for name in sorted(report.counts)
             if any(report.counts[name].values())]
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


# warnings that mean a file was skipped, not read
SKIPPED = frozenset({Code.OWN_FILE, Code.NOT_A_FILE, Code.DANGLING_LINK, Code.NO_RETURNS})


def by_input(inputs: Iterable, files: Callable[[Iterable], List[Path]],
             issues: Iterable[Tuple[str, str, str, str]]) -> List[str]:
    """What became of every input given: a line each (a folder: how many of its files were read, had rejected
    returns or were not read, or were skipped), then a line per skipped file with its reason.

    files expands inputs into files (ingest.expand); issues are (code, message, severity, source)."""
    rejected: Set[str] = set()
    skipped: Dict[str, str] = {}
    for code, message, severity, source in issues:
        where = source.split("!", 1)[0]
        if severity == ERROR:
            rejected.add(where)
        elif code in SKIPPED and source == where:
            skipped.setdefault(where, message)
    lines = []
    for given in inputs:
        names = [shown(str(f)) for f in files([given])]
        bad = sum(n in rejected for n in names)
        left = sum(n in skipped and n not in rejected for n in names)
        read = len(names) - bad - left
        if Path(given).is_dir():
            lines.append(f"input {shown(str(given))}: {len(names)} file(s): {read} read, {bad} with rejected "
                         f"returns or not read, {left} skipped")
        else:
            state = "skipped" if left else "rejected in part or whole" if bad else "read"
            lines.append(f"input {shown(str(given))}: {state}")
    lines += [f"skipped: {name}: {message}" for name, message in skipped.items() if name not in rejected]
    return lines
