"""An export CSV: its lines decoded and limited, read in column batches when it suits (columnar.py), else row
by row (table.py)."""
from __future__ import annotations

import codecs
import csv
import io
from itertools import chain
from pathlib import Path
from typing import IO, Iterator, List, Optional

from .... import inputs
from ....catalogue import Code, issue
from ....limits import BLANK_LINES, COLUMNS, HEADER_BYTES, LINE_BYTES, LimitError, MiB
from ....model import Issue
from . import columnar
from .columnar import Item
from .table import read_table


def csv_rows(stream: IO[bytes]) -> Iterator[List[str]]:
    """Rows of a CSV byte stream, streamed; the delimiter (, ; tab) is sniffed from the header line. Lines may
    end in LF, CRLF or a bare CR (old Mac Excel), as Python's csv module reads them in text of newline=''."""
    lines = _lines(stream)
    first = next(lines, "")
    return csv.reader(chain([first], lines), delimiter=columnar.delimiter(first))


class NotUtf8(csv.Error):
    """A CSV line that is not UTF-8: its number and the legacy encoding it reads as (a csv.Error, so a first pass
    over the rows stops there as at any broken row)."""

    def __init__(self, line: int, legacy: str):
        super().__init__(f"line {line} is not UTF-8")
        self.line, self.legacy = line, legacy


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """UTF-8 lines (BOM dropped), none longer than LINE_BYTES; decoded one by one, so a bad byte stops the file
    at its own line (NotUtf8)."""
    stream = io.BufferedReader(stream, HEADER_BYTES)  # type: ignore[type-var]  # any stream with readinto
    head = stream.peek(HEADER_BYTES)
    if b"\r" in head and b"\n" not in head:  # lines ended by a bare CR (Excel for the old Mac OS)
        yield from _cr_lines(stream)
        return
    for number, line in enumerate(iter(lambda: stream.readline(LINE_BYTES), b""), start=1):
        if len(line) == LINE_BYTES and not line.endswith(b"\n"):
            raise LimitError(f"line {number}")
        try:
            yield (line[3:] if number == 1 and line.startswith(codecs.BOM_UTF8) else line).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotUtf8(number, inputs.legacy(line)) from exc


def _cr_lines(stream: IO[bytes]) -> Iterator[str]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    while line := text.readline(LINE_BYTES):
        if len(line) == LINE_BYTES and not line.endswith(("\n", "\r")):
            raise LimitError("a line")
        yield line


def _opened_rows(opener) -> Iterator[List[str]]:
    with opener() as stream:
        yield from csv_rows(stream)


def csv_items(path: Path, forms, source: str, form_id: str = "", prefix: str = "", reopen=None) -> Iterator[Item]:
    """A CSV export: read in column batches when it suits (columnar.py), else row by row; refused first when its
    header is past the limits."""
    problem = _csv_problem(path, source, prefix)
    if problem is not None:
        return iter([problem])
    items = None if _mostly_blank(path) else columnar.read_csv(path, forms, source, form_id, prefix)
    return items if items is not None else row_items(reopen or (lambda: path.open("rb")), forms, source, form_id,
                                                    prefix)


def _mostly_blank(path: Path) -> bool:
    """Whether a CSV is mostly blank lines (more than half its lines, and over BLANK_LINES), which the row reader
    skips in a stream: the batch reader would make a row of each."""
    blank = lines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(MiB):
            blank += 2 * (chunk.count(b"\n\n") + chunk.count(b"\n\r\n"))  # a count of pairs: about half
            lines += chunk.count(b"\n")
    return blank > BLANK_LINES and blank * 2 > lines


def _csv_problem(path: Path, source: str, prefix: str) -> Optional[Issue]:
    """Why a CSV cannot be read at all (a header past the limits), or None."""
    with path.open("rb") as stream:
        head = stream.read(HEADER_BYTES + 1)
    ends = [at for at in (head.find(b"\n"), head.find(b"\r")) if at >= 0]
    if not ends and len(head) > HEADER_BYTES:
        return issue(Code.OVER_LIMIT, source, f"{prefix}row 1", what="the header line",
                     limit=f"{HEADER_BYTES // MiB} MiB", consequence="; nothing in the file is read")
    header = head[:min(ends)] if ends else head
    if max(header.count(s) for s in (b",", b";", b"\t")) >= COLUMNS:
        return issue(Code.OVER_LIMIT, source, f"{prefix}row 1", what="the header's number of columns",
                     limit=f"{COLUMNS:,} columns", consequence="; nothing in the file is read")
    return None


def row_items(opener, forms, source: str, form_id: str, prefix: str) -> Iterator[Item]:
    """The items of a CSV read row by row from the stream opener() opens."""
    with opener() as stream:
        yield from read_table(csv_rows(stream), forms, source, form_id, prefix,
                              reopen=lambda: _opened_rows(opener))

