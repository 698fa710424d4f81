"""What calamine does not tell of an .xls (BIFF8, the Excel 97-2003 format LibreOffice saves as "Excel 97"):
which answer cells hold formulas, how far each sheet's cells reach, and whether the workbook is encrypted."""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Dict, Iterator, Tuple

from .cfb import CompoundFile
from .layout import ANSWER, COL

_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _FORMULA, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x002F, 0x0006, 0x0200
_CELLS = {0x0006, 0x0203, 0x00FD, 0x0201, 0x0204, 0x027E, 0x0205, 0x00D6}  # formula, number, text, blank, ...
_SPANS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: one row, columns first..last


@dataclass
class Sheet:
    """One worksheet of an .xls: its answer-column formulas (row, 1-based) and the extent of its cells."""
    formulas: Dict[int, str] = field(default_factory=dict)
    rows: int = 0  # one past the last row holding a cell (or declared)
    columns: int = 0


def _records(data: bytes, offset: int) -> Iterator[Tuple[int, int, bytes]]:
    """(offset, type, body) of each record from offset to the end of the stream."""
    while offset + 4 <= len(data):
        kind, length = struct.unpack_from("<HH", data, offset)
        yield offset, kind, data[offset + 4:offset + 4 + length]
        offset += 4 + length


def _name(body: bytes) -> str:
    """A BOUNDSHEET record's sheet name (a short XLUnicodeString after 6 bytes)."""
    count, wide = body[6], body[7] & 1
    raw = body[8:8 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def workbook(ole: CompoundFile) -> Tuple[Dict[str, Sheet], bool]:
    """The worksheets of an .xls by name, and whether its contents are encrypted (a FILEPASS record)."""
    data = ole.stream("Workbook" if "Workbook" in ole.names() else "Book")
    starts: Dict[str, int] = {}
    for _, kind, body in _records(data, 0):
        if kind == _FILEPASS:
            return {}, True
        if kind == _BOUNDSHEET and len(body) >= 8:
            starts[_name(body)] = struct.unpack_from("<I", body)[0]
        elif kind == _EOF:
            break
    return {name: _sheet(data, start) for name, start in starts.items()}, False


def _sheet(data: bytes, start: int) -> Sheet:
    """The formulas of column C and the extent of one sheet's substream (from its BOF to its EOF)."""
    sheet, answer = Sheet(), COL[ANSWER]
    for n, (_, kind, body) in enumerate(_records(data, start)):
        if (kind == _EOF and n) or (kind == _BOF and n):
            break
        if kind == _DIMENSIONS and len(body) >= 12:
            last_row, _, last_col = struct.unpack_from("<IHH", body, 4)
            sheet.rows, sheet.columns = max(sheet.rows, last_row), max(sheet.columns, last_col)
        elif (kind in _CELLS or kind in _SPANS) and len(body) >= 6:
            row, col = struct.unpack_from("<HH", body)
            last = struct.unpack_from("<H", body, len(body) - 2)[0] if kind in _SPANS else col
            sheet.rows, sheet.columns = max(sheet.rows, row + 1), max(sheet.columns, last + 1)
            if kind == _FORMULA and col == answer:
                sheet.formulas[row + 1] = ""  # the formula is stored parsed (tokens), not as text
    return sheet
