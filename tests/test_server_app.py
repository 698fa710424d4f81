"""The hosting app's routes through Flask's test client: form pages, submissions, exports and live scores."""
from __future__ import annotations

import csv
import io
import json
import random
from html.parser import HTMLParser

import pytest

from cpc_forms.answers import flatten
from cpc_forms.channels import html as web
from cpc_forms.model import Response
from cpc_forms.returns import unquote_defensive
from cpc_forms.scoring import score_return
from cpc_forms.server import create_app
from cpc_forms.server.admin import build_report
from cpc_forms.synth import random_answers

TOKEN = "coordinator-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Page(HTMLParser):
    """The parts of a page the tests look at: the root language, script blocks by id, table rows."""

    def __init__(self, text):
        super().__init__()
        self.lang, self.scripts, self.rows, self._in = None, {}, [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "script":
            self._in = ("script", attrs.get("id") or f"#{len(self.scripts)}")
            self.scripts[self._in[1]] = ""
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._in = ("cell", None)
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag in ("script", "td", "th"):
            self._in = None

    def handle_data(self, data):
        if self._in and self._in[0] == "script":
            self.scripts[self._in[1]] += data
        elif self._in and self._in[0] == "cell":
            self.rows[-1][-1] += data.strip()


@pytest.fixture
def app(any_form, tmp_path):
    return create_app(any_form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0)


def _send(client, form, seed, **changes):
    sent = web.envelope(form, random_answers(form, random.Random(seed)))
    sent.update(changes)
    return sent, client.post("/submissions", json=sent)


def _csp_sources(csp, directive):
    part = next(p.strip() for p in csp.split(";") if p.strip().startswith(directive + " "))
    return set(part.split()[1:])


def test_each_language_gets_its_page_with_the_submit_url_and_a_hash_only_csp(app):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    for lang in form.languages:
        resp = client.get(f"/{lang}/")
        assert resp.status_code == 200 and resp.mimetype == "text/html"
        html = resp.get_data(as_text=True)
        page = Page(html)
        assert page.lang == lang
        data = json.loads(page.scripts["cpc-data"])
        assert (data["form_id"], data["form_version"], data["submit_url"]) == (form.id, form.version, "/submissions")
        csp = resp.headers["Content-Security-Policy"]
        assert _csp_sources(csp, "script-src") == set(web.inline_hashes(html))
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert _csp_sources(csp, "connect-src") == {"'self'"}
    assert client.get("/xx/").status_code == 404


def test_the_root_page_follows_accept_language(form, tmp_path):
    client = create_app(form, tmp_path / "s.sqlite", TOKEN).test_client()
    for header, lang in (("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("de", form.default_language), ("en", "en")):
        assert Page(client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)).lang == lang


def test_behind_a_proxy_the_submit_url_keeps_the_path_prefix(form, tmp_path):
    client = create_app(form, tmp_path / "s.sqlite", TOKEN, proxies=1).test_client()
    resp = client.get("/", headers={"X-Forwarded-Prefix": "/cpc", "X-Forwarded-For": "203.0.113.9"})
    assert json.loads(Page(resp.get_data(as_text=True)).scripts["cpc-data"])["submit_url"] == "/cpc/submissions"


def test_submission_roundtrip_retry_and_edit(app):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    sent, first = _send(client, form, 1, submitted="2026-05-01T10:00:00+02:00")
    assert first.status_code == 201
    assert first.get_json()["status"] == "created" and first.get_json()["message"]
    again = client.post("/submissions", json=dict(sent, submitted="2026-05-01T10:01:00+02:00"))
    assert (again.status_code, again.get_json()["status"], again.get_json()["id"]) == (200, "duplicate",
                                                                                    first.get_json()["id"])
    token = first.get_json()["edit_token"]
    edit, edited = _send(client, form, 2, instance_id=sent["instance_id"], submitted="2026-05-02T10:00:00+02:00",
                         edit_token=token)
    assert (edited.status_code, edited.get_json()["status"]) == (200, "replaced")
    assert "edit_token" not in edited.get_json()  # given once, at the first submission
    listing = client.get("/admin/submissions", headers=AUTH).get_json()
    assert listing["total"] == 1
    [row] = listing["submissions"]
    assert (row["instance_id"], row["history"], row["submitted"]) == (sent["instance_id"], 1, edit["submitted"])
    assert "answers" not in json.dumps(listing)


def test_the_json_export_reads_back_through_the_web_form_reader(app, tmp_path):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    sent = [_send(client, form, seed)[0] for seed in range(4)]
    export = tmp_path / "export.json"
    export.write_bytes(client.get("/admin/export.json", headers=AUTH).data)
    read = [r for r in web.read(export, {form.version: form}) if isinstance(r, Response)]
    assert [r.instance_id for r in read] == [s["instance_id"] for s in sent]
    for got, want in zip(read, sent, strict=True):
        want_flat = {k: tuple(v) if isinstance(v, list) else v for k, v in flatten(form, want["answers"]).items()}
        assert dict(got.answers) == want_flat


def test_the_csv_export_is_formula_safe(app):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    text_q = next(q for q in form.questions if q.kind == "text" and not q.format)
    attack = "=HYPERLINK(\"http://x.example\",\"y\")"
    sent, resp = _send(client, form, 7)
    sent["answers"].setdefault(text_q.section, {})[text_q.id] = attack
    sent["instance_id"] = "uuid:00000000-0000-4000-8000-000000000001"
    assert client.post("/submissions", json=sent).status_code == 201
    body = client.get("/admin/export.csv", headers=AUTH).get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r["instance_id"] for r in rows] == [resp.get_json()["instance_id"], sent["instance_id"]]
    assert rows[1][text_q.id] == "'" + attack and unquote_defensive(rows[1][text_q.id]) == attack
    assert not [v for r in rows for v in r.values() if v and v[0] in "=+@\t\r"]
    assert list(rows[0])[8:] == [q.id for q in form.questions]


def test_live_scores_are_the_scorers(app):
    s = app.extensions["cpc_forms"]
    client = app.test_client()
    sent = [_send(client, s.form, seed)[0] for seed in range(6)]
    report = build_report(s.form, s.forms, s.store.path)
    assert [r.response.instance_id for r in report.returns] == [e["instance_id"] for e in sent]
    for scored, env in zip(report.returns, sent, strict=True):
        assert scored.score == score_return(s.form, env["answers"])
    page = Page(client.get("/admin/scores", headers=AUTH).get_data(as_text=True))
    assert ["server", "6", "6", "0", "0"] in page.rows
    _send(client, s.form, 99)
    page = Page(client.get("/admin/scores?lang=" + s.form.languages[-1], headers=AUTH).get_data(as_text=True))
    assert ["server", "7", "7", "0", "0"] in page.rows and page.lang == s.form.languages[-1]


def test_health_counts_submissions_and_edits(app):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    sent, first = _send(client, form, 1, submitted="2026-05-01T10:00:00+00:00")
    _send(client, form, 2, instance_id=sent["instance_id"], submitted="2026-05-02T10:00:00+00:00",
          edit_token=first.get_json()["edit_token"])
    _send(client, form, 3)
    health = client.get("/admin/health", headers=AUTH).get_json()
    assert (health["status"], health["submissions"], health["history"]) == ("ok", 2, 1)
    assert (health["form_id"], health["form_version"]) == (form.id, form.version)
