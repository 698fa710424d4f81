"""The hosting app's defences, through Flask's test client: the token, limits, refusals that store nothing,
closed CORS, security headers, and logs that hold no answer."""
from __future__ import annotations

import base64
import json
import logging
import random

import pytest

from cpc_forms.catalogue import Code
from cpc_forms.channels.html import envelope
from cpc_forms.server import create_app
from cpc_forms.synth import random_answers

TOKEN = "coordinator-token-for-tests"
ADMIN_ROUTES = ["/admin/health", "/admin/submissions", "/admin/export.csv", "/admin/export.json", "/admin/scores",
                "/admin", "/admin/unknown"]


@pytest.fixture
def app(any_form, tmp_path):
    return create_app(any_form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0)


def _valid(form, seed=1):
    return envelope(form, random_answers(form, random.Random(seed)))


def _stored(app) -> int:
    return app.extensions["cpc_forms"].store.count()


def _basic(password, user="coordinator"):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize("route", ADMIN_ROUTES)
@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-of-some-length", "Bearer ", _basic("nope"),
                                           "Basic !!!", f"Token {TOKEN}", "Bearer " + TOKEN[:-1]],
                         ids=["none", "wrong", "empty", "basic-wrong", "basic-garbled", "other-scheme", "prefix"])
def test_every_coordinator_route_needs_the_token(app, route, authorization):
    client = app.test_client()
    client.post("/submissions", json=_valid(app.extensions["cpc_forms"].form))
    headers = {"Authorization": authorization} if authorization else {}
    resp = client.get(route, headers=headers)
    assert resp.status_code == 401
    assert "Basic" in resp.headers["WWW-Authenticate"]
    assert set(resp.get_json()) == {"message"}


@pytest.mark.parametrize("authorization", [f"Bearer {TOKEN}", _basic(TOKEN)], ids=["bearer", "basic"])
def test_the_token_opens_the_coordinator_routes(app, authorization):
    client = app.test_client()
    for route in ADMIN_ROUTES[:5]:
        assert client.get(route, headers={"Authorization": authorization}).status_code == 200, route


def test_a_short_token_is_refused(form, tmp_path):
    with pytest.raises(ValueError, match="at least"):
        create_app(form, tmp_path / "s.sqlite", "short")


def test_without_a_token_one_is_generated(form, tmp_path, monkeypatch):
    monkeypatch.delenv("CPC_ADMIN_TOKEN", raising=False)
    a = create_app(form, tmp_path / "a.sqlite").extensions["cpc_forms"]
    b = create_app(form, tmp_path / "b.sqlite").extensions["cpc_forms"]
    assert a.token_generated and len(a.token) >= 32 and a.token != b.token
    monkeypatch.setenv("CPC_ADMIN_TOKEN", TOKEN)
    c = create_app(form, tmp_path / "c.sqlite").extensions["cpc_forms"]
    assert (c.token, c.token_generated) == (TOKEN, False)


def _deep(depth):
    return "[" * depth + "]" * depth


REFUSALS = [
    ("oversize", lambda f: json.dumps(dict(_valid(f), pad="x" * 300_000)), "application/json", 413,
     Code.BODY_TOO_LARGE),
    ("text-plain", lambda f: json.dumps(_valid(f)), "text/plain", 415, Code.WRONG_TYPE),
    ("form-encoded", lambda f: "a=1", "application/x-www-form-urlencoded", 415, Code.WRONG_TYPE),
    ("no-type", lambda f: json.dumps(_valid(f)), "", 415, Code.WRONG_TYPE),
    ("malformed", lambda f: json.dumps(_valid(f))[:-3], "application/json", 400, Code.INVALID_JSON),
    ("not-utf8", lambda f: json.dumps(_valid(f)).encode("utf-8").replace(b'"', b'\xff', 1), "application/json",
     400, Code.UNREADABLE),
    ("deep-array", lambda f: _deep(50_000), "application/json", 400, Code.UNREADABLE),
    ("deep-answers", lambda f: json.dumps(dict(_valid(f), answers=json.loads('{"a":' * 900 + "1" + "}" * 900))),
     "application/json", 422, Code.UNKNOWN_FIELD),
    ("deep-answer", lambda f: json.dumps(dict(_valid(f), answers={f.sections[0].id: {
        f.questions[0].id: json.loads(_deep(900))}})), "application/json", 422, Code.BAD_VALUE),
    ("nan", lambda f: json.dumps(_valid(f))[:-1] + ', "x": NaN}', "application/json", 400, Code.BAD_SHAPE),
    ("duplicate-key", lambda f: json.dumps(_valid(f))[:-1] + ', "form_id": "x"}', "application/json",
     400, Code.DUPLICATE_KEY),
    ("a-list", lambda f: json.dumps([_valid(f)]), "application/json", 400, Code.BAD_SHAPE),
    ("no-instance-id", lambda f: json.dumps({k: v for k, v in _valid(f).items() if k != "instance_id"}),
     "application/json", 400, Code.BAD_ENVELOPE),
    ("bad-instance-id", lambda f: json.dumps(dict(_valid(f), instance_id="../../etc")), "application/json",
     400, Code.BAD_ENVELOPE),
    ("bad-time", lambda f: json.dumps(dict(_valid(f), submitted="yesterday")), "application/json", 400,
     Code.BAD_ENVELOPE),
    ("extra-field", lambda f: json.dumps(dict(_valid(f), token="x")), "application/json", 400, Code.BAD_ENVELOPE),
    ("other-form", lambda f: json.dumps(dict(_valid(f), form_id="another_form")), "application/json", 422,
     Code.OTHER_FORM),
    ("unknown-version", lambda f: json.dumps(dict(_valid(f), form_version="0.0-none")), "application/json", 422,
     Code.UNKNOWN_VERSION),
    ("unknown-question", lambda f: json.dumps(dict(_valid(f), answers={f.sections[0].id: {"zz_no_such": "1"}})),
     "application/json", 422, Code.UNKNOWN_FIELD),
    ("bad-value", lambda f: json.dumps(dict(_valid(f), answers={f.sections[0].id: {f.questions[0].id: {"x": 1}}})),
     "application/json", 422, Code.BAD_VALUE),
    ("only-answers", lambda f: '{"answers": {}}', "application/json", 400, Code.NO_ANSWERS),
    ("no-answers", lambda f: json.dumps(dict(_valid(f), answers={})), "application/json", 400, Code.NO_ANSWERS),
    ("empty-sections", lambda f: json.dumps(dict(_valid(f), answers={s.id: {} for s in f.sections})),
     "application/json", 400, Code.NO_ANSWERS),
    ("only-nulls", lambda f: json.dumps(dict(_valid(f), answers={q.section: {q.id: None} for q in f.questions})),
     "application/json", 422, Code.NO_ANSWERS),
    ("blank-text", lambda f: json.dumps(dict(_valid(f), answers={q.section: {q.id: " "} for q in f.questions
                                                                 if q.kind == "text" and not q.format})),
     "application/json", 422, Code.NO_ANSWERS),
    ("bad-edit-token", lambda f: json.dumps(dict(_valid(f), edit_token=["x"])), "application/json", 400,
     Code.BAD_ENVELOPE),
]


@pytest.mark.parametrize("name, body, content_type, status, code", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_bad_submissions_get_the_right_4xx_and_store_nothing(app, name, body, content_type, status, code):
    form = app.extensions["cpc_forms"].form
    resp = app.test_client().post("/submissions", data=body(form), content_type=content_type)
    assert resp.status_code == status
    answer = resp.get_json()
    assert answer["message"] and answer["problems"]
    if code:
        assert code in [p["code"] for p in answer["problems"]]
    assert _stored(app) == 0


def test_a_bad_return_lists_every_problem(form, tmp_path):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0)
    sent = _valid(form)
    section = form.sections[0].id
    sent["answers"][section] = {**sent["answers"].get(section, {}), "zz1": "1", "zz2": "2"}
    resp = app.test_client().post("/submissions", json=sent)
    assert resp.status_code == 422
    unknown = sorted(p["message"] for p in resp.get_json()["problems"] if p["code"] == Code.UNKNOWN_FIELD)
    assert unknown == ["'zz1' is not a question of this form", "'zz2' is not a question of this form"]
    assert _stored(app) == 0


def test_rate_limit_answers_429_per_client(form, tmp_path):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=1, burst=3)
    client = app.test_client()
    codes = [client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    limited = client.post("/submissions", json=_valid(form), environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.get("/", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200
    assert _stored(app) == 0


def test_without_proxies_a_forwarded_for_header_buys_no_fresh_limit(form, tmp_path):
    client = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=1, burst=2).test_client()
    codes = [client.get("/favicon.ico", headers={"X-Forwarded-For": f"198.51.100.{n}"},
                        environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code for n in range(4)]
    assert codes == [204, 204, 429, 429]


def test_behind_a_proxy_each_forwarded_client_has_its_own_limit(form, tmp_path):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=1, burst=2, proxies=1)
    client = app.test_client()

    def get(who):
        return client.get("/", headers={"X-Forwarded-For": who}, environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code

    assert [get("198.51.100.1") for _ in range(3)] + [get("198.51.100.2")] == [200, 200, 429, 200]


BAD_PARAMETERS = [("offset", "9" * 22), ("offset", "-1"), ("offset", "abc"), ("offset", ""), ("offset", "1e3"),
                  ("offset", "\u0661"), ("offset", " 1"), ("limit", "0"), ("limit", "10001"), ("limit", "+5")]


@pytest.mark.parametrize("name, value", BAD_PARAMETERS,
                         ids=["22-digits", "negative", "not-a-number", "empty", "exponent", "arabic-digit",
                              "space", "limit-0", "limit-too-big", "plus"])
def test_a_bad_query_parameter_is_a_400_that_says_which(app, name, value):
    resp = app.test_client().get("/admin/submissions", query_string={name: value},
                                 headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 400
    [problem] = resp.get_json()["problems"]
    assert (problem["code"], problem["location"]) == (Code.BAD_PARAMETER, name)
    assert f"'{name}'" in resp.get_json()["message"] and "whole number" in resp.get_json()["message"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_good_query_parameters_page_the_listing(app):
    client = app.test_client()
    form = app.extensions["cpc_forms"].form
    for seed in range(3):
        client.post("/submissions", json=_valid(form, seed))
    resp = client.get("/admin/submissions?limit=2&offset=1", headers={"Authorization": f"Bearer {TOKEN}"})
    assert resp.status_code == 200
    assert [row["id"] for row in resp.get_json()["submissions"]] == [2, 3]


def test_cors_stays_closed(app):
    client = app.test_client()
    origin = {"Origin": "https://elsewhere.example"}
    preflight = client.options("/submissions", headers={**origin, "Access-Control-Request-Method": "POST",
                                                        "Access-Control-Request-Headers": "content-type"})
    post = client.post("/submissions", json=_valid(app.extensions["cpc_forms"].form), headers=origin)
    for resp in (preflight, post, client.get("/", headers=origin)):
        assert not [h for h in resp.headers.keys() if h.lower().startswith("access-control-allow")]


@pytest.mark.parametrize("route", ["/", "/submissions", "/admin/health", "/nowhere"])
def test_every_answer_carries_the_security_headers(app, route):
    resp = app.test_client().get(route)
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in resp.headers["Content-Security-Policy"].split("script-src")[-1].split(";")[0]


def test_errors_and_logs_hold_no_answer(form, tmp_path, caplog):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0)
    client = app.test_client()
    secret = "SECRET-ANSWER-TEXT"
    text_q = next(q for q in form.questions if q.kind == "text" and not q.format)
    sent = _valid(form)
    sent["answers"].setdefault(text_q.section, {})[text_q.id] = secret
    with caplog.at_level(logging.INFO, logger="cpc_forms.server"):
        assert client.post("/submissions", json=sent).status_code == 201
        client.post("/submissions", data=json.dumps(sent)[:-2], content_type="application/json")
        client.get("/admin/export.json")
        for route in ("/nowhere", "/submissions/1", "/admin/../admin/export.json", f"/?q={secret}"):
            resp = client.get(route)
            assert secret not in resp.get_data(as_text=True)
    lines = [r.getMessage() for r in caplog.records if r.name == "cpc_forms.server"]
    assert len(lines) == 7
    assert all(secret not in line for line in lines)
    assert "POST /submissions 201" in lines[0]
