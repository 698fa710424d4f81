"""A batch of export rows judged column by column: its answers, which rows are clean, skipped or older edits,
and the scores and warnings of the rows read in the batch (columnar.py)."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, NamedTuple, Tuple

import numpy as np

from .... import bulk
from ....catalogue import Code, issue
from ....returns import normalise
from . import ids
from .meanings import Cells
from .plan import CHOSEN, ENCRYPTED
from .table import Plan, is_tag_row

CODES = {code.value: code for code in Code}  # bulk.warnings names its codes by their text


def _answers(plan: Plan, cells: Cells, encoded: dict, rows: int) -> Tuple[Dict[str, bulk.Column], np.ndarray]:
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


def row_of(batch, r: int) -> List[str]:
    """The cells of row r of a batch, as the row reader reads them."""
    return [column[r].as_py() for column in batch.columns]


def _versions_ok(plan: Plan, cells: Cells, batch, rows: int) -> np.ndarray:
    """Per row, whether the version it names (Plan.version) is read with the plan's own form."""
    def of(key: str, test) -> np.ndarray:
        return _distinct(plan, batch, key, test, rows)

    return np.where(of("stamp", bool), of("stamp", cells.version_ok),
                    np.where(of("version", bool), of("version", cells.version_ok),
                             of("deployment", cells.deployment_ok)))


class Judged(NamedTuple):
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


def judge(plan: Plan, cells: Cells, batch, encoded: dict, start: int, keep: Dict[str, int]) -> Judged:
    """One batch judged column by column."""
    form, rows = plan.form, batch.num_rows
    columns, clean = _answers(plan, cells, encoded, rows)
    clean &= _distinct(plan, batch, "status", lambda s: s.lower() not in ENCRYPTED, rows)
    clean &= _versions_ok(plan, cells, batch, rows)
    skip = _blank(batch, [n for n, _ in plan.answers] + list(plan.meta.values()))
    if start == 2 and rows and is_tag_row(row_of(batch, 0)):
        skip[0] = True  # Kobo's HXL tag row
    identities, instances = ids.identity_columns(plan, batch, rows)
    newer = ([keep.get(key, number) if key else number for number, key in enumerate(identities.to_pylist(), start)]
             if keep else list(range(start, start + rows)))
    fast = clean & ~skip & (np.array(newer, dtype=np.int64) == np.arange(start, start + rows))
    relevant = bulk.relevance(form, columns, rows)
    return Judged(columns, clean, skip, newer, fast, relevant, bulk.warnings(form, columns, relevant, rows),
                   identities, instances)


def scored(plan: Plan, batch, judged: Judged, start: int):
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
