"""The answer cells holding formulas, and those locked, in an OpenDocument copy of the workbook (LibreOffice's own
format)."""
from __future__ import annotations

import zipfile
from typing import Dict, Set, Tuple

from defusedxml.ElementTree import iterparse

from .layout import ANSWER, COL

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_T, _S = "{" + TABLE + "}", "{" + STYLE + "}"
_REPEATED = 1000  # rows repeated more often than this are the sheet's empty tail: no answer stands there


def formula_cells(path: str, sheet: str) -> Dict[int, str]:
    """Rows of a sheet whose answer cell holds a formula, with the formula text (LibreOffice's 'of:=' dropped)."""
    return marks(path, sheet)[0]


def marks(path: str, sheet: str) -> Tuple[Dict[int, str], Set[int]]:
    """(rows whose answer cell holds a formula, with its text; rows whose answer cell is locked: its style does
    not set cell-protect to 'none', as the workbook's unlocked answer cells do)."""
    found: Dict[int, str] = {}
    locked: Set[int] = set()
    unlocked: Set[str] = set()
    inside, row, col, repeat, style_name = False, 0, 0, 1, ""
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as stream:
        for event, el in iterparse(stream, events=("start", "end")):
            if el.tag == _S + "table-cell-properties" and event == "start":
                protect = el.get(_S + "cell-protect")
                if protect is not None and "protected" not in protect:
                    unlocked.add(style_name)
            elif el.tag == _S + "style" and event == "start":
                style_name = el.get(_S + "name", "")
            elif el.tag == _T + "table":
                if event == "start":
                    inside, row = el.get(_T + "name") == sheet, 0
                elif inside:
                    break
            elif not inside:
                continue
            elif el.tag == _T + "table-row" and event == "start":
                col, repeat = 0, int(el.get(_T + "number-rows-repeated", "1"))
            elif el.tag == _T + "table-row":
                row += repeat
                el.clear()
            elif el.tag in (_T + "table-cell", _T + "covered-table-cell") and event == "start":
                span = int(el.get(_T + "number-columns-repeated", "1"))
                if col <= COL[ANSWER] < col + span:
                    text = el.get(_T + "formula")
                    if text is not None:
                        found[row + 1] = text.split("=", 1)[-1]
                    if el.get(_T + "style-name") not in unlocked and repeat <= _REPEATED:
                        locked.update(range(row + 1, row + 1 + repeat))
                col += span
    return found, locked


def extents(path: str) -> Dict[str, Tuple[int, int]]:
    """(rows, columns) each sheet spans from A1 to its farthest cell holding something, repeats counted: what
    calamine lays out (LibreOffice writes the empty rest of a sheet as repeated empty cells and rows)."""
    spans: Dict[str, Tuple[int, int]] = {}
    name, row, col, repeat, far_row, far_col = "", 0, 0, 1, 0, 0
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as stream:
        for event, el in iterparse(stream, events=("start", "end")):
            if el.tag == _T + "table":
                if event == "start":
                    name, row, far_row, far_col = el.get(_T + "name", ""), 0, 0, 0
                else:
                    spans[name] = (far_row, far_col)
            elif el.tag == _T + "table-row" and event == "start":
                col, repeat = 0, int(el.get(_T + "number-rows-repeated", "1"))
            elif el.tag == _T + "table-row":
                row += repeat
                el.clear()
            elif el.tag in (_T + "table-cell", _T + "covered-table-cell") and event == "end":
                span = int(el.get(_T + "number-columns-repeated", "1"))
                if el.get("{urn:oasis:names:tc:opendocument:xmlns:office:1.0}value-type") or len(el):
                    far_row, far_col = max(far_row, row + repeat), max(far_col, col + span)
                col += span
    return spans
