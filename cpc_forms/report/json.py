"""scores.json: the run's form, every return, its round and counts, the country figures (with what to do next in
each: advice.py) and every issue; its shape is scores.schema.json. Indented, except that each return, each country
and each issue is one line (json.dumps of it): the file streams out a batch at a time, and a line-minded tool can
still read it. The round is known only once the run is read, so it comes after the returns, with the counts.

document() builds the same object in memory, for a small run (and the tests' plain writer)."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any, Dict, List, Sequence

import pyarrow as pa
import pyarrow.compute as pc

from .. import resources
from ..aggregate import Country, Group, figures
from ..model import NUMERIC_KINDS, SELECT_MULTIPLE, Form, Report
from . import Writer as Base
from . import advice, cells, rows, table, write_one
from .run import Run

SCHEMA = resources.files("cpc_forms/report/scores.schema.json")
FORMAT = "cpc-forms/scores"
FORMAT_VERSION = 5
LISTS = ("returns", "countries", "issues")  # the keys whose items are one line each
ISSUE_KEYS = ("code", "severity", "message", "source", "location")


def head(form: Form, personal: bool) -> Dict[str, Any]:
    """What scores.json says before its returns: what it is, the form, whether personal data is in."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "form": {"id": form.id, "version": form.version, "default_language": form.default_language,
                 "sections": [{"id": s.id, "weight": s.weight} for s in form.scored_sections],
                 "levels": [{"code": lv.code, "low": lv.low, "high": lv.high} for lv in form.levels],
                 "gap_groups": list(form.gap_groups), "gap_flag": form.gap_flag},
        "personal_data": personal,
    }


def tail(run: Run) -> Dict[str, Any]:
    """What scores.json says after its returns, before the countries: when, the round, and the counts."""
    return {"generated": run.generated, "round": run.round or None,
            "counts": {channel: dict(c) for channel, c in run.counts.items()}, "totals": rows.totals(run.counts)}


def group(g: Group) -> Dict[str, Any]:
    """One agency's figures, or a national figure."""
    return dict(agency=g.agency, returns=g.returns, sections=dict(g.sections), low=dict(g.low), high=dict(g.high),
                dont_know_rate=dict(g.dont_know_rate), index=g.index, band_level=g.band_level, level=g.level,
                held_by=g.held_by, key_elements=dict(g.key_elements), perceived=dict(g.perceived),
                perceived_median=g.perceived_median, scored=dict(g.scored))


def country(form: Form, c: Country) -> Dict[str, Any]:
    """One country's figures: national (and how it was made), each agency apart, the perception gaps, and the
    recommendations chosen for it."""
    return dict(country=c.country, national=dict(group(c.national), method=c.method, basis=list(c.basis)),
                agencies=[group(a) for a in c.agencies],
                gaps=[dict(section=g.section, first=g.first, second=g.second, gap=g.gap, flagged=g.flagged,
                           reason=g.reason, first_returns=g.first_returns, second_returns=g.second_returns)
                      for g in c.gaps],
                recommendations=[advice.as_json(form, a) for a in advice.for_country(form, c)])


def document(report: Report, *, personal: bool = False, round: str = "") -> Dict[str, Any]:
    """The scores.json document of a Report (of a round, or none: ''), as plain data."""
    scored = [(s.response, s.score) for s in report.returns]
    return {**head(report.form, personal),
            "returns": [rows.return_row(report, r, personal) for r in report.returns],
            **tail(dataclasses.replace(Run.of(report), round=round)),
            "countries": [country(report.form, c) for c in figures(report.form, scored)],
            "issues": [{k: getattr(i, k) for k in ISSUE_KEYS} for i in report.issues]}


def _answer(batch: pa.RecordBatch, q) -> pa.Array:
    """Per row, ', "<id>": <answer as JSON>' (null where unanswered: the key is left out)."""
    key = f", {json.dumps(q.id)}: "
    if q.kind == SELECT_MULTIPLE or q.kind in NUMERIC_KINDS:  # a JSON list, or a number's repr: JSON already
        column = batch.column(table.listed(q.id) if q.kind == SELECT_MULTIPLE else table.answer(q.id))
        return cells.by_value(column, lambda v: key + v, lambda c: cells.joined_or_null(key, c))
    return cells.by_value(batch.column(table.answer(q.id)), lambda v: key + cells.encode_basestring(v),
                          lambda c: cells.joined_or_null(key, cells.json_quoted(c)))


def _json(values: pa.Array, kind: str) -> pa.Array:
    return cells.json_strings(values) if kind == rows.CODE else cells.json_numbers(values)


def lines(form: Form, batch: pa.RecordBatch, personal: bool) -> pa.Array:
    """Each return of a batch as json.dumps writes it (ensure_ascii=False), one text per row."""
    key = json.dumps
    parts: List[Any] = []
    for n, name in enumerate(rows.FIXED):
        parts += [("{" if n == 0 else ", ") + f"{key(name)}: ", cells.json_strings(batch.column(name))]
    parts.append(', "sections": {')
    for n, s in enumerate(form.scored_sections):
        for k, field in enumerate(rows.SECTION):
            lead = (", " if n else "") + f"{key(s.id)}: {{" if k == 0 else ", "
            parts += [lead + f"{key(field.name)}: ", _json(batch.column(table.measure(s.id, field)), field.kind)]
        parts.append("}")
    parts.append("}")
    for field in rows.TAIL:
        parts += [f", {key(field.name)}: ", _json(batch.column(field.name), field.kind)]
    answers = [_answer(batch, q) for q in rows.reported_questions(form, personal)]
    joined = cells.join(*answers) if answers else pa.array([""] * batch.num_rows, pa.string())
    parts += [', "answers": {', pc.utf8_slice_codeunits(joined, 2), '}, "review": ',
              cells.json_strings(batch.column("review")), "}"]
    return cells.join(*parts)


def issue_lines(batch: pa.RecordBatch) -> pa.Array:
    """Each issue of a batch as json.dumps writes it."""
    parts: List[Any] = []
    for n, name in enumerate(ISSUE_KEYS):
        parts += [("{" if n == 0 else ", ") + f"{json.dumps(name)}: ", cells.json_strings(batch.column(name))]
    return cells.join(*parts, "}")


class Writer(Base):
    """scores.json, streamed: the head and each return as they come, each issue to a file beside it until the
    counts and the countries are written."""

    def __init__(self, form: Form, path: Path, personal: bool = False):
        super().__init__(form, path)
        self.personal = personal
        self.file = self.path.open("wb")
        self.said = self.path.with_name(f".{self.path.name}.issues")
        self.issue_file = self.said.open("wb")
        self.handles += [self.file, self.issue_file]
        text = dumps({**head(form, personal), "returns": []})
        self.file.write((text[:text.rindex("[]")] + "[").encode("utf-8"))
        self.returned = self.issued = 0

    @staticmethod
    def _items(file, column: pa.Array, before: int) -> int:
        if len(column):
            file.write(b",\n  " if before else b"\n  ")
            file.write(cells.data(cells.join(column, ",\n  "))[:-4])  # but the last separator
        return before + len(column)

    def returns(self, batch: pa.RecordBatch) -> None:
        """Each return a line."""
        self.returned = self._items(self.file, lines(self.form, batch, self.personal), self.returned)

    def issues(self, batch: pa.RecordBatch) -> None:
        """Each issue a line, kept aside until the end."""
        self.issued = self._items(self.issue_file, issue_lines(batch), self.issued)

    def close(self, run: Run, countries: Sequence[Country]) -> Path:
        """The counts, the countries, the issues: the file, complete."""
        self.issue_file.close()
        rest = dumps({"\0": 0, **tail(run), "countries": "\0countries\0", "issues": []})
        rest = rest[rest.index("\n", rest.index('"\\u0000"')):rest.rindex("[]")]
        rest = rest.replace(json.dumps("\0countries\0"), one_a_line([country(self.form, c) for c in countries]))
        self.file.write((("\n ]" if self.returned else "]") + "," + rest + "[").encode("utf-8"))
        with self.said.open("rb") as said:
            shutil.copyfileobj(said, self.file, 1 << 20)
        self.file.write(("\n ]" if self.issued else "]").encode("utf-8") + b"\n}\n")
        self.file.close()
        self.said.unlink()
        return self.path

    def parts(self) -> List[Path]:
        """The file and its issues aside."""
        return [self.path, self.said]


def dumps(value: Any) -> str:
    """JSON as scores.json indents it."""
    return json.dumps(value, ensure_ascii=False, indent=1, allow_nan=False)


def one_a_line(items: Sequence[Any]) -> str:
    """A list of scores.json with each item on a line of its own."""
    if not items:
        return "[]"
    return "[\n  " + ",\n  ".join(json.dumps(i, ensure_ascii=False, allow_nan=False) for i in items) + "\n ]"


def write(report: Report, path, *, personal: bool = False) -> Path:
    """Write scores.json (UTF-8, keys in a fixed order, no NaN)."""
    return write_one("json", report, path, personal=personal)


def schema() -> Dict[str, Any]:
    """The JSON Schema of scores.json."""
    return json.loads(SCHEMA.read_text(encoding="utf-8"))
