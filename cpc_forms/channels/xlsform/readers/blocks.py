"""The rows of a judged batch as Blocks of columns (report.table.Versions), for a run that asks for them."""
from __future__ import annotations

from typing import Dict, Iterator, Union

import numpy as np

from .... import bulk
from ....catalogue import WARNING, Code, issue
from ....model import Issue, Response, bare_id
from ....report import table
from ....report.cells import printable, strings
from ....report.run import ISSUE_SCHEMA
from . import ids
from .judging import CODES, Judged, row_of
from .table import CHANNEL, Plan, respond


def blocks(plan: Plan, forms, batch, judged: Judged, start: int, source: str, form_id: str,
            prefix: str) -> Iterator[Union[Response, Issue, table.Block]]:
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
                yield from respond(plan, forms, row_of(batch, r), source, location, form_id)
        at = r + 1


def _block(plan: Plan, texts: Dict[str, list], judged: Judged, chosen: np.ndarray, start: int, source: str,
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


def _warnings(judged: Judged, chosen: np.ndarray, source: str, numbers, locations):
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
