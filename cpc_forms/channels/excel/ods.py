"""The answer cells holding formulas in an OpenDocument copy of the workbook (LibreOffice's own format)."""
from __future__ import annotations

import zipfile
from typing import Dict

from defusedxml.ElementTree import iterparse

from .layout import ANSWER, COL

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_T = "{" + TABLE + "}"


def formula_cells(path: str, sheet: str) -> Dict[int, str]:
    """Rows of a sheet whose answer cell holds a formula, with the formula text (LibreOffice's 'of:=' dropped)."""
    found: Dict[int, str] = {}
    inside, row, col = False, 0, 0
    with zipfile.ZipFile(path) as zf, zf.open("content.xml") as stream:
        for event, el in iterparse(stream, events=("start", "end")):
            if el.tag == _T + "table":
                if event == "start":
                    inside, row = el.get(_T + "name") == sheet, 0
                elif inside:
                    break
            elif not inside:
                continue
            elif el.tag == _T + "table-row" and event == "start":
                col = 0
            elif el.tag == _T + "table-row":
                row += int(el.get(_T + "number-rows-repeated", "1"))
                el.clear()
            elif el.tag in (_T + "table-cell", _T + "covered-table-cell") and event == "start":
                text = el.get(_T + "formula")
                if text is not None and col == COL[ANSWER]:
                    found[row + 1] = text.split("=", 1)[-1]
                col += int(el.get(_T + "number-columns-repeated", "1"))
    return found
