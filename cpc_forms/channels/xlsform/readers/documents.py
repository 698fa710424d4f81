"""XML submission instances and JSON exports (Central OData, Kobo API v2) -> Responses and Issues."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Tuple, Union
from xml.etree.ElementTree import ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from .... import inputs
from ....catalogue import Code, issue
from ....limits import DEPTH, json_int
from ....model import Form, Issue, Response
from ..build import VERSION_STAMP
from .table import Plan, plan_for, respond

Record = Tuple[str, Dict[str, Any], Dict[str, str]]  # (location, flat values by path, attributes)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _flatten_xml(root) -> Union[Dict[str, Any], int]:
    """Leaf path -> text, walked without recursion; the depth reached when it passes DEPTH."""
    out: Dict[str, Any] = {}
    stack = [(child, "", 1) for child in reversed(root)]
    while stack:
        element, prefix, depth = stack.pop()
        if depth > DEPTH:
            return depth
        path = prefix + _local(element.tag)
        if len(element):
            stack += [(child, path + "/", depth + 1) for child in reversed(element)]
        else:
            out[path] = element.text or ""  # as written: a text answer keeps its spaces and line breaks
    return out


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
        yield issue(Code.OWN_FILE, source, location, what="an XForm (a form definition)")
        return
    if not root.get("id"):
        yield issue(Code.NOT_A_RETURN, source, location, reason=f"an XML document <{_local(root.tag)}> without "
                    "the form id an ODK submission carries on its root (id=\"...\")")
        return
    flat = _flatten_xml(root)
    if isinstance(flat, int):
        yield issue(Code.TOO_DEEP, source, location, what="the XML document", limit=DEPTH)
        return
    yield location, flat, {"form_id": root.get("id", ""), "version": root.get("version", "")}


def _flatten_json(obj: Mapping[str, Any]) -> Union[Dict[str, Any], int]:
    """Path -> value of a JSON submission's groups, in document order, walked without recursion; the depth
    reached when it passes DEPTH."""
    out: Dict[str, Any] = {}
    stack: List[Tuple[Iterator, str]] = [(iter(obj.items()), "")]
    while stack:
        items, prefix = stack[-1]
        for key, value in items:
            if key == "_validation_status" and isinstance(value, Mapping):
                out[prefix + key] = value.get("uid") or ""  # Kobo's review state: {"uid", "label", ...} or {}
            elif isinstance(value, Mapping) and not key.startswith("@"):
                if len(stack) >= DEPTH:
                    return len(stack) + 1
                stack.append((iter(value.items()), f"{prefix}{key}/"))
                break
            else:
                out[prefix + key] = value
        else:
            stack.pop()
    return out


def json_records(data: bytes, source: str, prefix: str = "") -> Iterator[Union[Record, Issue]]:
    """Records of a Central OData page ({"value": [...]}, nested groups) or Kobo API v2 ({"results": [...]})."""
    whole = prefix.rstrip(": ")  # where a problem of the whole document is: the member's name, in a zip
    if inputs.utf16(data[:512]):
        yield issue(Code.UTF16_TEXT, source, whole)
        return
    try:
        doc = json.loads(data.decode("utf-8-sig"), parse_int=json_int)
    except json.JSONDecodeError as exc:
        yield issue(Code.INVALID_JSON, source, prefix + f"{exc.lineno}:{exc.colno}", reason=exc.msg,
                    line=exc.lineno, column=exc.colno)
        return
    except UnicodeDecodeError as exc:
        yield issue(Code.UNREADABLE, source, whole, reason=f"not UTF-8 text (byte {exc.start}): save it as UTF-8")
        return
    except RecursionError:
        yield issue(Code.TOO_DEEP, source, whole, what="the JSON document", limit=DEPTH)
        return
    rows = doc.get("value", doc.get("results")) if isinstance(doc, dict) else doc
    if not isinstance(rows, list):
        yield issue(Code.UNREADABLE, source, whole, reason="no 'value' or 'results' list of submissions")
        return
    if not rows:
        yield issue(Code.NO_RETURNS, source, whole, reason="its list of submissions is empty")
    context = doc.get("@odata.context", "") if isinstance(doc, dict) else ""
    found = re.search(r"/forms/([^/]+?)\.svc", context) if isinstance(context, str) else None
    form_id = found.group(1) if found else ""
    for n, row in enumerate(rows, start=1):
        where = f"{prefix}record {n}"
        if not isinstance(row, Mapping):
            yield issue(Code.BAD_SHAPE, source, where, reason="a submission must be a JSON object")
            continue
        flat = _flatten_json(row)
        if isinstance(flat, int):
            yield issue(Code.TOO_DEEP, source, where, what="the submission", limit=DEPTH)
            continue
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
