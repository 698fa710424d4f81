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
from typing import Any, Callable, Dict, Iterator, List, Mapping, NamedTuple, Optional, Tuple, Union, cast

import numpy as np

from .... import bulk
from ....catalogue import WARNING, Code, issue
from ....model import SELECT_MULTIPLE, Form, Issue, Response, bare_id
from ....report import table
from ....report.cells import printable, strings
from ....report.run import ISSUE_SCHEMA
from ....returns import converters, normalise, pick_form
from ....validation import answers_validator, flat_validator
from . import ids
from .columns import question
from .plan import CHOSEN, ENCRYPTED
from .table import CHANNEL, Plan, is_tag_row, plan_for, respond

CODES = {code.value: code for code in Code}  # bulk.warnings names its codes by their text
BLOCK = 2 << 20  # bytes of CSV per batch: a few thousand rows, so memory stays flat however long the file
Item = Union[Response, Issue]  # and, for a run that asks for them (report.table.Versions), table.Block


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


class _Cells:
    """What each distinct cell text means, remembered per question: raw text -> (canonical value, clean)."""

    MEMO = 4096  # distinct texts remembered per question (choices repeat; free text mostly does not)

    def __init__(self, plan: Plan, forms: Mapping[str, Form], form_id: str):
        self.plan, self.form, self.forms, self.form_id = plan, plan.form, forms, form_id
        self.convert, self.validator = converters(plan.form, True), flat_validator(plan.form.schema_json)
        self.memo: Dict[str, dict] = {qid: {} for _, qid in plan.answers}
        self.versions: Dict[str, bool] = {}

    def meanings(self, qid: str, raws: List[str]) -> List[Tuple[Any, bool]]:
        """Per distinct cell text: (the value make_response would keep, whether the cell is clean);
        (None, True) for an empty cell."""
        memo = self.memo[qid]
        new = [raw for raw in raws if raw not in memo]
        if new:
            found = dict(zip(new, map(self._convert, [qid] * len(new), new)))
            values = [value for value, ok in found.values() if ok and value is not None]
            if values and not answers_validator(self.form.schema_json, qid).is_valid(values):
                found = {raw: (v, ok and (v is None or self.validator.is_valid({qid: v})))
                         for raw, (v, ok) in found.items()}
            if len(memo) < self.MEMO:
                memo.update(found)
            else:
                return [memo[raw] if raw in memo else found[raw] for raw in raws]
        return [memo[raw] for raw in raws]

    def _convert(self, qid: str, raw: str) -> Tuple[Any, bool]:
        raw = self.plan.cell(raw)
        if raw == "":
            return None, True
        if question(self.form, qid).kind == SELECT_MULTIPLE:
            raw = self.plan.summary(qid, raw)
            if raw is None or isinstance(raw, Issue):
                return None, raw is None
        value, problem = self.convert[qid](raw)
        return (None, not problem) if problem or value is None else (value, True)

    def version_ok(self, version: str) -> bool:
        """Whether rows of this version are read with the plan's own form."""
        if version not in self.versions:
            self.versions[version] = pick_form(self.forms, self.form_id, version)[0] is self.form
        return self.versions[version]

    def deployment_ok(self, deployment: str) -> bool:
        """version_ok of a row that names its version only in Kobo's __version__ (see Plan.version)."""
        return self.version_ok(deployment if deployment in self.plan.versions else "")


def _items(path: Path, plan: Plan, forms, sep: str, width: int, keep: Dict[str, int], source: str,
           form_id: str, prefix: str) -> Iterator[Union[Item, table.Block]]:
    import pyarrow as pa
    yield from plan.problems
    cells, start, form = _Cells(plan, forms, form_id), 2, plan.form
    wanted = [n for n, _ in plan.answers] + [n for splits in plan.splits.values() for n, _ in splits]
    qids = [qid for _, qid in plan.answers]
    blocks = isinstance(forms, table.Versions) and forms.wants(form)
    try:
        for batch, encoded in _ahead(_batches(path, sep, width), wanted):
            judged = _judge(plan, cells, batch, encoded, start, keep)
            if blocks:
                yield from _blocks(plan, forms, batch, judged, start, source, form_id, prefix)
                start += batch.num_rows
                continue
            rows, warned = _rows(plan, batch, judged, start)
            # the per-row loop stays here, in the generator itself: each level of generators costs every item
            for number, skipped, ok, latest, row_values, score, instance, identity, when, review, edits in rows:
                if skipped:
                    continue
                location = f"{prefix}row {number}"
                if latest != number:
                    yield issue(Code.DUPLICATE, source, location, newer=f"{prefix}row {latest}")
                elif not ok:
                    yield from respond(plan, forms, _row(batch, number - start), source, location, form_id)
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


def _answers(plan: Plan, cells: _Cells, encoded: dict, rows: int) -> Tuple[Dict[str, bulk.Column], np.ndarray]:
    """The batch's answers as columns, and per row whether every cell is clean."""
    columns, clean = {}, np.ones(rows, dtype=bool)
    for n, qid in plan.answers:
        meanings = cells.meanings(qid, encoded[n].dictionary.to_pylist())
        codes = encoded[n].indices.to_numpy(zero_copy_only=False)
        columns[qid] = bulk.Column([value for value, _ in meanings], codes)
        if not all(ok for _, ok in meanings):
            clean &= np.array([ok for _, ok in meanings])[codes]
    for qid, splits in plan.splits.items():  # a choice ticked in a split column: the row reader decodes it
        chosen = np.logical_or.reduce([_chosen(encoded[n]) for n, _ in splits])
        clean &= ~(chosen & ~bulk.answered(columns.get(qid), rows))
    return columns, clean


def _chosen(encoded) -> np.ndarray:
    return np.array([normalise(raw) in CHOSEN for raw in encoded.dictionary.to_pylist()],
                    dtype=bool)[encoded.indices.to_numpy(zero_copy_only=False)]


def _distinct(plan: Plan, batch, key: str, test: Callable[[str], bool], rows: int) -> np.ndarray:
    """Per row, test() of a metadata column's stripped text ('' where the export has none), once a text."""
    n = plan.meta.get(key)
    if n is None:
        return np.full(rows, bool(test("")))
    encoded = batch.column(n).dictionary_encode()
    verdicts = [bool(test(text.strip())) for text in encoded.dictionary.to_pylist()]
    return np.array(verdicts, dtype=bool)[encoded.indices.to_numpy(zero_copy_only=False)]


_new_issue = partial(tuple.__new__, Issue)  # as bulk.py builds its tuples: a NamedTuple's __new__ is Python


def _blank(batch, first: List[int]) -> np.ndarray:
    """Per row, whether every cell is empty: judged on the columns first (those read anyway), then, only for
    the rows empty there, on the others (an export's many calculate and note columns)."""
    import pyarrow.compute as pc

    def empty(columns) -> np.ndarray:
        total = np.zeros(batch.num_rows, dtype=np.int64)
        for column in columns:
            total += pc.binary_length(column).to_numpy(zero_copy_only=False)
        return total == 0

    blank = empty(batch.column(n) for n in first)
    if blank.any():
        rest = set(range(batch.num_columns)) - set(first)
        blank &= empty(batch.column(n) for n in sorted(rest))
    return blank


def _row(batch, r: int) -> List[str]:
    return [column[r].as_py() for column in batch.columns]


def _versions_ok(plan: Plan, cells: _Cells, batch, rows: int) -> np.ndarray:
    """Per row, whether the version it names (Plan.version) is read with the plan's own form."""
    def of(key: str, test) -> np.ndarray:
        return _distinct(plan, batch, key, test, rows)

    return np.where(of("stamp", bool), of("stamp", cells.version_ok),
                    np.where(of("version", bool), of("version", cells.version_ok),
                             of("deployment", cells.deployment_ok)))


class _Judged(NamedTuple):
    """A batch judged column by column: its answers, per row whether it is clean, skipped, the row number of the
    newest edit of its submission, and whether it is read here (fast: clean, not skipped, the newest); relevance,
    the warnings (bulk.warnings), and the ids."""
    columns: Dict[str, bulk.Column]
    clean: np.ndarray
    skip: np.ndarray
    newer: List[int]
    fast: np.ndarray
    relevant: Dict[str, np.ndarray]
    warnings: List[Tuple[str, str, np.ndarray]]
    identities: Any
    instances: Any


def _judge(plan: Plan, cells: _Cells, batch, encoded: dict, start: int, keep: Dict[str, int]) -> _Judged:
    """One batch judged column by column."""
    form, rows = plan.form, batch.num_rows
    columns, clean = _answers(plan, cells, encoded, rows)
    clean &= _distinct(plan, batch, "status", lambda s: s.lower() not in ENCRYPTED, rows)
    clean &= _versions_ok(plan, cells, batch, rows)
    skip = _blank(batch, [n for n, _ in plan.answers] + list(plan.meta.values()))
    if start == 2 and rows and is_tag_row(_row(batch, 0)):
        skip[0] = True  # Kobo's HXL tag row
    identities, instances = ids.identity_columns(plan, batch, rows)
    newer = ([keep.get(key, number) if key else number for number, key in enumerate(identities.to_pylist(), start)]
             if keep else list(range(start, start + rows)))
    fast = clean & ~skip & (np.array(newer, dtype=np.int64) == np.arange(start, start + rows))
    relevant = bulk.relevance(form, columns, rows)
    return _Judged(columns, clean, skip, newer, fast, relevant, bulk.warnings(form, columns, relevant, rows),
                   identities, instances)


def _rows(plan: Plan, batch, judged: _Judged, start: int):
    """A judged batch scored: per row (number, skipped, clean, the row number of the newest edit, answers,
    scores, instance id, identity, submitted, review, edits), and the warnings of each row number."""
    form, rows, columns, fast = plan.form, batch.num_rows, judged.columns, judged.fast
    warned: Dict[int, list] = {}
    for code, qid, mask in judged.warnings:
        message = issue(CODES[code], question=qid).message
        for r in np.flatnonzero(mask & fast).tolist():
            warned.setdefault(start + r, []).append((code, qid, message))
    scores = bulk.scores(form, columns, judged.relevant, rows, fast)
    values = [bulk.objects(columns[qid].values)[columns[qid].codes].tolist() for _, qid in plan.answers]
    per_row = zip(range(start, start + rows), judged.skip.tolist(), judged.clean.tolist(), judged.newer,
                  zip(*values), scores, judged.instances.to_pylist(), judged.identities.to_pylist(),
                  ids.meta_texts(plan, batch, "submitted", rows), ids.meta_texts(plan, batch, "review", rows),
                  ids.edit_counts(plan, batch, rows))
    return per_row, warned


def _blocks(plan: Plan, forms, batch, judged: _Judged, start: int, source: str, form_id: str,
            prefix: str) -> Iterator[Union[Item, table.Block]]:
    """A judged batch in read order: each run of rows read here as one Block, each other row as the row reader
    reads it (a duplicate's Issue, the Issues or Response of a row that is not clean; a skipped row, nothing)."""
    rows = batch.num_rows
    # a return that answers nothing is no return (ingest makes it an Issue): such a row goes the row reader's way
    answering = np.logical_or.reduce([bulk.answered(c, rows) for c in judged.columns.values()] + [np.zeros(rows, bool)])
    fast = judged.fast & answering
    others = np.flatnonzero(~fast).tolist()
    meta: Dict[str, list] = {key: ids.meta_texts(plan, batch, key, rows) for key in ("submitted", "review")}
    meta["edits"] = ids.edit_counts(plan, batch, rows)
    at = 0
    for r in others + [rows]:
        if r > at:
            yield _block(plan, meta, judged, np.arange(at, r), start, source, prefix)
        if r < rows and not judged.skip[r]:
            number, location = start + r, f"{prefix}row {start + r}"
            if judged.newer[r] != number:
                yield issue(Code.DUPLICATE, source, location, newer=f"{prefix}row {judged.newer[r]}")
            else:
                yield from respond(plan, forms, _row(batch, r), source, location, form_id)
        at = r + 1


def _block(plan: Plan, texts: Dict[str, list], judged: _Judged, chosen: np.ndarray, start: int, source: str,
           prefix: str) -> table.Block:
    """The rows chosen (all read here), scored as columns, with their warnings; texts: the batch's submitted,
    review and edits, per row."""
    import pyarrow as pa
    import pyarrow.compute as pc
    form, count = plan.form, len(chosen)
    columns, relevant = bulk.picked(judged.columns, judged.relevant, chosen)
    scores = bulk.measures(form, columns, relevant, count)
    numbers = pc.cast(pa.array(chosen + start, pa.int64()), pa.string())
    locations = pc.binary_join_element_wise(pa.scalar(printable(f"{prefix}row "), pa.string()), numbers,
                                            pa.scalar("", pa.string()))
    picked = {key: [values[n] for n in chosen.tolist()] for key, values in texts.items()}
    taken = pa.array(chosen, pa.int64())
    meta = dict(source=source, location=locations, channel=CHANNEL, instance_id=judged.instances.take(taken),
                form_version=form.version, submitted=picked["submitted"], review=picked["review"])
    returns = table.columns_of(form, meta, picked["edits"], columns, scores, count)
    identities = judged.identities.take(taken).to_pylist()
    own = judged.instances.take(taken).to_pylist()
    return table.Block(returns, _warnings(judged, chosen, source, numbers, locations),
                       strings([bare_id(i or o) for i, o in zip(identities, own)]),
                       source, f"{prefix}row {start + int(chosen[-1])}")


def _warnings(judged: _Judged, chosen: np.ndarray, source: str, numbers, locations):
    """The warnings of the rows chosen as a batch of issues, in the order the row path says them: row by row,
    each row's in bulk.warnings' order."""
    import pyarrow as pa
    import pyarrow.compute as pc
    where, kinds = [], []
    for k, (_, _, mask) in enumerate(judged.warnings):
        found = np.flatnonzero(mask[chosen])
        where.append(found)
        kinds.append(np.full(len(found), k, dtype=np.int64))
    row = np.concatenate(where) if where else np.zeros(0, np.int64)
    kind = np.concatenate(kinds) if kinds else np.zeros(0, np.int64)
    order = np.lexsort((kind, row))
    row, kind = pa.array(row[order], pa.int64()), pa.array(kind[order], pa.int64())
    said = [(code, qid, issue(CODES[code], question=qid).message) for code, qid, _ in judged.warnings]
    codes, qids, messages = (pa.array([w[n] for w in said], pa.string()) for n in range(3))
    record = locations.take(row)
    count = len(row)
    return pa.RecordBatch.from_arrays(
        [codes.take(kind), messages.take(kind), pa.array([WARNING] * count, pa.string()),
         strings([source] * count),
         pc.binary_join_element_wise(record, pc.binary_join_element_wise(":", qids.take(kind), ""), ""), record],
        schema=ISSUE_SCHEMA)
