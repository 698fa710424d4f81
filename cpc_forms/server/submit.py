"""POST /submissions: a JSON return checked whole (JSON, envelope, answers against the spec), then stored
in one transaction. Every problem is reported at once; nothing is stored unless everything is right.

The first submission of a return is given an edit token; a later submission of other answers under the same
instance id must carry it, so that knowing an instance id is not enough to replace someone's answers."""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, List, Mapping, Optional, Tuple

from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from .. import strings
from ..answers import flatten, nest
from ..catalogue import Code, issue
from ..model import Form, Issue
from ..returns import instant, make_response, pick_form
from ..store import CREATED, REFUSED, Store

SOURCE = "submission"
ENVELOPE = ("form_id", "form_version", "language", "instance_id", "started", "submitted", "answers")
TOKEN = "edit_token"  # sent beside the envelope, never stored in it (nor in a downloaded file)
INSTANCE_ID = re.compile(r"^uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class Refusal(Exception):
    """A submission refused with an HTTP status and the problems that explain it."""

    def __init__(self, status: int, problems: List[Issue]):
        super().__init__(status)
        self.status, self.problems = status, problems


def language(accept: Optional[str], form: Form) -> str:
    """The form language an Accept-Language header prefers ("fr-CA" is served "fr"), else the form's default."""
    wanted = parse_accept_header(accept or "", LanguageAccept)
    return wanted.best_match(form.languages) or form.default_language


def say(language: str, key: str, **params) -> str:
    """One of the server's own texts (generators/server/strings.json) in the language of the request."""
    return strings.text(strings.SERVER, language, key, **params)


def answer(problems: List[Issue], language: str, **fields) -> dict:
    """The JSON body of an answer: a one-line message, then every problem with its code and place."""
    errors = [p for p in problems if p.severity == "error"]
    message = "; ".join(p.message for p in errors[:3])
    if len(errors) > 3:
        message = say(language, "more", problems=message, count=len(errors) - 3)
    message = fields.pop("message", message)
    return {"message": message, **fields,
            "problems": [{"code": p.code, "severity": p.severity, "location": p.location, "message": p.message}
                         for p in problems]}


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _DuplicateKey(next(k for k in keys if keys.count(k) > 1))
    return dict(pairs)


def _no_constant(name):
    raise ValueError(name)


def parse_json(body: bytes) -> Any:
    """The JSON document of a request body, or Refusal(400) saying why not."""
    try:
        text = body.decode("utf-8-sig")
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except UnicodeDecodeError as exc:
        problem = issue(Code.UNREADABLE, SOURCE, reason=f"not UTF-8 text ({exc.reason})")
    except json.JSONDecodeError as exc:
        problem = issue(Code.INVALID_JSON, SOURCE, f"{exc.lineno}:{exc.colno}", reason=exc.msg, line=exc.lineno,
                        column=exc.colno)
    except RecursionError:
        problem = issue(Code.UNREADABLE, SOURCE, reason="JSON nested too deeply")
    except _DuplicateKey as exc:
        problem = issue(Code.DUPLICATE_KEY, SOURCE, key=str(exc)[:50])
    except ValueError as exc:  # NaN, Infinity: Python's JSON reads them, JSON has no such numbers
        problem = issue(Code.BAD_SHAPE, SOURCE, reason=f"{exc} is not a JSON number")
    raise Refusal(400, [problem])


def envelope_issues(doc: Any, form: Form) -> List[Issue]:
    """Problems of the envelope around the answers: its fields, their types and formats."""
    if not isinstance(doc, dict):
        return [issue(Code.BAD_SHAPE, SOURCE, reason="expected a return: an object with form_id, form_version, "
                                                  "instance_id, submitted and answers")]
    found = [issue(Code.BAD_ENVELOPE, SOURCE, key[:50], field=key[:50], reason="is not part of a return")
             for key in doc if key not in ENVELOPE and key != TOKEN]

    def bad(field, reason):
        found.append(issue(Code.BAD_ENVELOPE, SOURCE, field, field=field, reason=reason))

    for field in ("form_id", "form_version", "instance_id", "submitted"):
        if not isinstance(doc.get(field), str) or not doc[field]:
            bad(field, "a text is required")
    for field in ("language", "started"):
        if doc.get(field) is not None and not isinstance(doc[field], str):
            bad(field, "must be a text")
    if isinstance(doc.get("instance_id"), str) and not INSTANCE_ID.match(doc["instance_id"]):
        bad("instance_id", "expected 'uuid:' and a lower-case UUID")
    for field in ("submitted", "started"):
        if isinstance(doc.get(field), str) and doc[field] and instant(doc[field]) is None:
            bad(field, "expected an ISO 8601 date and time")
    if doc.get("language") and isinstance(doc["language"], str) and doc["language"] not in form.languages:
        bad("language", f"expected one of {', '.join(form.languages)}")
    if doc.get(TOKEN) is not None and (not isinstance(doc[TOKEN], str) or len(doc[TOKEN]) > 100):
        bad(TOKEN, "must be the text the first submission was given")
    if not isinstance(doc.get("answers"), dict):
        bad("answers", "an object of answers by section is required")
    elif not any(doc["answers"].values()):
        found.append(issue(Code.NO_ANSWERS, SOURCE, "answers"))
    return found


def clamp_times(stored: dict, now: dt.datetime) -> List[Issue]:
    """Times later than the server's clock set to it: a year-9999 time would outrank every real later edit."""
    found = []
    for field in ("started", "submitted"):
        when = instant(stored[field])
        if when is not None and when > now:
            clock = now.isoformat(timespec="seconds")
            found.append(issue(Code.FUTURE_TIME, SOURCE, field, field=field, found=stored[field][:40], now=clock))
            stored[field] = clock
    return found


def accept(body: bytes, forms: Mapping[str, Form], store: Store, language: str) -> Tuple[int, dict]:
    """(HTTP status, JSON body) for one posted return: 201 stored, 200 acknowledged again, or Refusal; the message
    in the language of the request."""
    doc = parse_json(body)
    problems = envelope_issues(doc, next(iter(forms.values())))
    if problems:
        raise Refusal(400, problems)
    form, problems = pick_form(forms, doc["form_id"], doc["form_version"], SOURCE)
    if form is None:
        raise Refusal(422, problems)
    response, problems = make_response(forms, flatten(form, doc["answers"]), form_id=doc["form_id"],
                                       version=doc["form_version"], source=SOURCE)
    if response is None:
        raise Refusal(422, problems)
    if not response.answers:
        raise Refusal(422, [issue(Code.NO_ANSWERS, SOURCE, "answers")])
    stored = {k: doc.get(k) or "" for k in ENVELOPE[:-1]}
    problems += clamp_times(stored, dt.datetime.now(dt.timezone.utc))
    stored["answers"] = nest(form, response.answers)
    token = doc.get(TOKEN) or ""
    receipt = store.put(stored, token=token)
    if receipt.status == REFUSED:
        raise Refusal(403, [issue(Code.EDIT_REFUSED, SOURCE, TOKEN, reason="the edit token sent is not this return's"
                                  if token else "none was sent")])
    status = 201 if receipt.status == CREATED else 200
    given = {TOKEN: receipt.token} if receipt.token else {}
    return status, answer(problems, language, message=say(language, receipt.status, id=receipt.id), id=receipt.id,
                          instance_id=doc["instance_id"], status=receipt.status, **given)
