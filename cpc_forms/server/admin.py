"""The coordinator's routes (behind the token): list, export as CSV and JSON, live scores, health."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading
from typing import Iterator, Mapping

from flask import Blueprint, current_app, jsonify, request
from flask import Response as HTTPResponse

from .. import ingest
from ..answers import flatten
from ..catalogue import Code, issue
from ..model import Form, Issue, Report
from ..report import html as report_html
from ..report.neutral import neutralise
from .submit import answer, language

admin = Blueprint("admin", __name__, url_prefix="/admin")
META = ("id", "instance_id", "form_id", "form_version", "language", "started", "submitted", "received")
SCORES_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; " \
             "base-uri 'none'; form-action 'none'"
MAX_OFFSET = 2 ** 63 - 1  # SQLite's largest integer
LANGUAGE = "CPC_ADMIN_LANGUAGE"  # the app's config key of the admin pages' default language (create_app's language)


class BadParameter(ValueError):
    """A query parameter the route cannot use; answered 400 with the problem."""

    def __init__(self, problem: Issue):
        super().__init__(problem.message)
        self.problem = problem


@admin.errorhandler(BadParameter)
def bad_parameter(exc: BadParameter):
    """400 with the problem, in the shape of every other refusal."""
    return jsonify(answer([exc.problem], spoken())), 400


def whole(name: str, default: int, low: int, high: int) -> int:
    """A query parameter that must be a whole number from low to high (default when absent), else BadParameter."""
    text = request.args.get(name)
    if text is None:
        return default
    if text.isascii() and text.isdigit() and len(text) <= len(str(high)) and low <= int(text) <= high:
        return int(text)
    raise BadParameter(issue(Code.BAD_PARAMETER, "request", name, name=name,
                             reason=f"expected a whole number from {low} to {high}, not {text[:30]!r}"))


def state():
    """What the routes of the running app share (its Hosting)."""
    return current_app.extensions["cpc_forms"]


def spoken() -> str:
    """The language to answer this request in: its Accept-Language among the form's languages, else the form's."""
    return language(request.headers.get("Accept-Language"), state().form)


@admin.get("/health")
def health():
    """Liveness and the numbers a coordinator watches."""
    s = state()
    count, last, history = s.store.state()
    return jsonify(status="ok", form_id=s.form.id, form_version=s.form.version, submissions=count,
                   history=history, last_received=last)


@admin.get("/submissions")
def listing():
    """Metadata of stored submissions, never their answers; ?limit= (at most 10000) and ?offset=."""
    limit, offset = whole("limit", 1000, 1, 10000), whole("offset", 0, 0, MAX_OFFSET)
    s = state()
    return jsonify(total=s.store.count(), limit=limit, offset=offset, submissions=s.store.listing(limit, offset))


def csv_rows(form: Form, envelopes) -> Iterator[str]:
    """The export as CSV lines: metadata, then one column per question id; text neutralised against formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    questions = [q.id for q in form.questions]
    writer.writerow(META + tuple(questions))
    yield "\ufeff" + out.getvalue()  # the BOM makes spreadsheets read the file as UTF-8
    for sid, received, env in envelopes:
        out.seek(0)
        out.truncate()
        flat = flatten(form, env.get("answers") or {})
        values = [sid] + [env.get(k, "") for k in META[1:-1]] + [received]
        values += [" ".join(map(str, v)) if isinstance(v, list) else v for v in (flat.get(q, "") for q in questions)]
        writer.writerow([neutralise(v) for v in values])
        yield out.getvalue()


@admin.get("/export.csv")
def export_csv():
    """Every stored submission, one row each (the current edit), for a spreadsheet."""
    s = state()
    stamp = dt.date.today().isoformat()
    return HTTPResponse(csv_rows(s.form, s.store.envelopes()), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{s.form.id}-{stamp}.csv"'})


def json_export(envelopes) -> Iterator[str]:
    """{"returns": [envelope, ...]}: the shape the web form's reader (and the scorer) reads back."""
    yield '{"returns": ['
    for n, (_, _, env) in enumerate(envelopes):
        yield ("," if n else "") + "\n" + json.dumps(env, ensure_ascii=False)
    yield "\n]}\n"


@admin.get("/export.json")
def export_json():
    """Every stored submission as the web form's return envelope."""
    s = state()
    stamp = dt.date.today().isoformat()
    return HTTPResponse(json_export(s.store.envelopes()), mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="{s.form.id}-{stamp}.json"'})


def build_report(form: Form, forms: Mapping[str, Form], path) -> Report:
    """The scoring run of `cpc-forms score` on the database: read, score, aggregate."""
    return ingest.run([path], form, forms)


class ScoresCache:
    """The rendered scores page per language, rebuilt only when the database has changed."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pages: dict = {}

    def page(self, s, language: str) -> str:
        """A coordinator page in the shared layout."""
        key = (s.store.state(), language)
        with self._lock:
            if key not in self._pages:
                report = build_report(s.form, s.forms, s.store.path)
                self._pages = {k: v for k, v in self._pages.items() if k[0] == key[0]}
                self._pages[key] = report_html.render(report, language)
            return self._pages[key]


def default_language(form: Form) -> str:
    """The admin pages' language when a page asks for none: the one `serve --lang` gave, when the form has it;
    else the form's default language."""
    given = current_app.config.get(LANGUAGE)
    return given if given in form.languages else form.default_language


@admin.get("/scores")
def scores():
    """The live scores page: the scoring report of everything stored; ?lang= picks its language."""
    s = state()
    language = request.args.get("lang") if request.args.get("lang") in s.form.languages else default_language(s.form)
    resp = HTTPResponse(s.scores.page(s, language), mimetype="text/html")
    resp.headers["Content-Security-Policy"] = SCORES_CSP
    return resp

