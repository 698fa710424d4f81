"""scores.csv: one row per accepted return; numbers at full precision, every risky text neutralised."""
from __future__ import annotations

import csv
from pathlib import Path

from ..model import Report
from . import rows
from .neutral import neutralise


def write(report: Report, path, *, personal: bool = False) -> Path:
    """Write scores.csv (UTF-8 with a BOM so spreadsheets keep accents; '' for no value)."""
    path = Path(path)
    header = rows.columns(report.form, personal)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f)
        out.writerow(header)
        for scored in report.returns:
            row = rows.flat(report.form, rows.return_row(report, scored, personal), personal)
            out.writerow([_cell(row.get(c)) for c in header])
    return path


def _cell(value):
    # repr keeps every digit of a float, so float(cell) == the score exactly
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)  # a number, even a negative one, is data and never a formula
    return neutralise(str(value))
