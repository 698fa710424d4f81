"""Exports written the way the servers write them, for tests: KoboToolbox (formpack 3.0.0, as KPI calls it)
and ODK Central (central-backend's lib/data/briefcase.js), from the facts in research/formats.md and the
observations of issue 12 alone: never from cpc_forms' own writers.

The form is the XLSForm cpc_forms deploys (its survey and choices sheets, as KPI and Central read them); a
submission is what the server stores: the XML values of the answered questions (absent when skipped or
unanswered), the form's calculates, and the server's metadata.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

import xlsxwriter

from cpc_forms.channels.xlsform.build import sheets

SEPARATORS = ("/", "-", ".", ":", "_", " / ")
LANGUAGES = ("_xml", "en", "fr")  # "_xml": XML values and headers; else labels in that language
MULTIPLE = ("both", "summary", "details")
KOBO_LABELS = {"validation_status_approved": "Approved", "validation_status_not_approved": "Not Approved",
               "validation_status_on_hold": "On Hold"}


@dataclass(frozen=True)
class Submission:
    """One stored version of a submission."""
    answers: Mapping[str, Any]  # question id -> XML value (codes, 'a b' for a multiple choice, numbers as text)
    number: int  # Kobo's _id (every version of one submission keeps it); Central's KEY is drawn from it
    uuid: str  # this version's instance id, without 'uuid:'
    submitted: str  # Kobo: this version's _submission_time; Central: the first arrival (UTC, ISO)
    version: str = ""  # the form version its calculate stamps ('' leaves the stamp empty)
    review: str = ""  # Kobo validation status uid, or Central ReviewState
    edits: int = 0  # Central: how many edits before this version
    status: str = ""  # Central: '', 'not decrypted' or 'missing encrypted form data'
    extra: Mapping[str, str] = field(default_factory=dict)  # values of other fields (calculates) by name


@dataclass(frozen=True)
class Field:
    """A field of the deployed form: its groups ((name, labels) each), name, type, labels, choice list."""
    groups: Tuple[Tuple[str, Mapping[str, str]], ...]
    name: str
    kind: str
    labels: Mapping[str, str]
    options: Tuple[Tuple[str, Mapping[str, str]], ...] = ()


def _labels(row: Mapping[str, Any]) -> Dict[str, str]:
    out = {}
    for key, value in row.items():
        found = re.fullmatch(r"label::.*\((\w+)\)", key)
        if found and value:
            out[found.group(1)] = value
    return out


def deployed(form) -> List[Field]:
    """The fields of the form as deployed, in survey order (groups are no fields)."""
    book = sheets(form)
    options: Dict[str, list] = {}
    for row in book["choices"]:
        options.setdefault(row["list_name"], []).append((str(row["name"]), _labels(row)))
    groups: List[Tuple[str, Mapping[str, str]]] = []
    out = []
    for row in book["survey"]:
        kind, _, listed = row["type"].partition(" ")
        if kind == "begin_group":
            groups.append((row["name"], _labels(row)))
        elif kind == "end_group":
            groups.pop()
        else:
            out.append(Field(tuple(groups), row["name"], kind, _labels(row), tuple(options.get(listed, ()))))
    return out


@dataclass(frozen=True)
class Kobo:
    """One choice of KPI's export dialog."""
    lang: str = "_xml"
    sep: str = "/"
    hierarchy: bool = True
    multiple: str = "both"
    version_field: bool = True  # the deployed form carries KPI's __version__ calculate
    deployment: str = "vHagmzimVwhMJ4C26sX38Q"

    @property
    def name(self) -> str:
        sep = {"/": "slash", "-": "dash", ".": "dot", ":": "colon", "_": "underscore", " / ": "spaced"}[self.sep]
        return f"{self.lang}-{sep}-{'groups' if self.hierarchy else 'bare'}-{self.multiple}"


def _label(texts: Mapping[str, str], name: str, lang: str) -> str:
    return name if lang == "_xml" else texts.get(lang) or name


def _header_of(f: Field, v: Kobo) -> str:
    if v.hierarchy:
        return v.sep.join([_label(t, g, v.lang) for g, t in f.groups] + [_label(f.labels, f.name, v.lang)])
    return _label(f.labels, f.name, v.lang)


def kobo_fields(form, v: Kobo) -> List[Field]:
    """The fields formpack exports: the deployed form's, then KPI's __version__ calculate when it has it."""
    fields = deployed(form)
    return fields + [Field((), "__version__", "calculate", {})] if v.version_field else fields


def kobo_header(fields: Sequence[Field], v: Kobo) -> List[str]:
    """formpack's header row: each field's label path, a multiple choice's summary and/or one column per option
    (the option's label after the separator), then the copy fields and _index."""
    out = []
    for f in fields:
        head = _header_of(f, v)
        if f.kind != "select_multiple" or v.multiple in ("both", "summary"):
            out.append(head)
        if f.kind == "select_multiple" and v.multiple in ("both", "details"):
            out += [f"{head}{v.sep}{_label(labels, code, v.lang)}" for code, labels in f.options]
    return out + ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
                  "_tags", "_index"]


def _field_cells(f: Field, value: Optional[str], v: Kobo) -> Dict[str, str]:
    """formpack's format() of one field: {value name: cell}; a multiple choice's unknown code gets a value
    name of its own (formpack's ragged-row bug)."""
    if f.kind == "select_multiple":
        codes = (value or "").split()
        names = {code: labels for code, labels in f.options}
        cells = {}
        if v.multiple in ("both", "summary"):
            cells[f.name] = " ".join(_label(names.get(c, {}), c, v.lang) for c in codes)
        if v.multiple in ("both", "details"):
            cells.update({f"{f.name}/{code}": ("" if not codes else "1" if code in codes else "0")
                          for code, _ in f.options})
            cells.update({f"{f.name}/{c}": "1" for c in codes if c not in names})
        return cells
    if value is None:
        return {f.name: ""}
    if f.kind == "select_one":
        names = {code: labels for code, labels in f.options}
        return {f.name: _label(names.get(value, {}), value, v.lang) if value in names else value}
    return {f.name: value}


def _stored(f: Field, s: Submission, v: Kobo) -> Optional[str]:
    if f.name == "__version__":
        return v.deployment
    if f.name == "sc_form_version":
        return s.version or None
    if f.name in s.extra:
        return s.extra[f.name]
    value = s.answers.get(f.name)
    return None if value in (None, "") else str(value)


def kobo_rows(form, submissions: Sequence[Submission], v: Kobo) -> List[List[str]]:
    """Header and rows as formpack formats them, its row cache and all: a cell for an unknown multiple-choice
    code is added past the header on that row and stays on every later one."""
    fields = kobo_fields(form, v)
    names: List[str] = []
    for f in fields:
        names += list(_field_cells(f, "" if f.kind == "select_multiple" else None, v))
    cache = dict.fromkeys(names, "")
    rows = [kobo_header(fields, v)]
    for n, s in enumerate(submissions, start=1):
        cache.update(dict.fromkeys(names, ""))
        for f in fields:
            cache.update(_field_cells(f, _stored(f, s, v), v))
        status = KOBO_LABELS.get(s.review, s.review) if v.lang != "_xml" else s.review
        rows.append(list(cache.values())[:len(names)] + [str(s.number), s.uuid, s.submitted, status, "",
                                                         "submitted_via_web", "", "", str(n)]
                    + list(cache.values())[len(names):])
    return rows


def kobo_csv(form, submissions: Sequence[Submission], v: Kobo, path: Path, bom: bool = False) -> Path:
    """formpack's to_csv as KPI writes it: ';', every cell quoted, quotes doubled, each line + '\\r\\n'."""
    lines = [";".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in kobo_rows(form, submissions, v)]
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "".join(line + "\r\n" for line in lines).encode("utf-8"))
    return path


def kobo_xlsx(form, submissions: Sequence[Submission], v: Kobo, path: Path, title: str = "") -> Path:
    """formpack's to_xlsx: XlsxWriter in constant memory, every cell through write() (so text starting with
    '=' becomes a formula), the sheet named by the title cut to 31 characters."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet((title or form.title.get("en", form.id))[:31].replace(":", " "))
    for r, row in enumerate(kobo_rows(form, submissions, v)):
        for c, cell in enumerate(row):
            sheet.write(r, c, cell)
    book.close()
    return path


@dataclass(frozen=True)
class Central:
    """One way of downloading submissions from ODK Central."""
    group_paths: bool = True
    split: bool = False  # splitSelectMultiples
    zipped: bool = True

    @property
    def name(self) -> str:
        return (f"{'paths' if self.group_paths else 'bare'}-{'split' if self.split else 'whole'}-"
                f"{'zip' if self.zipped else 'csv'}")


def central_rows(form, submissions: Sequence[Submission], v: Central) -> List[List[str]]:
    """briefcase.js's table: SubmissionDate, every field by its '-' path (or bare name), a split multiple choice
    followed by one '/value' column per value stored (alphabetical), meta, then Central's own columns; one row
    per submission (the versions passed are the current ones), newest first."""
    fields = deployed(form)
    plain = [s for s in submissions if not s.status]
    header, columns = ["SubmissionDate"], []
    for f in fields:
        head = "-".join([g for g, _ in f.groups] + [f.name]) if v.group_paths else f.name
        header.append(head)
        columns.append((f, None))
        if f.kind == "select_multiple" and v.split:
            values = sorted({c for s in plain for c in str(s.answers.get(f.name) or "").split()})
            header += [f"{head}/{c}" for c in values]
            columns += [(f, c) for c in values]
    meta = ["meta-instanceID", "meta-instanceName"] if v.group_paths else ["instanceID", "instanceName"]
    header += meta + ["KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                      "ReviewState", "DeviceID", "Edits", "FormVersion"]
    rows = [header]
    for s in sorted(submissions, key=lambda s: s.submitted, reverse=True):
        key = f"uuid:{s.number:08d}-0000-4000-8000-000000000000"
        cells = [] if s.status else [_central_cell(f, code, s) for f, code in columns]
        rows.append([s.submitted] + (cells or [""] * len(columns))
                    + [f"uuid:{s.uuid}", "" if s.status else f"{s.number}", key, "5", "Alice", "0", "0", s.status,
                       s.review, "", str(s.edits), s.version or form.version])
    return rows


def _central_cell(f: Field, code: Optional[str], s: Submission) -> str:
    if f.name == "sc_form_version":
        return s.version
    value = s.extra.get(f.name, s.answers.get(f.name))
    text = "" if value is None else str(value)
    if code is None:
        return text
    return ("1" if code in text.split() else "0") if text else ""


def central_csv(form, submissions: Sequence[Submission], v: Central, path: Path) -> Path:
    """csv-stringify's defaults: ',', quotes only when needed, '\\n', UTF-8 without BOM; zipped as
    {form id}.csv when v.zipped."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(central_rows(form, submissions, v))
    data = out.getvalue().encode("utf-8")
    if not v.zipped:
        path.write_bytes(data)
        return path
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{form.id}.csv", data)
    return path


def edited(s: Submission, answers: Mapping[str, Any], uuid: str, submitted: str = "") -> Submission:
    """The next version of a submission: new instance id, same _id / KEY, one more edit, 'edited' on Central
    (whose SubmissionDate stays the first arrival; Kobo's _submission_time is the new one's when given)."""
    return replace(s, answers=answers, uuid=uuid, submitted=submitted or s.submitted, edits=s.edits + 1)


def xml_value(q, value: Any) -> Optional[str]:
    """A canonical answer as the server stores it: a multiple choice's codes joined by spaces, numbers as text."""
    if value is None or value == () or value == "":
        return None
    return " ".join(value) if isinstance(value, (tuple, list)) else str(value)


def stored(form, answers: Mapping[str, Any]) -> Dict[str, str]:
    """question id -> the stored XML value, for answered questions only."""
    out = {}
    for q in form.questions:
        value = xml_value(q, answers.get(q.id))
        if value is not None:
            out[q.id] = value
    return out
