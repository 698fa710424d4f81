"""The sheets that grow with the campaign (Returns, Issues) written as XML straight into the workbook's zip, a batch
of rows at a time: each cell as XlsxWriter writes it in constant_memory mode (an inline string, or a number as
'%.16G', with the workbook's own format indexes), the XML around the rows taken from XlsxWriter itself."""
from __future__ import annotations

import io
import zipfile
from typing import IO, Callable, List, Optional, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import strings
from . import cells

MAX_ROWS = 1_048_576  # a sheet's rows in Excel and LibreOffice


def right_to_left(language: str) -> bool:
    """Whether a language's sheets run right to left ("ar", "ar-MA")."""
    return strings.direction(language) == "rtl"


def letter(col: int) -> str:
    """The column letters of a 0-based column."""
    from xlsxwriter.utility import xl_col_to_name
    return xl_col_to_name(col)


def skeleton(setup: Callable) -> Tuple[str, str]:
    """The XML XlsxWriter writes around the rows of a sheet that setup(worksheet) prepares (panes, filter,
    column widths): what goes before the first row and after the last."""
    import xlsxwriter
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    setup(book.add_worksheet())
    book.close()
    xml = zipfile.ZipFile(buffer).read("xl/worksheets/sheet1.xml").decode("utf-8")
    head, tail = xml.split("<sheetData/>")
    return head + "<sheetData>", "</sheetData>" + tail


def text_cells(col: int, rows: pa.Array, values: pa.Array, quoted: int, style: Optional[int] = None) -> pa.Array:
    """Per row the cell of a text (null where empty): a text a spreadsheet could take for a formula gets the
    quote-prefix format quoted, the others style (None: none)."""
    return cells.joined_or_null(f'<c r="{letter(col)}', rows, cells.xml_cells(values, quoted, style))


def number_cells(col: int, rows: pa.Array, numbers: pa.Array, style: Optional[int]) -> pa.Array:
    """Per row the cell of a number (null where none), with its number format's index (None: none)."""
    return cells.joined_or_null(f'<c r="{letter(col)}', rows, cells.xml_numbers(numbers, style))


def row_numbers(first: int, count: int) -> pa.Array:
    """Sheet row numbers (1-based) first .. first + count - 1, as text."""
    return pc.cast(pa.array(np.arange(first, first + count, dtype=np.int64)), pa.string())


def rows_xml(rows: pa.Array, cells_by_column: List[pa.Array]) -> str:
    """The <row> elements of a batch of rows."""
    return cells.text(cells.join('<row r="', rows, '">', *cells_by_column, "</row>"))


def rows_data(rows: pa.Array, cells_by_column: List[pa.Array]) -> memoryview:
    """The <row> elements of a batch of rows, as UTF-8 bytes."""
    return cells.data(cells.join('<row r="', rows, '">', *cells_by_column, "</row>"))


class Stream:
    """One sheet's rows streamed into a binary file (a zip member, or a file kept aside): rows a batch at a time
    after the head, then the tail; rows past what a sheet can hold are counted, not written."""

    def __init__(self, file: IO[bytes], head: str):
        self.file = file
        self.file.write(head.replace('<dimension ref="A1"/>', "").encode("utf-8"))  # the size is not known yet
        self.next = 1  # the next sheet row
        self.left_out = 0

    def room(self, wanted: int, keep: int = 1) -> int:
        """How many of wanted rows still fit, keeping keep rows free for a last word."""
        fits = max(0, MAX_ROWS - keep - self.next + 1)
        self.left_out += max(0, wanted - fits)
        return min(wanted, fits)

    def write(self, xml, rows: int) -> None:
        """rows rows of XML (text, or its UTF-8 bytes)."""
        self.file.write(xml.encode("utf-8") if isinstance(xml, str) else xml)
        self.next += rows

    def close(self, tail: str = "") -> None:
        """End the rows with tail."""
        self.file.write(tail.encode("utf-8"))
        self.file.close()
