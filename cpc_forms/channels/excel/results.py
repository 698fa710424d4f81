"""The live scores of a workbook its spreadsheet program computed and saved: the Results sheet, by key."""
from __future__ import annotations

from typing import Dict

import python_calamine

from .layout import COL, META, R_COMPLETE, R_DK, R_HIGH, R_KEY, R_LOW, R_VALUE, RESULTS, find_sheet


def _rows(book, name: str) -> list:
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def read_results(path) -> Dict[str, object]:
    """The values of the Results sheet by key: section:<id>, completeness:<id>, dont_know:<id>, low:<id> and
    high:<id> for each scored section, index, level (label), level_code, band_level, held_by and perceived (""
    where there is none)."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    meta = {str(r[0]): str(r[1]) for r in _rows(book, META) if len(r) > 1 and r[0]}
    k, v = COL[R_KEY], COL[R_VALUE]
    per_section = {"completeness": COL[R_COMPLETE], "dont_know": COL[R_DK], "low": COL[R_LOW], "high": COL[R_HIGH]}
    values = {}
    for row in _rows(book, find_sheet(book.sheet_names, meta, RESULTS)[0]):
        if len(row) > k and row[k]:
            values[str(row[k])] = row[v]
            if str(row[k]).startswith("section:"):
                sid = str(row[k]).split(":", 1)[1]
                values.update({f"{name}:{sid}": row[col] for name, col in per_section.items()})
    return values
