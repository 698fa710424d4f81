"""scores.jsonl: one accepted return a line, each the very object scores.json holds in its returns.

For a campaign too large to load whole: any tool reads it a line at a time (pandas and Polars in chunks, DuckDB,
jq -c, Spark), and a file of a million returns can be split, sampled or appended without parsing it. It has no
counts, figures or issues: those stay in scores.json, with its schema ($defs/return describes a line)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pyarrow as pa

from ..aggregate import Country
from ..model import Form, Report
from . import Writer as Base
from . import cells, write_one
from .json import lines
from .run import Run


class Writer(Base):
    """scores.jsonl, a batch of lines at a time."""

    def __init__(self, form: Form, path: Path, personal: bool = False):
        super().__init__(form, path)
        self.personal = personal
        self.file = self.path.open("wb")
        self.handles.append(self.file)

    def returns(self, batch: pa.RecordBatch) -> None:
        """Each return a line."""
        if batch.num_rows:
            self.file.write(cells.data(cells.join(lines(self.form, batch, self.personal), "\n")))

    def close(self, run: Run, countries: Sequence[Country]) -> Path:
        """The file, complete."""
        self.file.close()
        return self.path


def write(report: Report, path, *, personal: bool = False) -> Path:
    """Write scores.jsonl."""
    return write_one("jsonl", report, path, personal=personal)
