"""The hosted web form: respondents open it and submit; the coordinator lists, exports and scores.

create_app() builds the Flask application; serve() runs it under waitress."""
from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from flask import Flask, abort, g, jsonify, request
from flask import Response as HTTPResponse
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .. import strings
from ..catalogue import Code, issue
from ..channels import html as web
from ..model import Form
from ..spec import form_versions
from ..store import Store
from . import guard
from .admin import LANGUAGE, ScoresCache, admin, spoken, state
from .submit import Refusal, accept, answer, say

MAX_BYTES = 256 * 1024  # a full return of the assessment is about 5 KB


@dataclass(frozen=True)
class Hosting:
    """What the routes share: the form and its known versions, the store, the token, the limits."""
    form: Form
    forms: Mapping[str, Form]
    store: Store
    token: str
    token_generated: bool
    limit: guard.RateLimit
    scores: ScoresCache = field(default_factory=ScoresCache)
    pages: dict = field(default_factory=dict)


def page(form: Form, submit_url: str, language: str):
    """The form page and its CSP: scripts and styles only by the hash of the page's own inline blocks."""
    html = web.render(form, submit_url=submit_url, language=language)
    hashes = " ".join(web.inline_hashes(html))
    csp = (f"default-src 'none'; script-src {hashes}; style-src {hashes}; img-src 'self' data:; "
           "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    return html, csp


def create_app(form: Form, db_path, admin_token: Optional[str] = None, *, forms: Optional[Mapping[str, Form]] = None,
               max_bytes: int = MAX_BYTES, rate_per_minute: float = 120, burst: int = 60, proxies: int = 0,
               language: Optional[str] = None) -> Flask:
    """The Flask application hosting one form, storing into the SQLite file db_path.

    admin_token None: $CPC_ADMIN_TOKEN, else a random one (app.extensions['cpc_forms'].token_generated).
    proxies: how many reverse proxies in front whose X-Forwarded-* headers are to be trusted.
    language: the admin pages' language when a page asks for none (default: the form's)."""
    token, generated = guard.resolve_token(admin_token)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=max_bytes)
    if language:
        app.config[LANGUAGE] = language
    if isinstance(app.json, DefaultJSONProvider):  # Flask's own provider, unless an extension replaced it
        app.json.sort_keys = False
    app.extensions["cpc_forms"] = Hosting(form, dict(forms or form_versions(form)), Store(db_path), token, generated,
                                          guard.RateLimit(rate_per_minute, burst))
    app.register_blueprint(admin)
    _routes(app)
    _hooks(app)
    if proxies:
        # Flask's documented way to put middleware around its WSGI application
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)
    return app


def _routes(app: Flask) -> None:
    @app.get("/")
    @app.get("/<lang>/")
    def form_page(lang=None):
        s = state()
        if lang is not None and lang not in s.form.languages:
            abort(404)
        language = lang or spoken()
        key = (language, request.script_root)
        if key not in s.pages:
            s.pages[key] = page(s.form, request.script_root + "/submissions", language)
        html, csp = s.pages[key]
        resp = HTTPResponse(html, mimetype="text/html")
        resp.headers.update({"Content-Security-Policy": csp, "Cache-Control": "no-cache", "Vary": "Accept-Language"})
        return resp

    @app.get("/favicon.ico")
    def favicon():
        return "", 204  # browsers ask for one; an empty answer keeps the log and the console clean

    @app.post("/submissions")
    def submissions():
        s = state()
        if request.mimetype != "application/json":
            return _refused(415, issue(Code.WRONG_TYPE, "submission", found=request.mimetype or "(none)"))
        try:
            status, body = accept(request.get_data(cache=False), s.forms, s.store, spoken())
        except Refusal as refusal:
            return jsonify(answer(refusal.problems, spoken())), refusal.status
        return jsonify(body), status


def _refused(status: int, problem):
    return jsonify(answer([problem], spoken())), status


def _hooks(app: Flask) -> None:
    @app.before_request
    def gate():
        g.started = time.perf_counter()
        s = state()
        allowed, wait = s.limit.allow(request.remote_addr or "")
        if not allowed:
            resp, status = _refused(429, issue(Code.RATE_LIMITED, "request", seconds=wait))
            resp.headers["Retry-After"] = str(wait)
            return resp, status
        if request.path == "/admin" or request.path.startswith("/admin/"):
            if not guard.token_ok(request.headers.get("Authorization", ""), s.token):
                resp = jsonify(message=say(spoken(), "unauthorized"))
                resp.headers["WWW-Authenticate"] = 'Basic realm="cpc-forms coordinator", charset="UTF-8"'
                return resp, 401

    @app.after_request
    def finish(resp):
        guard.secure(resp)
        guard.log_request(request.remote_addr or "-", request.method, request.path, resp.status_code,
                          resp.calculate_content_length(), g.get("started", time.perf_counter()))
        return resp

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code == 413:
            return _refused(413, issue(Code.BODY_TOO_LARGE, "submission", limit=app.config["MAX_CONTENT_LENGTH"]))
        # the statuses these routes can give have a text of ours; any other keeps the HTTP library's name
        return jsonify(message=strings.texts(strings.SERVER, spoken()).get(f"http_{exc.code}", exc.name)), exc.code

    @app.errorhandler(Exception)
    def crash(exc):
        # the exception's text may quote an answer: log its type and place only
        guard.log.error("internal error %s at %s\n%s", type(exc).__name__, request.path,
                        "".join(traceback.format_tb(exc.__traceback__)))
        return jsonify(message=say(spoken(), "internal_error")), 500


def serve(form: Form, db_path, host: str = "127.0.0.1", port: int = 8000, admin_token: Optional[str] = None, *,
          threads: int = 8, proxies: int = 0, echo: Callable[[str], None] = print,
          limits: Optional[Mapping[str, Any]] = None, **options) -> None:
    """Run the hosted form under waitress until stopped; prints the address, and the token if it made one.

    limits: waitress settings over listen.LIMITS; options: create_app's."""
    import logging

    from waitress.server import MultiSocketServer

    from .listen import make_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(form, db_path, admin_token, proxies=proxies, **options)
    s = app.extensions["cpc_forms"]
    server = make_server(app, host, port, threads=threads, proxies=proxies, **(limits or {}))
    # a host name with several addresses (localhost: IPv4 and IPv6) gets a socket each, listed in effective_listen
    listening = (server.effective_listen[0][1] if isinstance(server, MultiSocketServer)
                 else server.effective_port)  # type: ignore[attr-defined]  # set by waitress, left out of its stubs
    echo(f"cpc-forms: serving {form.id} {form.version} at http://{host}:{listening}/ "
         f"(database {Path(db_path).resolve()})")
    if s.token_generated:
        echo(f"cpc-forms: coordinator token (shown only now): {s.token}")
    server.run()
