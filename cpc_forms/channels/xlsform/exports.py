"""Writers of what the field servers hand back, from answers: for the demo and the cross-channel tests.

records are iterables of (answers, meta); answers flat (question id -> value) or nested by section;
meta keys: instance_id, root_id (Central KEY / Kobo rootUuid, default instance_id), deprecated_id,
submitted (ISO time) and version (default the form's).
"""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Tuple
from xml.sax.saxutils import escape, quoteattr

from ... import conditions
from ...model import SELECT_MULTIPLE, Form, Question
from ...report.neutral import neutralise
from ...answers import flatten
from .build import VERSION_STAMP

Record = Tuple[Mapping[str, Any], Mapping[str, str]]
CENTRAL_TAIL = ["KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                "ReviewState", "DeviceID", "Edits", "FormVersion"]
KOBO_TAIL = ["__version__", "meta/instanceID", "meta/rootUuid", "_id", "_uuid", "_submission_time",
             "_validation_status", "_notes", "_status", "_submitted_by", "_tags", "_index"]


def text(q: Question, value: Any) -> str:
    """A value as ODK writes it: multi-select codes joined by spaces, numbers plain."""
    if value is None:
        return ""
    if q.kind == SELECT_MULTIPLE:
        return " ".join(map(str, value))
    return str(value)


def _uuid(value: str) -> str:
    return value if not value or value.startswith("uuid:") else "uuid:" + value


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
           f'xmlns:orx="http://openrosa.org/xforms" id={quoteattr(form.id)} version={quoteattr(version or form.version)}>'
           f"{''.join(body)}<{m}meta>{meta}</{m}meta></data>\n")
    Path(path).write_text(xml, encoding="utf-8")
    return Path(path)


def _cells(form: Form, flat: Mapping[str, Any], split: bool) -> List[str]:
    relevant = conditions.relevance(form, flat)
    row = []
    for q in form.questions:
        value = flat.get(q.id) if relevant[q.id] else None
        row.append(neutralise(text(q, value)))
        if split and q.kind == SELECT_MULTIPLE:
            chosen = set(value or ())
            row += ["" if value is None else ("1" if c.code in chosen else "0") for c in q.choices]
    return row


def write_central_csv_zip(form: Form, records: Iterable[Record], path) -> Path:
    """An ODK Central submissions.csv.zip: {form_id}.csv, comma-separated, '-' group paths, no BOM."""
    header = ["SubmissionDate"] + [f"{q.section}-{q.id}" for q in form.questions]
    header += ["meta-instanceID", "meta-instanceName"] + CENTRAL_TAIL
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for answers, meta in records:
        instance = _uuid(meta.get("instance_id", ""))
        writer.writerow([meta.get("submitted", "")] + _cells(form, flatten(form, answers), False)
                        + [instance, "", _uuid(meta.get("root_id", "")) or instance, "5", "Field team", "0", "0",
                           "", "", "", "0", meta.get("version", form.version)])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{form.id}.csv", out.getvalue().encode("utf-8"))
    return Path(path)


def write_kobo_csv(form: Form, records: Iterable[Record], path) -> Path:
    """A KoboToolbox CSV export (XML values and headers): ';', every cell quoted, '/' groups, split selects."""
    header = ["start", "end"]
    for q in form.questions:
        header.append(f"{q.section}/{q.id}")
        if q.kind == SELECT_MULTIPLE:
            header += [f"{q.section}/{q.id}/{c.code}" for c in q.choices]
    header += [VERSION_STAMP] + KOBO_TAIL
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(header)
        for n, (answers, meta) in enumerate(records, start=1):
            instance = meta.get("instance_id", "").replace("uuid:", "")
            root = _uuid(meta.get("root_id", "") or instance)
            version = meta.get("version", form.version)
            # Kobo fills __version__ with its own deployment id; our version travels in the stamp column.
            deployment = "v" + hashlib.sha256(version.encode()).hexdigest()[:21]
            writer.writerow(["", ""] + _cells(form, flatten(form, answers), True)
                            + [version, deployment, _uuid(instance), root, str(n), instance,
                               meta.get("submitted", ""), "", "", "submitted_via_web", "", "", str(n)])
    return Path(path)
