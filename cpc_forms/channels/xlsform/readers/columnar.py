"""Export CSVs read a batch of rows at a time with pyarrow, and scored column by column (bulk.py).

Only a row whose every cell is a clean answer takes this path. Any other row (a bad value, a label that
names several choices, an undecrypted or other-version row) goes through table.respond, so each message
is the row reader's own; a file pyarrow cannot parse (ragged, blank lines, bad UTF-8) is left to the row
reader whole, which reports it at its row.
"""
from __future__ import annotations

import codecs
import csv
from functools import partial
from pathlib import Path
from types import MappingProxyType as Frozen
from typing import Dict, Iterator, List, Mapping, Optional, Tuple, Union, cast

from ....catalogue import WARNING, Code, issue
from ....model import Form, Issue, Response
from ....report import table
from ....validation import flat_validator
from . import ids
from .blocks import blocks
from .judging import judge, row_of, scored
from .meanings import Cells
from .table import CHANNEL, Plan, plan_for, respond

BLOCK = 2 << 20  # bytes of CSV per batch: a few thousand rows, so memory stays flat however long the file
Item = Union[Response, Issue]  # and, for a run that asks for them (report.table.Versions), table.Block
_new_issue = partial(tuple.__new__, Issue)  # as bulk.py builds its tuples: a NamedTuple's __new__ is Python


def delimiter(first_line: str) -> str:
    """The delimiter of an export (, ; or tab): the one its header line uses most."""
    return max((",", ";", "\t"), key=first_line.count)


def _header(path: Path) -> Optional[Tuple[List[str], str]]:
    with path.open("rb") as stream:
        line = stream.readline()
    text = (line[3:] if line.startswith(codecs.BOM_UTF8) else line).decode("utf-8", "replace")
    if text.count('"') % 2:  # a header cell running over several lines: the row reader handles it
        return None
    sep = delimiter(text)
    try:
        return next(csv.reader([text.rstrip("\r\n")], delimiter=sep), []), sep
    except csv.Error:  # lines ended by a bare CR, say: the row reader says what it makes of them
        return None


def _suited(plan: Plan) -> bool:
    qids = [qid for _, qid in plan.answers]
    return bool(qids) and len(set(qids)) == len(qids) and flat_validator(plan.form.schema_json) is not None


def read_csv(path: Path, forms: Mapping[str, Form], source: str, form_id: str = "",
             prefix: str = "") -> Optional[Iterator[Item]]:
    """The items of an export CSV (the newest edit of each submission), or None when the file needs the
    row reader."""
    import pyarrow as pa
    found = _header(path)
    if found is None:
        return None
    header, sep = found
    plan = plan_for(forms, header, source, f"{prefix}row 1, ", table=True)
    if not _suited(plan) or not _is_utf8(path):
        return None
    try:
        keep = ids.newest_rows(lambda columns: _batches(path, sep, len(header), columns), plan)
    except (pa.ArrowException, OSError, ValueError):
        return None  # the row reader reads it and says where it breaks
    # Blocks among them only for a run that asks for them (report.table.Versions), which takes them
    return cast(Iterator[Item], _items(path, plan, forms, sep, len(header), keep, source, form_id, prefix))


def _is_utf8(path: Path) -> bool:
    """Whether the whole file is UTF-8 (pyarrow checks only the columns it converts; the first pass
    converts just a few)."""
    decoder, buffer = codecs.getincrementaldecoder("utf-8")(), bytearray(1 << 20)
    try:
        with path.open("rb") as stream:
            while size := stream.readinto(buffer):
                decoder.decode(memoryview(buffer)[:size])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _batches(path: Path, sep: str, width: int, include: Optional[List[int]] = None):
    import pyarrow as pa
    from pyarrow import csv as pacsv
    names = [f"c{n}" for n in range(width)]
    yield from pacsv.open_csv(  # from the path: pyarrow reads the file itself, without the GIL
        str(path), read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK),
        parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
            quoted_strings_can_be_null=False, include_columns=None if include is None else
            [names[n] for n in include]))


def _items(path: Path, plan: Plan, forms, sep: str, width: int, keep: Dict[str, int], source: str,
           form_id: str, prefix: str) -> Iterator[Union[Item, table.Block]]:
    import pyarrow as pa
    yield from plan.problems
    cells, start, form = Cells(plan, forms, form_id), 2, plan.form
    wanted = [n for n, _ in plan.answers] + [n for splits in plan.splits.values() for n, _ in splits]
    qids = [qid for _, qid in plan.answers]
    as_blocks = isinstance(forms, table.Versions) and forms.wants(form)
    try:
        for batch, encoded in _ahead(_batches(path, sep, width), wanted):
            judged = judge(plan, cells, batch, encoded, start, keep)
            if as_blocks:
                yield from blocks(plan, forms, batch, judged, start, source, form_id, prefix)
                start += batch.num_rows
                continue
            rows, warned = scored(plan, batch, judged, start)
            # the per-row loop stays here, in the generator itself: each level of generators costs every item
            for number, skipped, ok, latest, row_values, score, instance, identity, when, review, edits in rows:
                if skipped:
                    continue
                location = f"{prefix}row {number}"
                if latest != number:
                    yield issue(Code.DUPLICATE, source, location, newer=f"{prefix}row {latest}")
                elif not ok:
                    yield from respond(plan, forms, row_of(batch, number - start), source, location, form_id)
                else:
                    for code, qid, message in warned.get(number, ()):
                        yield _new_issue((code, message, WARNING, source, f"{location}:{qid}", location))
                    yield Response(form.id, form.version,
                                   Frozen({q: v for q, v in zip(qids, row_values) if v is not None}),
                                   CHANNEL, source, location, instance, identity, when, plan.language, score,
                                   review, edits)
            start += batch.num_rows
    except pa.ArrowException as exc:  # the file changed since the first pass read it whole
        raise OSError(str(exc)) from exc


def _ahead(batches: Iterator, wanted: List[int]):
    """(batch, its wanted columns dictionary-encoded), the next batch parsed and encoded by a helper thread
    meanwhile: pyarrow works without the GIL, beside the Python that turns a batch into returns."""
    from concurrent.futures import ThreadPoolExecutor

    def prepare():
        batch = next(batches, None)
        return None if batch is None else (batch, {n: batch.column(n).dictionary_encode() for n in wanted})

    with ThreadPoolExecutor(1, thread_name_prefix="cpc-forms-csv") as helper:
        ready = helper.submit(prepare)
        while (done := ready.result()) is not None:
            ready = helper.submit(prepare)
            yield done

