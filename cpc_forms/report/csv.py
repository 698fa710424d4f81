"""scores.csv: one row per accepted return; numbers at full precision, every risky text neutralised.

Written a batch at a time, column by column with Arrow (cells.py): no Python call per cell. The plain rule a cell
follows is cells.csv_text. The run's round is no column: it is known once every return is read (the campaign of
their assessment dates), when the rows are already written; scores.json and the Summary sheet of scores.xlsx say it."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Callable, Dict, List, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ..aggregate import Country
from ..model import NUMERIC_KINDS, Form, Report
from . import Writer as Base
from . import cells, rows, table, write_one
from .run import Run


def column_cells(form, personal: bool) -> Dict[str, Callable[[pa.RecordBatch], pa.Array]]:
    """Flat column name -> its cells' text made from a batch (null for an empty cell): numbers as repr() writes
    them, texts neutralised and quoted as the csv module quotes (cells.csv_text, cells.csv_value)."""
    out: Dict[str, Callable[[pa.RecordBatch], pa.Array]] = {}
    for name in rows.FIXED:
        out[name] = _text(name)
    for sid, field in ((s.id, f) for s in form.scored_sections for f in rows.SECTION if f.flat):
        out[table.measure(sid, field)] = _number(table.measure(sid, field))
    for field in rows.TAIL:
        out[field.name] = _number(field.name) if field.kind != rows.CODE else _text(field.name)
    for name, q in rows.answer_columns(form, personal).items():
        out[name] = _as_is(table.answer(q.id)) if q.kind in NUMERIC_KINDS else _text(table.answer(q.id))
    return out


def _text(column: str):
    return lambda batch: cells.csv_cells(batch.column(column))


def _as_is(column: str):  # a number's repr, kept as text since it was read
    return lambda batch: cells.decoded(batch.column(column))


def _number(column: str):
    def cells_of(batch: pa.RecordBatch) -> pa.Array:
        values = batch.column(column)
        return pc.cast(values, pa.string()) if pa.types.is_integer(values.type) else cells.reprs(values)
    return cells_of


class Writer(Base):
    """scores.csv, UTF-8 with a BOM so spreadsheets keep accents; '' for no value."""

    def __init__(self, form: Form, path: Path, personal: bool = False):
        super().__init__(form, path)
        self.made = column_cells(form, personal)
        self.file = self.path.open("wb")
        self.handles.append(self.file)
        header = io.StringIO()
        csv.writer(header).writerow(list(self.made))
        self.file.write(b"\xef\xbb\xbf" + header.getvalue().encode("utf-8"))

    def returns(self, batch: pa.RecordBatch) -> None:
        """Each return a line."""
        if batch.num_rows:
            columns: List[pa.Array] = [make(batch) for make in self.made.values()]
            self.file.write(cells.data(cells.join(cells.join(*columns, separator=","), "\r\n")))

    def close(self, run: Run, countries: Sequence[Country]) -> Path:
        """The file, complete."""
        self.file.close()
        return self.path


def write(report: Report, path, *, personal: bool = False) -> Path:
    """Write scores.csv."""
    return write_one("csv", report, path, personal=personal)
