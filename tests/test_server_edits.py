"""Edits of a stored submission: only with the edit token its first submission was given (stored hashed), and a
time from the future cannot freeze a return against its owner's real later edits."""
from __future__ import annotations

import datetime as dt
import hashlib
import random
import sqlite3

import pytest

from cpc_forms import store
from cpc_forms.catalogue import Code
from cpc_forms.channels.html import envelope
from cpc_forms.server import create_app
from cpc_forms.synth import random_answers

TOKEN = "coordinator-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app(form, tmp_path):
    return create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0)


def _return(form, seed, **changes):
    return dict(envelope(form, random_answers(form, random.Random(seed))), **changes)


def _first(client, form, submitted="2026-05-01T10:00:00+00:00"):
    sent = _return(form, 1, submitted=submitted)
    resp = client.post("/submissions", json=sent)
    assert resp.status_code == 201
    return sent, resp.get_json()["edit_token"]


def _current(app, instance_id):
    s = app.extensions["cpc_forms"]
    return next(env for _, _, env in s.store.envelopes() if env["instance_id"] == instance_id)


@pytest.mark.parametrize("presented", [None, "", "wrong-token-of-the-same-length-xx", "another", "prefix"],
                         ids=["none", "empty", "wrong", "another-returns", "prefix"])
def test_an_edit_without_the_token_is_refused_and_changes_nothing(app, presented):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    sent, token = _first(client, form)
    tokens = {"another": client.post("/submissions", json=_return(form, 4)).get_json()["edit_token"],
              "prefix": token[:-1]}
    edit = _return(form, 2, instance_id=sent["instance_id"], submitted="2026-05-02T10:00:00+00:00")
    if presented is not None:
        edit["edit_token"] = tokens.get(presented, presented)
    resp = client.post("/submissions", json=edit)
    assert resp.status_code == 403
    body = resp.get_json()
    assert [p["code"] for p in body["problems"]] == [Code.EDIT_REFUSED]
    assert "edit token" in body["message"] and "nothing was changed" in body["message"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert _current(app, sent["instance_id"])["answers"] == sent["answers"]
    assert app.extensions["cpc_forms"].store.history(sent["instance_id"]) == []


def test_the_token_opens_edits_and_outdated_edits(app):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    sent, token = _first(client, form)
    edit = _return(form, 2, instance_id=sent["instance_id"], submitted="2026-05-02T10:00:00+00:00", edit_token=token)
    resp = client.post("/submissions", json=edit)
    assert (resp.status_code, resp.get_json()["status"]) == (200, "replaced")
    stale = _return(form, 3, instance_id=sent["instance_id"], submitted="2026-05-01T12:00:00+00:00")
    assert client.post("/submissions", json=stale).status_code == 403
    resp = client.post("/submissions", json=dict(stale, edit_token=token))
    assert (resp.status_code, resp.get_json()["status"]) == (200, "older")
    assert _current(app, sent["instance_id"])["answers"] == edit["answers"]
    assert "edit_token" not in _current(app, sent["instance_id"])


def test_a_resend_of_the_same_answers_needs_no_token_and_gets_none(app):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    sent, _ = _first(client, form)
    resp = client.post("/submissions", json=dict(sent, submitted="2026-05-01T10:05:00+00:00"))
    assert (resp.status_code, resp.get_json()["status"]) == (200, "duplicate")
    assert "edit_token" not in resp.get_json()


def test_the_token_is_stored_only_as_its_hash(app, tmp_path):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    sent, token = _first(client, form)
    client.post("/submissions", json=_return(form, 2, instance_id=sent["instance_id"], edit_token=token,
                                             submitted="2026-05-02T10:00:00+00:00"))
    app.extensions["cpc_forms"].store.close()
    conn = sqlite3.connect(tmp_path / "s.sqlite")
    [(key,)] = conn.execute("SELECT edit_key FROM submissions").fetchall()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert key == hashlib.sha256(token.encode()).hexdigest()
    assert token.encode() not in (tmp_path / "s.sqlite").read_bytes()
    listing = client.get("/admin/submissions", headers=AUTH).get_data(as_text=True)
    exported = client.get("/admin/export.json", headers=AUTH).get_data(as_text=True)
    assert token not in listing and token not in exported and key not in exported


@pytest.mark.parametrize("future", ["9999-12-31T23:59:59+00:00", "2200-01-01T00:00:00Z"], ids=["year-9999", "z"])
def test_a_time_from_the_future_is_clamped_so_the_owners_later_edit_still_wins(app, future):
    form = app.extensions["cpc_forms"].form
    client = app.test_client()
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    sent, token = _first(client, form, submitted=future)
    stored = dt.datetime.fromisoformat(_current(app, sent["instance_id"])["submitted"])
    assert before <= stored <= dt.datetime.now(dt.timezone.utc)
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)).isoformat(timespec="seconds")
    edit = _return(form, 2, instance_id=sent["instance_id"], submitted=later, edit_token=token)
    resp = client.post("/submissions", json=edit)
    assert (resp.status_code, resp.get_json()["status"]) == (200, "replaced")
    assert _current(app, sent["instance_id"])["answers"] == edit["answers"]


def test_a_clamped_time_is_said_in_the_answer(app):
    form = app.extensions["cpc_forms"].form
    resp = app.test_client().post("/submissions", json=_return(form, 1, started="9999-01-01T00:00:00+00:00",
                                                               submitted="9999-01-01T00:00:00+00:00"))
    assert resp.status_code == 201
    clamped = [p for p in resp.get_json()["problems"] if p["code"] == Code.FUTURE_TIME]
    assert [(p["location"], p["severity"]) for p in clamped] == [("started", "warning"), ("submitted", "warning")]


def test_a_database_of_an_earlier_release_gains_the_column_and_its_returns_stay_unchangeable(form, tmp_path):
    path = tmp_path / "old.sqlite"
    old = _return(form, 1)
    store.Store(path).put(old)
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE submissions DROP COLUMN edit_key")  # as an earlier release made it
    conn.close()
    db = store.Store(path)
    assert db._conn().execute("SELECT edit_key FROM submissions").fetchall() == [("",)]
    edit = _return(form, 2, instance_id=old["instance_id"], submitted="2099-01-01T00:00:00+00:00")
    assert db.put(edit, token="").status == store.REFUSED
    assert db.put(edit, token="anything").status == store.REFUSED
    assert db.put(old, token="").status == store.DUPLICATE
    db.close()
