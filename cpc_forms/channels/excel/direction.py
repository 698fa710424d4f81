"""A right-to-left workbook (Arabic): every sheet's columns run from the right, its text is right-aligned and read
right to left, in a font that Excel and LibreOffice both have with Arabic letters; print setup is left as it is.

Why these choices:
- horizontal "right", not "general": general puts text at the reading order's start in Excel, while LibreOffice
  decides by the cell's text direction; a question that opens with a code ("INTERPOL", "PNR") would then sit on the
  left in one program and on the right in the other. "right" is the same in both.
- readingOrder 2 (right to left), not "context": context takes the direction of a cell's first strong letter, so a
  label opening with a Latin code would put its final punctuation and the bullet of an instruction on the wrong side.
- Arial: Excel's Arial (Windows and macOS) has the Arabic letters, and LibreOffice maps it to Liberation Sans,
  with the same widths for Latin text (the row heights the writer estimates stay right) and a system Arabic font
  for the Arabic letters. Calibri, the default, has no Arabic, and Tahoma is not on macOS.
"""
from __future__ import annotations

from copy import copy

from openpyxl.cell.cell import MergedCell

FONT = "Arial"
RIGHT_TO_LEFT = 2  # ECMA-376 readingOrder: 0 context, 1 left to right, 2 right to left


def mirror(wb) -> None:
    """Make every sheet of a built workbook right to left, and every cell with a value or a style right-aligned,
    read right to left, in FONT (other styles kept)."""
    for ws in wb.worksheets:
        ws.sheet_view.rightToLeft = True
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell) or (cell.value is None and not cell.has_style):
                    continue
                font, alignment = copy(cell.font), copy(cell.alignment)
                font.name, alignment.horizontal, alignment.readingOrder = FONT, "right", RIGHT_TO_LEFT
                cell.font, cell.alignment = font, alignment
