"""One scoring run as the report writers read it: its counts and, replayed in order as often as asked, the accepted
returns (Arrow batches of table.py's columns) and every issue. A run of a whole campaign keeps both on disk in a
Spill; a Report in memory gives the same batches."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa

from ..model import Form, Issue, Report
from . import table
from .cells import strings

ISSUE_FIELDS = Issue._fields  # code, message, severity, source, location, record
ISSUE_SCHEMA = pa.schema([(name, pa.string()) for name in ISSUE_FIELDS])


@dataclass(frozen=True)
class Run:
    """What one scoring run produced, for the writers: the form, the counts per channel, when it ran, how many
    returns were accepted, and their batches and the issues' batches, replayed in read order."""
    form: Form
    counts: Mapping[str, Mapping[str, int]]
    generated: str
    accepted: int
    returns: Callable[[], Iterator[pa.RecordBatch]] = field(repr=False)
    issues: Callable[[], Iterator[pa.RecordBatch]] = field(repr=False)
    issued: int = 0  # issues
    countries: int = 0  # countries among the accepted returns
    partial: Tuple[str, ...] = ()  # files whose columns were not all read
    complete: bool = False  # whether the live writers of the run saw exactly the returns it keeps
    round: str = ""  # the assessment round its returns belong to ("" when none was named or found)

    @classmethod
    def of(cls, report: Report, size: int = 4096) -> "Run":
        """The run a Report holds in memory, in batches of size returns."""
        made = table.batches(report.form, report.returns, size)
        issues = issue_batches(report.issues)
        return cls(report.form, report.counts, report.generated, len(report.returns), lambda: iter(made),
                   lambda: iter(issues), len(report.issues), len(report.countries))


def issue_batches(issues: Sequence[Issue], size: int = 16384) -> List[pa.RecordBatch]:
    """Issues as Arrow batches of their fields."""
    return [issue_batch(issues[start:start + size]) for start in range(0, len(issues), size)]


def issue_batch(issues: Sequence[Issue]) -> pa.RecordBatch:
    """One batch of issues."""
    columns = list(zip(*issues)) if issues else [()] * len(ISSUE_FIELDS)
    return pa.RecordBatch.from_arrays([strings(list(c)) for c in columns], schema=ISSUE_SCHEMA)


def as_issues(batch: pa.RecordBatch) -> Iterator[Issue]:
    """The Issues of a batch."""
    return map(Issue._make, zip(*(batch.column(n).to_pylist() for n in ISSUE_FIELDS)))


class Spill:
    """Arrow batches written to a file as they come, read back in order (memory-mapped) as often as asked."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.rows = 0
        self._sink: Optional[pa.NativeFile] = None
        self._writer: Optional[pa.ipc.RecordBatchStreamWriter] = None

    def write(self, batch: pa.RecordBatch) -> None:
        """Add a batch (every batch has the first one's columns)."""
        if self._writer is None:
            self._sink = pa.OSFile(str(self.path), "wb")
            self._writer = pa.ipc.new_stream(self._sink, batch.schema)
        self._writer.write_batch(batch)
        self.rows += batch.num_rows

    def close(self) -> None:
        """Finish writing."""
        if self._writer is not None and self._sink is not None:
            self._writer.close()
            self._sink.close()

    def read(self) -> Iterator[pa.RecordBatch]:
        """Every batch, in order."""
        if not self.path.exists():
            return
        with pa.memory_map(str(self.path)) as source:
            yield from pa.ipc.open_stream(source)


def kept(batches: Iterable[pa.RecordBatch], keep: np.ndarray) -> Iterator[pa.RecordBatch]:
    """The batches with only the rows keep marks (one flag per row, across all batches)."""
    start = 0
    for batch in batches:
        mask = keep[start:start + batch.num_rows]
        start += batch.num_rows
        yield batch if mask.all() else batch.filter(pa.array(mask))
