"""The web form's JSON returns: the envelope, writing one from Python, sniffing and reading them back."""
from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any, Iterator, List, Mapping, Optional, Union

from ... import conditions
from ...answers import answered, flatten, nest
from ...catalogue import Code, issue
from ...inputs import utf16
from ...limits import DEPTH, deeper_than, json_int
from ...model import Form, Issue, Response
from ...returns import make_response, pick_form

CHANNEL = "html"
MAX_BYTES = 32 * 1024 * 1024  # a file of about 15,000 returns; anything bigger is refused unread
META = ("form_id", "form_version", "language", "instance_id", "started", "submitted")


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def envelope(form: Form, answers: Mapping[str, Any], language: Optional[str] = None,
             instance_id: Optional[str] = None, submitted: Optional[str] = None,
             started: Optional[str] = None) -> dict:
    """The return the web form downloads and posts; unanswered and non-relevant questions left out."""
    flat = flatten(form, answers)
    relevant = conditions.relevance(form, flat)
    kept = {q.id: flat[q.id] for q in form.questions if relevant[q.id] and answered(flat.get(q.id))}
    submitted = submitted or _now()
    return {"form_id": form.id, "form_version": form.version, "language": language or form.default_language,
            "instance_id": instance_id or f"uuid:{uuid.uuid4()}", "started": started or submitted,
            "submitted": submitted, "answers": nest(form, kept)}


def write_return(form: Form, answers: Mapping[str, Any], path, language: Optional[str] = None,
                 instance_id: Optional[str] = None, submitted: Optional[str] = None) -> Path:
    """Write one return as the web form would download it."""
    path = Path(path)
    data = envelope(form, answers, language, instance_id, submitted)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def _head(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(4096)


def sniff(path, head: bytes) -> bool:
    """Whether a file (or a folder of files) holds web form returns."""
    path = Path(path)
    if path.is_dir():
        return any(sniff(p, _head(p)) for p in sorted(path.glob("*.json")))
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start in (b"{", b"[") and b'"form_id"' in head


def _parse(path: Path) -> Union[Any, Issue]:
    size = path.stat().st_size
    if size > MAX_BYTES:
        return issue(Code.TOO_LARGE, path, size=f"{size / 2**20:.1f}", limit=f"{MAX_BYTES / 2**20:.0f}")
    data = path.read_bytes()
    if utf16(data[:512]):
        return issue(Code.UTF16_TEXT, path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return issue(Code.UNREADABLE, path, reason=f"not UTF-8 text (byte {exc.start}): save it as UTF-8")
    try:
        doc = json.loads(text, parse_int=json_int)
    except json.JSONDecodeError as exc:
        return issue(Code.INVALID_JSON, path, f"{exc.lineno}:{exc.colno}", reason=exc.msg,
                     line=exc.lineno, column=exc.colno)
    except RecursionError:
        return issue(Code.TOO_DEEP, path, what="the JSON document", limit=DEPTH)
    return issue(Code.TOO_DEEP, path, what="the JSON document", limit=DEPTH) if deeper_than(doc, DEPTH) else doc


def _envelopes(doc: Any) -> Optional[List[Any]]:
    if isinstance(doc, dict) and "answers" not in doc and isinstance(doc.get("returns"), list):
        return doc["returns"]
    if isinstance(doc, list):
        return doc
    return [doc] if isinstance(doc, dict) else None


def read_envelope(item: Any, forms: Mapping[str, Form], source: str, location: str,
                  channel: str = CHANNEL) -> Iterator[Union[Response, Issue]]:
    """The Response (or Issues) of one JSON return envelope, wherever it was kept."""
    if not isinstance(item, dict) or not isinstance(item.get("answers"), dict) \
            or not all(isinstance(item.get(k), str) for k in ("form_id", "form_version")):
        yield issue(Code.BAD_SHAPE, source, location,
                    reason="expected a return: an object with form_id, form_version and answers")
        return
    form, problems = pick_form(forms, item["form_id"], item["form_version"], source, location)
    if form is None:
        yield from problems
        return
    instance_id, submitted, language = (str(item.get(k) or "") for k in ("instance_id", "submitted", "language"))
    response, found = make_response(forms, flatten(form, item["answers"]), form_id=item["form_id"],
                                    version=item["form_version"], source=source, location=location,
                                    channel=channel, instance_id=instance_id, submitted=submitted, language=language)
    yield from found
    if response is not None:
        yield response


def read(path, forms: Mapping[str, Form]) -> Iterator[Union[Response, Issue]]:
    """Every return in a JSON file (one envelope, a list of them, or {"returns": [...]}) or a folder of them."""
    path = Path(path)
    if path.is_dir():
        for child in sorted(path.rglob("*.json")):
            yield from read(child, forms)
        return
    doc = _parse(path)
    if isinstance(doc, Issue):
        yield doc
        return
    items = _envelopes(doc)
    if items is None:
        yield issue(Code.BAD_SHAPE, path, reason="expected a return, a list of returns or {\"returns\": [...]}")
        return
    if not items:
        yield issue(Code.NO_RETURNS, path, reason="an empty list of returns")
    for n, item in enumerate(items):
        where = "" if isinstance(doc, dict) and items == [doc] else f"returns[{n}]"
        yield from read_envelope(item, forms, str(path), where)
