"""Score a batch of returns at once, column by column: the rules of scoring.py, vectorised with NumPy.

Each decision about one answer (a condition on it, its item score) is taken by the same function the
one-return path uses, once per distinct answer in the batch; only the combining (and, or, not, the sums,
completeness, index and level) runs here over whole columns. tests/test_bulk.py proves the two agree.
"""
from __future__ import annotations

from functools import partial
from itertools import repeat
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from . import conditions
from .answers import answered as is_answer
from .catalogue import Code
from .model import Form, ItemScore, ReturnScore, SectionScore
from .scoring import DK, MISSING, SCORED, ItemPlan, ScoringPlan, SectionPlan, item_score, plan_for
from .validation import required


class Column(NamedTuple):
    """One question's answers in a batch: its distinct values (None: unanswered), and per row an index."""
    values: Sequence[Any]
    codes: np.ndarray


def objects(items: Sequence[Any]) -> np.ndarray:
    """A 1-d object array of items (np.array would turn a list of tuples into a 2-d array)."""
    out = np.empty(len(items), dtype=object)
    for n, item in enumerate(items):
        out[n] = item
    return out


def _per_row(column: Column, per_value: Sequence[Any], dtype) -> np.ndarray:
    return np.asarray(per_value, dtype=dtype)[column.codes]


def relevance(form: Form, columns: Mapping[str, Column], rows: int) -> Dict[str, np.ndarray]:
    """question id -> per-row relevance, for every conditional question (the others are always relevant)."""
    relevant: Dict[str, np.ndarray] = {}
    for qid, conds in conditions.ordered(form):
        mask = np.ones(rows, dtype=bool)
        for cond in conds:
            mask &= _holds(cond, columns, relevant, rows)
        relevant[qid] = mask
    return relevant


def _holds(cond, columns: Mapping[str, Column], relevant: Mapping[str, np.ndarray], rows: int) -> np.ndarray:
    if cond.op in ("all", "any"):
        parts = [_holds(t, columns, relevant, rows) for t in cond.terms]
        return np.logical_and.reduce(parts) if cond.op == "all" else np.logical_or.reduce(parts)
    if cond.op == "not":
        return ~_holds(cond.terms[0], columns, relevant, rows)
    unanswered = conditions.evaluate(cond, lambda qid: None)
    column = columns.get(cond.question)
    if column is None:
        return np.full(rows, unanswered)
    truth = _per_row(column, [conditions.evaluate(cond, _reads(v)) for v in column.values], bool)
    seen = relevant.get(cond.question)  # a question that is not relevant reads as unanswered
    return truth if seen is None else np.where(seen, truth, unanswered)


def _reads(value: Any) -> Callable[[str], Any]:
    return lambda qid: value  # every question reads as this one value


def answered(column: Optional[Column], rows: int) -> np.ndarray:
    """Per row, whether the question has an answer."""
    if column is None:
        return np.zeros(rows, dtype=bool)
    return _per_row(column, [is_answer(v) for v in column.values], bool)


def warnings(form: Form, columns: Mapping[str, Column], relevant: Mapping[str, np.ndarray],
             rows: int) -> List[Tuple[str, str, np.ndarray]]:
    """(issue code, question id, rows it applies to), in the order validation.validate_return reports them."""
    out = []
    for qid in conditions.conditional(form):
        out.append((Code.NOT_RELEVANT_ANSWER.value, qid, ~relevant[qid] & answered(columns.get(qid), rows)))
    for qid in required(form):
        mask = ~answered(columns.get(qid), rows)
        out.append((Code.REQUIRED_MISSING.value, qid, mask & relevant[qid] if qid in relevant else mask))
    return [(code, qid, mask) for code, qid, mask in out if mask.any()]


class _Section(NamedTuple):
    score: np.ndarray  # NaN: insufficient
    completeness: np.ndarray  # NaN: nothing applicable
    answered: np.ndarray
    applicable: np.ndarray
    items: List[list]  # per item, its ItemScore in each row
    dont_know: np.ndarray
    low: np.ndarray  # NaN: no score
    high: np.ndarray


def _items(item: ItemPlan, column: Optional[Column], relevant: Optional[np.ndarray],
           rows: int) -> Tuple[List[Optional[ItemScore]], np.ndarray]:
    """One item's distinct ItemScores, and per row the index of its own."""
    values = column.values if column is not None else [None]
    codes = column.codes if column is not None else np.zeros(rows, dtype=np.intp)
    skipped = item_score(item, None, False) if item.conditional else None
    table = [_item_score(item, v) for v in values] + [skipped]
    if skipped is not None and relevant is not None:
        codes = np.where(relevant, codes, len(values))
    return table, codes


_SCORED: Dict[Tuple[ItemPlan, Any], ItemScore] = {}  # (item plan, answer) -> its item score (plans are hashed by
_MEMO_TYPES = {str, int, float, tuple, type(None)}  # identity, and kept alive by the key: never mistaken for another)


def _item_score(item: ItemPlan, value: Any) -> ItemScore:
    """item_score, remembered for the answers met batch after batch (codes, numbers, multiple choices)."""
    if value.__class__ not in _MEMO_TYPES:
        return item_score(item, value)
    key = (item, value)
    found = _SCORED.get(key)
    if found is None:
        found = item_score(item, value)
        if len(_SCORED) < 65536:
            _SCORED[key] = found
    return found


def _section(plan: ScoringPlan, section: SectionPlan, columns: Mapping[str, Column], relevant, rows: int,
             with_items: bool = True) -> _Section:
    items = []
    numerator, denominator = np.zeros(rows), np.zeros(rows)
    scored, unanswered = np.zeros(rows, dtype=np.int64), np.zeros(rows, dtype=np.int64)
    dont_know, unknown = np.zeros(rows, dtype=np.int64), np.zeros(rows)
    for item in section.items:
        table, codes = _items(item, columns.get(item.question), relevant.get(item.question), rows)
        if with_items:
            items.append(objects(table)[codes].tolist())
        got = [i is not None and i.status == SCORED for i in table]
        # the same operations in the same order as scoring.section_score: the same floats, bit for bit;
        # where got is True, table holds a scored ItemScore (never None, its score set)
        numerator += np.array([i.weight * i.score if ok else 0.0  # type: ignore[union-attr, operator]
                               for i, ok in zip(table, got)])[codes]
        denominator += np.array([i.weight * i.max_score if ok else 0.0  # type: ignore[union-attr]
                                 for i, ok in zip(table, got)])[codes]
        scored += np.array(got)[codes]
        unanswered += np.array([i is not None and i.status in (DK, MISSING) for i in table])[codes]
        dk = [i is not None and i.status == DK for i in table]
        dont_know += np.array(dk)[codes]
        unknown += np.array([i.weight * i.max_score if d else 0.0  # type: ignore[union-attr]
                             for i, d in zip(table, dk)])[codes]
    applicable = scored + unanswered
    threshold = plan.completeness
    with np.errstate(divide="ignore", invalid="ignore"):
        completeness = np.where(applicable > 0, scored / np.maximum(applicable, 1), np.nan)
        passes = completeness >= threshold.value if threshold.inclusive else completeness > threshold.value
        enough = (applicable > 0) & passes & (denominator > 0)
        score = np.where(enough, 100.0 * numerator / np.where(denominator > 0, denominator, 1.0), np.nan)
        total = np.where(enough, denominator + unknown, 1.0)  # scoring.bounds
        low = np.where(enough, 100.0 * numerator / total, np.nan)
        high = np.where(enough, 100.0 * (numerator + unknown) / total, np.nan)
    return _Section(score, completeness, scored, applicable, items, dont_know, low, high)


def _maybe(values: np.ndarray) -> list:
    """Floats as a list, NaN as None."""
    return [None if v != v else v for v in values.tolist()]


class Measures(NamedTuple):
    """Every score of a batch's returns as columns: per scored section its measures, the index (NaN: none), and as
    level numbers (-1: none) the level reached, the index's band and the level that held it back; the levels
    whose key elements each lacks as bits (bit n: level n), and the perceived level (None: none)."""
    sections: List[_Section]
    index: np.ndarray  # type: ignore[assignment]  # shadows tuple.index(), as ReturnScore.index does
    level: np.ndarray
    band: np.ndarray
    held: np.ndarray
    lacking: np.ndarray
    perceived: np.ndarray


def measures(form: Form, columns: Mapping[str, Column], relevant: Mapping[str, np.ndarray], rows: int,
             with_items: bool = False) -> Measures:
    """Every score of every row, a column at a time (each section's items too, with_items: scores() needs them)."""
    plan = plan_for(form)
    parts = [_section(plan, s, columns, relevant, rows, with_items) for s in plan.sections]
    numerator, denominator, have = np.zeros(rows), np.zeros(rows), np.zeros(rows, dtype=np.int64)
    for s, part in zip(plan.sections, parts):
        ok = ~np.isnan(part.score)
        numerator += np.where(ok, s.weight * np.where(ok, part.score, 0.0), 0.0)
        denominator += np.where(ok, s.weight, 0.0)
        have += ok
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(have >= plan.min_sections, numerator / np.where(have > 0, denominator, 1.0), np.nan)
    return Measures(parts, index, *_levels(plan, index, columns, relevant, rows),
                    _perceived(plan, columns, relevant, rows))


def picked(columns: Mapping[str, Column], relevant: Mapping[str, np.ndarray], rows: np.ndarray):
    """The columns and relevance of some rows only."""
    return ({qid: Column(c.values, c.codes[rows]) for qid, c in columns.items()},
            {qid: mask[rows] for qid, mask in relevant.items()})


def codes_of(plan: ScoringPlan, levels: np.ndarray) -> np.ndarray:
    """Level numbers (-1: none) as level codes (None)."""
    return objects([b.value for b in plan.levels] + [None])[levels]  # -1 picks the None at the end


def scores(form: Form, columns: Mapping[str, Column], relevant: Mapping[str, np.ndarray], rows: int,
           keep: Optional[np.ndarray] = None) -> List[Optional[ReturnScore]]:
    """Per row, every score of the return (None for the rows keep leaves out)."""
    keep = np.ones(rows, dtype=bool) if keep is None else keep
    chosen = np.flatnonzero(keep)
    sub, relevant = picked(columns, relevant, chosen)
    plan = plan_for(form)
    m = measures(form, sub, relevant, len(chosen), with_items=True)
    levels, bands, held = (codes_of(plan, x).tolist() for x in (m.level, m.band, m.held))
    masks, where = np.unique(m.lacking, return_inverse=True)
    named = objects([tuple(b.value for n, b in enumerate(plan.levels) if mask >> n & 1) for mask in masks.tolist()])
    missing = named[where.reshape(-1)].tolist()
    # zip builds each row's tuples in C: its items, then its sections
    sections = [map(_new_section, zip(repeat(s.section), _maybe(p.score), _maybe(p.completeness), p.answered.tolist(),
                                      p.applicable.tolist(), zip(*p.items) if p.items else repeat(()),
                                      p.dont_know.tolist(), _maybe(p.low), _maybe(p.high)))
                for s, p in zip(plan.sections, m.sections)]
    out: List[Optional[ReturnScore]] = [None] * rows
    returns = map(_new_return, zip(zip(*sections), _maybe(m.index), levels, m.perceived.tolist(), bands, held,
                                   missing))
    for row, score in zip(chosen.tolist(), returns):
        out[row] = score
    return out


# tuple.__new__ straight from zipped columns: a NamedTuple's own __new__ is Python, and this runs per row
_new_section = partial(tuple.__new__, SectionScore)
_new_return = partial(tuple.__new__, ReturnScore)


def _levels(plan: ScoringPlan, index: np.ndarray, columns: Mapping[str, Column], relevant,
            rows: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per row, as level numbers (-1: none): the level reached, the level band of the index, the level held back by
    missing key elements; and every level whose key elements are missing, as bits (scoring.band_of, gated and
    gate_holds, a column at a time)."""
    band = np.full(rows, -1, dtype=np.int64)
    for n, b in reversed(list(enumerate(plan.levels))):
        band[(index >= b.low) & ((index < b.high) | ((index == b.high) if b.closed else False))] = n
    level, held = band.copy(), np.full(rows, -1, dtype=np.int64)
    lacking = np.zeros(rows, dtype=np.int64)  # bit n: level n's key elements are missing
    for n, gate in enumerate(plan.gates):
        if gate is not None:
            missing = ~_holds(gate, columns, relevant, rows)
            lacking |= missing.astype(np.int64) << n
            if n > 0:
                stop = (held < 0) & (band >= n) & missing
                level[stop], held[stop] = n - 1, n
    return level, band, held, lacking


def _perceived(plan: ScoringPlan, columns: Mapping[str, Column], relevant, rows: int) -> np.ndarray:
    column = columns.get(plan.perceived) if plan.perceived is not None else None
    if column is None:
        return objects([None] * rows)
    seen = objects([v or None for v in column.values])[column.codes]
    if plan.perceived in relevant:
        seen[~relevant[plan.perceived]] = None
    return seen
