"""scores.xlsx: summary, returns, countries (with a native chart), agencies, section figures, perception gaps,
issues.

The Returns sheet holds the data as scores.csv does (codes, full-precision numbers; row 1 the column ids, row 2
their labels); the other sheets are for reading, in labels. Scores show one decimal through number formats
only. Every text is a string cell, never a formula; one that a spreadsheet could take for a formula is also
quote-prefixed, as if typed after an apostrophe.

The two sheets that grow with the campaign stream a batch of rows at a time, cell for cell as XlsxWriter would
write them (sheet.py): Returns straight into the workbook's zip, Issues into a file beside it. At the end
XlsxWriter writes the rest of the workbook (books.py), and its parts join the zip."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

import pyarrow as pa
import pyarrow.compute as pc

from ..aggregate import Country
from ..model import NUMERIC_KINDS, Form, Report
from . import Writer as Base
from . import cells, rows, sheet, table, write_one
from .books import ISSUE_HEADER, KEYS, Book, formats_of, issues_setup, returns_setup, style_index
from .labels import Labels
from .run import Run

RETURNS, ISSUES = (f"xl/worksheets/sheet{KEYS.index(k) + 1}.xml" for k in ("returns", "issues"))  # books.KEYS


def plan(form: Form, personal: bool) -> List[Tuple[str, bool, Optional[str]]]:
    """Per flat column: (its batch column, whether it holds numbers, its number format)."""
    out: List[Tuple[str, bool, Optional[str]]] = [(name, False, None) for name in rows.FIXED]
    for s in form.scored_sections:
        out += [(table.measure(s.id, f), True, formats_of([f"{s.id}.{f.name}"])[0]) for f in rows.SECTION if f.flat]
    out += [(f.name, f.kind != rows.CODE, formats_of([f.name])[0]) for f in rows.TAIL]
    out += [(table.answer(q.id), q.kind in NUMERIC_KINDS, None) for q in rows.answer_columns(form, personal).values()]
    return out


def _numbers(column: pa.Array) -> pa.Array:
    kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
    if pa.types.is_floating(kind) or pa.types.is_integer(kind):
        return column
    return pc.cast(cells.decoded(column), pa.float64())  # an answer's repr


def header_xml(row: int, values: Sequence[Any], bold: bool) -> str:
    """A header row of text cells, bold or not."""
    number = sheet.row_numbers(row, 1)
    quoted = style_index(bold=bold, quoted=True)
    return sheet.rows_xml(number, [sheet.text_cells(n, number, pa.array([v], pa.string()), quoted,
                                                    style_index(bold=True) if bold else None)
                                   for n, v in enumerate(values)])


class Writer(Base):
    """scores.xlsx: the big sheets streamed, XlsxWriter for the rest at the end."""

    def __init__(self, form: Form, path: Path, personal: bool = False, language: Optional[str] = None):
        super().__init__(form, path)
        self.L, self.personal = Labels(form, language), personal
        self.part = self.path.with_name(f".{self.path.name}.part")
        self.said = self.path.with_name(f".{self.path.name}.issues")
        self.plan = plan(form, personal)
        self.names = rows.columns(form, personal)
        self.zip = zipfile.ZipFile(self.part, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.rtl = sheet.right_to_left(self.L.lang)
        head, _ = sheet.skeleton(returns_setup(len(self.names), 1, self.rtl))
        self.sheet = sheet.Stream(self.zip.open(RETURNS, "w", force_zip64=True), head)
        self.sheet.write(header_xml(1, self.names, False) + header_xml(2, [self.L.column(n, personal)
                                                                            for n in self.names], True), 2)
        self.issue_sheet = sheet.Stream(self.said.open("wb"), "")
        self.issue_sheet.write(header_xml(1, [self.L[k] for k in ISSUE_HEADER], True), 1)
        self.handles += [self.zip, self.sheet.file, self.issue_sheet.file]

    def returns(self, batch: pa.RecordBatch) -> None:
        """A batch of rows of the Returns sheet."""
        count = self.sheet.room(batch.num_rows)
        if not count:
            return
        batch = batch.slice(0, count)
        numbers = sheet.row_numbers(self.sheet.next, count)
        found = []
        for n, (column, is_number, fmt) in enumerate(self.plan):
            values = batch.column(column)
            if is_number:
                found.append(sheet.number_cells(n, numbers, _numbers(values), style_index(fmt) if fmt else None))
            else:
                found.append(sheet.text_cells(n, numbers, values, style_index(quoted=True)))
        self.sheet.write(sheet.rows_data(numbers, found), count)

    def issues(self, batch: pa.RecordBatch) -> None:
        """A batch of rows of the Issues sheet."""
        count = self.issue_sheet.room(batch.num_rows)
        if not count:
            return
        batch = batch.slice(0, count)
        numbers = sheet.row_numbers(self.issue_sheet.next, count)
        severity = batch.column("severity")
        said = {k: pa.scalar(self.L[k], pa.string()) for k in ("error", "warning")}
        shown = pc.if_else(pc.equal(severity, pa.scalar("error", pa.string())), said["error"],
                           pc.if_else(pc.equal(severity, pa.scalar("warning", pa.string())), said["warning"], severity))
        columns = [shown] + [batch.column(k) for k in ISSUE_HEADER[1:]]
        found = [sheet.text_cells(n, numbers, c, style_index(quoted=True)) for n, c in enumerate(columns)]
        self.issue_sheet.write(sheet.rows_data(numbers, found), count)

    def _more(self, stream: sheet.Stream) -> str:
        """A last row saying how many rows the sheet could not hold."""
        if not stream.left_out:
            return ""
        row = sheet.row_numbers(stream.next, 1)
        note = pa.array([self.L["more_rows"].format(n=f"{stream.left_out:,}")], pa.string())
        return sheet.rows_xml(row, [sheet.text_cells(0, row, note, style_index(quoted=True))])

    def close(self, run: Run, countries: Sequence[Country]) -> Path:
        """The workbook: XlsxWriter's parts beside the two streamed sheets."""
        shown = self.sheet.next - 3
        tail = sheet.skeleton(returns_setup(len(self.names), shown, self.rtl))[1]
        self.sheet.close(self._more(self.sheet) + tail)
        self.issue_sheet.close(self._more(self.issue_sheet))
        head, tail = sheet.skeleton(issues_setup(self.rtl))
        with self.zip.open(ISSUES, "w", force_zip64=True) as member, self.said.open("rb") as body:
            member.write(head.encode("utf-8"))
            while chunk := body.read(1 << 22):
                member.write(chunk)
            member.write(tail.encode("utf-8"))
        self.said.unlink()
        made = Book(self.path.with_name(f".{self.path.name}.book"), run, self.L, self.personal)
        made.figures(countries)
        book = made.close()
        with zipfile.ZipFile(book) as parts:
            for name in parts.namelist():
                if name not in (RETURNS, ISSUES):
                    self.zip.writestr(parts.getinfo(name), parts.read(name), compresslevel=6)
        self.zip.close()
        book.unlink()
        os.replace(self.part, self.path)
        return self.path

    def parts(self) -> List[Path]:
        """The workbook taking shape and its issues aside."""
        return [self.part, self.said, self.path.with_name(f".{self.path.name}.book")]


def write(report: Report, path, *, personal: bool = False, language: Optional[str] = None) -> Path:
    """Write scores.xlsx, labelled in language (default: the form's default language)."""
    return write_one("xlsx", report, path, personal=personal, language=language)

