"""XML submission instances and JSON exports (Central OData, Kobo API v2) -> Responses and Issues."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, Iterator, Mapping, Tuple, Union
from xml.etree.ElementTree import ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from ....catalogue import Code, issue
from ....model import Form, Issue, Response
from ..build import VERSION_STAMP
from .table import Plan, plan_for, respond

Record = Tuple[str, Dict[str, Any], Dict[str, str]]  # (location, flat values by path, attributes)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _flatten_xml(element, prefix: str, out: dict) -> None:
    for child in element:
        path = prefix + _local(child.tag)
        if len(child):
            _flatten_xml(child, path + "/", out)
        else:
            out[path] = child.text or ""  # as written: a text answer keeps its spaces and line breaks


def xml_records(data: bytes, source: str, location: str = "") -> Iterator[Union[Record, Issue]]:
    """The one record of an OpenRosa instance; the form is named by the root's id and version attributes."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        yield issue(Code.UNSAFE_XML, source, location, reason=type(exc).__name__)
        return
    except ParseError as exc:
        yield issue(Code.UNREADABLE, source, location, reason=f"not well-formed XML ({exc})")
        return
    if _local(root.tag) == "html":
        yield issue(Code.UNREADABLE, source, location, reason="an XForm form definition, not a submission")
        return
    flat: Dict[str, Any] = {}
    _flatten_xml(root, "", flat)
    yield location, flat, {"form_id": root.get("id", ""), "version": root.get("version", "")}


def _flatten_json(obj: Mapping[str, Any], prefix: str, out: dict) -> None:
    for key, value in obj.items():
        if key == "_validation_status" and isinstance(value, Mapping):
            out[prefix + key] = value.get("uid") or ""  # Kobo's review state: {"uid", "label", ...} or {}
        elif isinstance(value, Mapping) and not key.startswith("@"):
            _flatten_json(value, f"{prefix}{key}/", out)
        else:
            out[prefix + key] = value


def json_records(data: bytes, source: str, prefix: str = "") -> Iterator[Union[Record, Issue]]:
    """Records of a Central OData page ({"value": [...]}, nested groups) or Kobo API v2 ({"results": [...]})."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        yield issue(Code.UNREADABLE, source, prefix, reason=f"not JSON ({exc})")
        return
    rows = doc.get("value", doc.get("results")) if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        yield issue(Code.UNREADABLE, source, prefix, reason="no 'value' or 'results' list of submissions")
        return
    context = doc.get("@odata.context", "") if isinstance(doc, dict) else ""
    found = re.search(r"/forms/([^/]+?)\.svc", context)
    form_id = found.group(1) if found else ""
    for n, row in enumerate(rows, start=1):
        where = f"{prefix}record {n}"
        if not isinstance(row, Mapping):
            yield issue(Code.BAD_SHAPE, source, where, reason="a submission must be a JSON object")
            continue
        flat: Dict[str, Any] = {}
        _flatten_json(row, "", flat)
        yield where, {k: v for k, v in flat.items() if not isinstance(v, (list, dict))}, {"form_id": form_id}


def read_records(records: Iterable[Union[Record, Issue]], forms: Mapping[str, Form], source: str,
                 deprecated: Dict[str, str]) -> Iterator[Union[Response, Issue]]:
    """Responses of records; one plan per distinct set of keys, so a header problem is told once.

    deprecated collects instance id -> the id it replaces (XML edits), for the caller's chain."""
    plans: Dict[tuple, Plan] = {}
    told = False
    for record in records:
        if isinstance(record, Issue):
            yield record
            continue
        location, flat, attrs = record
        keys = tuple(flat)
        if keys not in plans:
            plans[keys] = plan_for(forms, keys, source, f"{location}, " if location else "")
            yield from plans[keys].problems
        plan, row = plans[keys], list(flat.values())
        if not told and not attrs.get("version") and _falls_back(plan, row):
            told = True
            yield issue(Code.VERSION_FALLBACK, source, location, version=plan.form.version,
                        reason=f"this file's records have no '{VERSION_STAMP}', the form's own version, and "
                               "'__version__' holds KoboToolbox's deployment id, not a form version")
        yield from respond(plan, forms, row, source, location, attrs.get("form_id", ""), attrs.get("version", ""),
                           deprecated)


def _falls_back(plan: Plan, row) -> bool:
    """Whether a record names its version only by a deployment id, so it is read as the newest version."""
    return not plan.version(row) and bool(plan.get(row, "deployment"))
