"""Scored returns -> one Arrow record batch of the fields rows.py declares: what every writer reads, column by column.

Per return: the FIXED fields and its review state and edit count as text; per scored section each SECTION
measure, and the TAIL scores, typed; the levels whose key elements it lacks, as bits (for the countries' gates);
every answer as text (a number as its repr, a multiple choice as its codes joined by spaces, with its JSON list
beside it in list:<id>). The Responses are not kept: a batch is a few
thousand returns' columns.

The writers take a batch with its columns of few distinct values dictionary-encoded (encode), so that they encode
each value once (cells.by_value): codes, the section measures, answers other than free text. Ids, places in a file,
times, the index and free text are not. Which columns are is fixed by the form."""
from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa

from ..aggregate import lacking_bits
from ..model import DECIMAL, INTEGER, SELECT_MULTIPLE, TEXT, Form, Question, ScoredReturn, SectionScore
from .cells import strings
from .rows import CODE, COUNT, FIXED, RATES, ROLES, SECTION, TAIL, Field, role_answer

META = FIXED + ("review",)
MANY = ("location", "instance_id", "submitted")  # texts that differ from one return to the next
TYPES = {COUNT: pa.int64(), CODE: pa.string()}
NUMBERS = (INTEGER, DECIMAL)
MISSING = "missing_key_elements"  # per return, the levels whose key elements it lacks (as bits): for the gates


def answer(qid: str) -> str:
    """The column of a question's answers."""
    return f"answer:{qid}"


def listed(qid: str) -> str:
    """The column of a multiple choice's answers as JSON lists."""
    return f"list:{qid}"


def measure(sid: str, field: Field) -> str:
    """The column of one section measure."""
    return f"{sid}.{field.name}"


def _type(field: Field) -> pa.DataType:
    return TYPES.get(field.kind, pa.float64())


def build(form: Form, scored: Sequence[ScoredReturn]) -> pa.RecordBatch:
    """The columns of these returns, for the form the reports are about (other versions map by section and
    question id)."""
    responses = [s.response for s in scored]
    columns: Dict[str, pa.Array] = {}
    for name in META:
        values = _role(scored, name) if name in ROLES else list(map(attrgetter(name), responses))
        columns[name] = strings(values)
    columns["edits"] = pa.array([r.edits for r in responses], pa.int64())
    columns.update(_sections(form, scored))
    scores = [s.score for s in scored]
    for field in TAIL:
        values = pa.array(list(map(attrgetter(field.name), scores)), _type(field))
        columns[field.name] = values
    columns[MISSING] = pa.array(lacking_bits(form, [s.missing for s in scores]), pa.int64())
    columns.update(_answers(form, [r.answers for r in responses]))
    return pa.RecordBatch.from_pydict(columns)


def _role(scored: Sequence[ScoredReturn], role: str) -> List[str]:
    """Per return, role_answer: the answer of the question playing the role in its own version."""
    if len({id(s.form) for s in scored}) > 1:
        return [role_answer(s, role) for s in scored]
    q = scored[0].form.role(role) if scored else None
    if q is None:
        return [""] * len(scored)
    values = [s.response.answers.get(q.id) for s in scored]
    return [v if v.__class__ is str else "" if v is None else str(v) for v in values]


def _sections(form: Form, scored: Sequence[ScoredReturn]) -> Dict[str, pa.Array]:
    ids = [s.id for s in form.scored_sections]
    aligned: Dict[int, bool] = {}  # per form version, whether its sections are the reported form's, in order
    rows: List[Sequence[Optional[SectionScore]]] = []
    for s in scored:
        sections: Sequence[Optional[SectionScore]] = s.score.sections
        mine = aligned.get(id(s.form))
        if mine is None:
            mine = aligned[id(s.form)] = [x.id for x in s.form.scored_sections] == ids
        if not mine or len(sections) != len(ids):  # another version: its sections by id
            found = {x.section: x for x in s.score.sections}
            sections = [found.get(sid) for sid in ids]
        rows.append(sections)
    out = {}
    for sid, column in zip(ids, zip(*rows) if rows else [()] * len(ids), strict=True):
        whole = None not in column
        for field in SECTION:
            if field.name in RATES:
                continue
            get = itemgetter(SectionScore._fields.index(field.name))  # a named tuple's field by place: faster
            none = 0 if field.kind == COUNT else None
            values = list(map(get, column)) if whole else [none if x is None else get(x) for x in column]
            out[measure(sid, field)] = pa.array(values, _type(field))
    return rates(form, out)


def rates(form: Form, columns: Dict[str, pa.Array]) -> Dict[str, pa.Array]:
    """The columns with each section's RATES added, in SECTION's order: a count over another (null where the
    other is 0), the very float Python's int / int gives."""
    out: Dict[str, pa.Array] = {}
    for s in form.scored_sections:
        for field in SECTION:
            name = measure(s.id, field)
            if field.name not in RATES:
                out[name] = columns[name]
                continue
            part, whole = (columns[f"{s.id}.{n}"].to_numpy(zero_copy_only=False) for n in RATES[field.name])
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = part.astype(np.float64) / whole
            out[name] = pa.array(ratio, pa.float64(), mask=whole == 0)
    return out


def _answers(form: Form, answers: Sequence[Any]) -> Dict[str, pa.Array]:
    qids = [q.id for q in form.questions]
    # every question's key first (None), then the answers: one tuple per return, made in C
    blank, pick = dict.fromkeys(qids), itemgetter(*qids) if len(qids) > 1 else (lambda d: (d[qids[0]],))
    columns = list(zip(*[pick({**blank, **a.copy()}) for a in answers])) if answers and qids else [()] * len(qids)
    out: Dict[str, pa.Array] = {}
    for q, values in zip(form.questions, columns, strict=True):
        out.update(answer_texts(q, values))
    return out


def answer_texts(q: Question, values: Sequence[Any]) -> Dict[str, pa.Array]:
    """The columns of one question's answers (its answer: and, for a multiple choice, its list: column)."""
    if q.kind == SELECT_MULTIPLE:
        chosen = [tuple(v) if isinstance(v, list) else v for v in values]
        memo = {v: _lists(v) for v in dict.fromkeys(chosen) if v is not None}
        return {answer(q.id): strings([memo[v][0] if v is not None else None for v in chosen]),
                listed(q.id): strings([memo[v][1] if v is not None else None for v in chosen])}
    if q.kind in NUMBERS:
        return {answer(q.id): pa.array([None if v is None else repr(v) for v in values], pa.string())}
    return {answer(q.id): _texts(values)}


@lru_cache(maxsize=16)
def few(form: Form) -> FrozenSet[str]:
    """The columns of few distinct values: codes, the section measures, answers other than free text."""
    names = {name for name in META if name not in MANY} | {f.name for f in TAIL if f.kind == CODE}
    names |= {measure(s.id, f) for s in form.scored_sections for f in SECTION if f.kind != COUNT}
    for q in form.questions:
        if q.kind == SELECT_MULTIPLE:
            names |= {answer(q.id), listed(q.id)}
        elif q.kind != TEXT or q.choices:
            names.add(answer(q.id))
    return frozenset(names)


def encode(form: Form, batch: pa.RecordBatch) -> pa.RecordBatch:
    """A batch with its columns of few distinct values dictionary-encoded (see few)."""
    wanted = few(form)
    columns = [c.dictionary_encode() if name in wanted and not pa.types.is_dictionary(c.type) else c
               for name, c in zip(batch.schema.names, batch.columns, strict=True)]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _lists(value: Any):
    codes = list(value) if isinstance(value, (list, tuple)) else [value]
    return " ".join(map(str, codes)), json.dumps(codes, ensure_ascii=False)


def _texts(values: Sequence[Any]) -> pa.Array:
    try:
        return strings(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a value that is not text (no validated answer is)
        return strings([None if v is None else str(v) for v in values])


def batches(form: Form, scored: Sequence[ScoredReturn], size: int = 4096) -> List[pa.RecordBatch]:
    """The columns of returns held in memory, a batch per size returns."""
    return [build(form, scored[start:start + size]) for start in range(0, len(scored), size)]


# A batch reader's clean rows, handed to the reports as columns (stream.py): no Response per row.

class Versions(dict):
    """A run's form versions (version -> Form) that asks the batch readers for Blocks: the returns of the form the
    reports are about, in build's columns, instead of a Response per clean row."""

    def __init__(self, forms, reported: Form):
        super().__init__(forms)
        self.reported = reported

    def __reduce__(self):  # to the processes that read with --jobs
        return Versions, (dict(self), self.reported)

    def wants(self, form: Form) -> bool:
        """Whether returns read with this form come as Blocks (those of another version come as Responses)."""
        return form.version == self.reported.version and form.spec_hash == self.reported.spec_hash


@dataclasses.dataclass(frozen=True)
class Block:
    """Returns a batch reader read, validated and scored as columns: build's columns for the reported form, the
    issues found in them (warnings only: a row with an error is read as a Response), and per return its
    submission's identity (Response.identity). source and location name the file and the last return's place
    (a reader of zips renames the source: sourced() puts the new one into the columns)."""
    returns: pa.RecordBatch = dataclasses.field(repr=False)
    issues: pa.RecordBatch = dataclasses.field(repr=False)
    identities: pa.Array = dataclasses.field(repr=False)
    source: str = ""
    location: str = ""

    def sourced(self) -> Tuple[pa.RecordBatch, pa.RecordBatch]:
        """(returns, issues), their source column this block's source."""
        def put(batch: pa.RecordBatch) -> pa.RecordBatch:
            if not batch.num_rows or batch.column("source")[0].as_py() == self.source:
                return batch
            at = batch.schema.get_field_index("source")
            return batch.set_column(at, "source", strings([self.source] * batch.num_rows))
        return put(self.returns), put(self.issues)


def columns_of(form: Form, meta: Mapping[str, Any], edits: Sequence[int], answers: Mapping[str, Any],
               scores, rows: int) -> pa.RecordBatch:
    """build's columns of returns held as columns, all read with form (the reported one): meta, per META name, a
    text column or one text for every row; edits; answers, question id -> bulk.Column (distinct values, codes);
    scores, bulk.Measures."""
    from ..bulk import codes_of
    from ..scoring import plan_for
    plan = plan_for(form)

    def texts(value) -> pa.Array:
        return strings([value] * rows if isinstance(value, str) else value)

    def each(column, made: Dict[str, pa.Array]) -> Dict[str, pa.Array]:  # made of column's distinct values
        indices = pa.array(column.codes, pa.int64())
        return {name: values.take(indices) for name, values in made.items()}

    out: Dict[str, pa.Array] = {}
    for name in META:
        q = form.role(name) if name in ROLES else None
        column = answers.get(q.id) if q is not None else None
        if column is not None:  # _role: the answer as text, '' for none
            distinct = strings([v if v.__class__ is str else "" if v is None else str(v) for v in column.values])
            out[name] = each(column, {name: distinct})[name]
        else:
            out[name] = texts("" if name in ROLES else meta[name])
    out["edits"] = pa.array(edits, pa.int64())
    parts: Dict[str, pa.Array] = {}
    for s, part in zip(plan.sections, scores.sections, strict=True):
        parts.update({measure(s.section, f): _column(getattr(part, f.name), f) for f in SECTION if f.name not in RATES})
    out.update(rates(form, parts))
    names = {"level": scores.level, "band_level": scores.band, "held_by": scores.held}
    for f in TAIL:
        if f.name == "index":
            out[f.name] = _column(scores.index, f)
        elif f.name in names:
            out[f.name] = pa.array(codes_of(plan, names[f.name]).tolist(), pa.string())
        else:
            out[f.name] = pa.array(scores.perceived.tolist(), pa.string())
    out[MISSING] = pa.array(scores.lacking, pa.int64())
    for q in form.questions:
        column = answers.get(q.id)
        if column is None:
            out.update({name: pa.nulls(rows, pa.string()) for name in answer_texts(q, [None])})
        else:
            out.update(each(column, answer_texts(q, list(column.values))))
    return pa.RecordBatch.from_pydict(out)


def _column(values: np.ndarray, field: Field) -> pa.Array:
    """A measure of bulk.py as a column: NaN as null (a count as it is)."""
    if field.kind == COUNT:
        return pa.array(values, pa.int64())
    return pa.array(values, pa.float64(), mask=np.isnan(values))
