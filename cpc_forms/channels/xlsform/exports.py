"""Writers of what the field servers hand back, from answers: for the demo, the benchmark and the
cross-channel tests. Each writes the shape its server writes (research/formats.md): every field of the
deployed XLSForm in survey order (the form's scoring calculates left empty: nothing reads them, and the
version stamp filled), the server's own metadata columns, and text exactly as typed (neither server guards
against formulas).

records are iterables of (answers, meta); answers flat (question id -> value) or nested by section; meta
keys, all optional:
    instance_id    the version's instance id (Central meta-instanceID, Kobo _uuid; default a new one)
    root_id        the submission it is a version of (Central KEY; default instance_id); Kobo's _id is
                   derived from it unless id is given
    id             Kobo's _id, the number every version of one submission keeps
    deprecated_id  XML only: the instance this edit replaces
    submitted      ISO time (Central SubmissionDate: the first arrival; Kobo _submission_time, in UTC)
    version        the form version (default the form's)
    review         the review state (Central ReviewState; Kobo _validation_status uid)
    edits          Central Edits: how many times the submission was edited
    status         Central Status ('' or 'not decrypted' / 'missing encrypted form data')
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import uuid
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Tuple
from xml.sax.saxutils import escape, quoteattr

from ... import conditions
from ...answers import flatten
from ...model import SELECT_MULTIPLE, Form, Question
from ...returns import instant
from .build import VERSION_STAMP, survey
from .readers.columns import question

Record = Tuple[Mapping[str, Any], Mapping[str, str]]
CENTRAL_TAIL = ["KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                "ReviewState", "DeviceID", "Edits", "FormVersion"]
KOBO_TAIL = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
             "_tags", "_index"]


def text(q: Question, value: Any) -> str:
    """A value as ODK writes it: multi-select codes joined by spaces, numbers plain."""
    if value is None:
        return ""
    if q.kind == SELECT_MULTIPLE:
        return " ".join(map(str, value))
    return str(value)


def _uuid(value: str) -> str:
    return value if not value or value.startswith("uuid:") else "uuid:" + value


@lru_cache(maxsize=16)
def fields(form: Form) -> Tuple[Tuple[Tuple[str, ...], str, bool], ...]:
    """Every field of the form's XLSForm in survey order: (its groups, its name, whether it is a question)."""
    questions = {q.id for q in form.questions}
    groups: List[str] = []
    out = []
    for row in survey(form):
        if row["type"] == "begin_group":
            groups.append(row["name"])
        elif row["type"] == "end_group":
            groups.pop()
        else:
            out.append((tuple(groups), row["name"], row["name"] in questions))
    return tuple(out)


def write_instance(form: Form, answers: Mapping[str, Any], path, instance_id: str, deprecated_id: str = "",
                   version: str = "", namespaced_meta: bool = False) -> Path:
    """An OpenRosa XML instance as Collect submits it: non-relevant questions left out, unanswered ones empty."""
    flat = flatten(form, answers)
    relevant = conditions.relevance(form, flat)
    body: List[str] = []
    for s in form.sections:
        inner = [f"<{q.id}>{escape(text(q, flat.get(q.id)))}</{q.id}>" for q in s.questions if relevant[q.id]]
        body.append(f"<{s.id}>{''.join(inner)}</{s.id}>")
    m = "orx:" if namespaced_meta else ""
    meta = f"<{m}instanceID>{escape(_uuid(instance_id))}</{m}instanceID>"
    if deprecated_id:
        meta += f"<{m}deprecatedID>{escape(_uuid(deprecated_id))}</{m}deprecatedID>"
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<data xmlns:jr="http://openrosa.org/javarosa" '
           f'xmlns:orx="http://openrosa.org/xforms" id={quoteattr(form.id)} '
           f'version={quoteattr(version or form.version)}>'
           f"{''.join(body)}<{m}meta>{meta}</{m}meta></data>\n")
    Path(path).write_text(xml, encoding="utf-8")
    return Path(path)


def _cells(form: Form, flat: Mapping[str, Any], version: str, split: bool) -> List[str]:
    """A record's field cells, in fields() order: answers of relevant questions (with a multi-select's 0/1
    choice columns when split, all empty when unanswered), the version stamp, empty calculates and notes."""
    relevant = conditions.relevance(form, flat)
    row = []
    for _, name, is_question in fields(form):
        if not is_question:
            row.append(version if name == VERSION_STAMP else "")
            continue
        q = question(form, name)
        value = flat.get(name) if relevant[name] else None
        row.append(text(q, value))
        if split and q.kind == SELECT_MULTIPLE:
            chosen = set(value or ())
            row += ["" if not value else ("1" if c.code in chosen else "0") for c in q.choices]
    return row


def write_central_csv_zip(form: Form, records: Iterable[Record], path) -> Path:
    """An ODK Central submissions.csv.zip: {form_id}.csv, comma-separated, '-' group paths, no BOM, '\\n'."""
    header = ["SubmissionDate"] + ["-".join(groups + (name,)) for groups, name, _ in fields(form)]
    header += ["meta-instanceID", "meta-instanceName"] + CENTRAL_TAIL
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for answers, meta in records:
        instance = _uuid(meta.get("instance_id") or str(uuid.uuid4()))
        version = meta.get("version") or form.version
        writer.writerow([meta.get("submitted", "")] + _cells(form, flatten(form, answers), version, False)
                        + [instance, "", _uuid(meta.get("root_id", "")) or instance, "5", "Field team", "0", "0",
                           meta.get("status", ""), meta.get("review", ""), "", str(meta.get("edits") or 0),
                           version])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{form.id}.csv", out.getvalue().encode("utf-8"))
    return Path(path)


def kobo_id(meta: Mapping[str, str]) -> str:
    """Kobo's _id of a record: meta's id, else a number drawn from its root (or instance) id, so every
    version of one submission has the same."""
    if meta.get("id"):
        return str(meta["id"])
    key = (meta.get("root_id") or meta.get("instance_id") or "").replace("uuid:", "")
    return str(int(hashlib.sha256(key.encode()).hexdigest()[:12], 16) % 10 ** 9 + 1) if key else ""


def kobo_time(submitted: str) -> str:
    """A time as Kobo's _submission_time writes it: UTC, to the second, without an offset."""
    when = instant(submitted)
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") if when else ""


def write_kobo_csv(form: Form, records: Iterable[Record], path) -> Path:
    """A KoboToolbox CSV export as formpack writes it with "XML values and headers", group names in the
    headers joined by '/', and multiple choice as both a summary and one 0/1 column per choice: ';',
    every cell quoted, '\\r\\n'; KPI's __version__ after the form's fields, then Kobo's own columns (no
    meta/instanceID or rootUuid: an edit is a new _uuid under the same _id)."""
    header = []
    for groups, name, is_question in fields(form):
        header.append("/".join(groups + (name,)))
        q = form.question(name) if is_question else None
        if q is not None and q.kind == SELECT_MULTIPLE:
            header += ["/".join(groups + (name, c.code)) for c in q.choices]
    header += ["__version__"] + KOBO_TAIL
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header)
        for n, (answers, meta) in enumerate(records, start=1):
            own = dict(meta, instance_id=meta.get("instance_id") or str(uuid.uuid4()))
            version = meta.get("version") or form.version
            deployment = "v" + hashlib.sha256(version.encode()).hexdigest()[:21]  # KPI's id of a deployment
            writer.writerow(_cells(form, flatten(form, answers), version, True)
                            + [deployment, kobo_id(own), own["instance_id"].replace("uuid:", ""),
                               kobo_time(meta.get("submitted", "")), meta.get("review", ""), "",
                               "submitted_via_web", "", "", str(n)])
    return Path(path)
