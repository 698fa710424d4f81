"""The submissions store: idempotence, edit history, integrity; and the server channel's reader of the database."""
from __future__ import annotations

import json
import random
import sqlite3

import pytest

from cpc_forms import store
from cpc_forms.answers import flatten
from cpc_forms.catalogue import Code
from cpc_forms.channels import server
from cpc_forms.channels.html import envelope
from cpc_forms.model import Issue, Response
from cpc_forms.synth import random_answers


def _envelope(form, seed, **meta):
    return envelope(form, random_answers(form, random.Random(seed)), **meta)


def _head(path):
    return path.read_bytes()[:4096]


def test_new_retry_edit_and_outdated_edit(any_form, tmp_path):
    db = store.Store(tmp_path / "s.sqlite")
    first = _envelope(any_form, 1, submitted="2026-03-01T10:00:00+01:00")
    retry = dict(first, submitted="2026-03-01T10:05:00+01:00")  # same answers sent again later
    edit = dict(_envelope(any_form, 2, submitted="2026-03-02T09:00:00+00:00"), instance_id=first["instance_id"])
    stale = dict(_envelope(any_form, 3, submitted="2026-03-01T08:59:00+00:00"), instance_id=first["instance_id"])
    receipts = [db.put(e) for e in (first, retry, edit, stale)]
    assert [r.status for r in receipts] == [store.CREATED, store.DUPLICATE, store.REPLACED, store.OLDER]
    assert len({r.id for r in receipts}) == 1
    assert db.count() == 1
    [(_, _, current)] = list(db.envelopes())
    assert current["answers"] == edit["answers"]
    history = db.history(first["instance_id"])
    assert [(h["reason"], h["envelope"]["answers"]) for h in history] == [
        ("replaced", first["answers"]), ("older", stale["answers"])]


def test_equal_times_let_the_later_arrival_win(form, tmp_path):
    """As returns.dedupe does: with equal submitted times, the one read (here: received) last is kept."""
    db = store.Store(tmp_path / "s.sqlite")
    a = _envelope(form, 1, submitted="2026-03-01T10:00:00+00:00")
    b = dict(_envelope(form, 2, submitted="2026-03-01T11:00:00+01:00"), instance_id=a["instance_id"])
    assert [db.put(e).status for e in (a, b)] == [store.CREATED, store.REPLACED]


def test_sniff_knows_its_own_databases_only(form, tmp_path):
    store.Store(tmp_path / "ours.sqlite").put(_envelope(form, 1))
    other = sqlite3.connect(tmp_path / "other.sqlite")
    other.execute("CREATE TABLE submissions (id INTEGER)")
    other.commit()
    other.close()
    (tmp_path / "return.json").write_text(json.dumps(_envelope(form, 2)))
    assert server.sniff(tmp_path / "ours.sqlite", _head(tmp_path / "ours.sqlite"))
    assert not server.sniff(tmp_path / "other.sqlite", _head(tmp_path / "other.sqlite"))
    assert not server.sniff(tmp_path / "return.json", _head(tmp_path / "return.json"))


def test_refuses_to_take_over_another_applications_database(tmp_path):
    other = sqlite3.connect(tmp_path / "other.sqlite")
    other.execute("PRAGMA application_id=12345")
    other.commit()
    other.close()
    with pytest.raises(ValueError, match="another application"):
        store.Store(tmp_path / "other.sqlite")


def _with_an_edit(form, path, count: int, edit_seed: int):
    """A database of count returns, the first of them later edited: (the returns sent, the edit)."""
    db = store.Store(path)
    sent = [_envelope(form, seed, submitted="2026-03-01T10:00:00+00:00") for seed in range(count)]
    for e in sent:
        db.put(e)
    edit = dict(_envelope(form, edit_seed, submitted="2026-03-02T10:00:00+00:00"), instance_id=sent[0]["instance_id"])
    db.put(edit)
    return sent, edit


def test_read_gives_every_current_return_and_flags_replaced_edits(any_form, tmp_path):
    path = tmp_path / "s.sqlite"
    sent, edit = _with_an_edit(any_form, path, 5, 99)
    items = list(server.read(path, {any_form.version: any_form}))
    responses = [i for i in items if isinstance(i, Response)]
    issues = [i for i in items if isinstance(i, Issue) and i.code != Code.REQUIRED_MISSING]
    assert [r.instance_id for r in responses] == [e["instance_id"] for e in sent]
    assert {r.channel for r in responses} == {"server"}
    assert [r.location for r in responses] == [f"submissions/{n}" for n in range(1, 6)]
    assert dict(responses[0].answers) == _comparable(any_form, edit["answers"])
    assert [(i.code, i.location) for i in issues] == [(Code.DUPLICATE, "history/1")]


def _comparable(form, answers):
    return {k: tuple(v) if isinstance(v, list) else v for k, v in flatten(form, answers).items()}


def test_read_reports_an_unreadable_database(form, tmp_path):
    path = tmp_path / "broken.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    [problem] = list(server.read(path, {form.version: form}))
    assert problem.code == Code.UNREADABLE and problem.source == str(path)


def test_a_fresh_store_passes_integrity_check(form, tmp_path):
    db = store.Store(tmp_path / "s.sqlite")
    for seed in range(20):
        db.put(_envelope(form, seed))
    assert store.integrity_check(tmp_path / "s.sqlite") == ["ok"]
    mode = sqlite3.connect(tmp_path / "s.sqlite").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_read_reports_a_damaged_row_and_reads_the_rest(form, tmp_path):
    path = tmp_path / "s.sqlite"
    db = store.Store(path)
    for seed in range(3):
        db.put(_envelope(form, seed))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE submissions SET body = '{broken' WHERE id = 2")
    conn.commit()
    conn.close()
    items = list(server.read(path, {form.version: form}))
    assert [r.location for r in items if isinstance(r, Response)] == ["submissions/1", "submissions/3"]
    assert [(i.code, i.location) for i in items if isinstance(i, Issue) and i.severity == "error"] == [
        (Code.UNREADABLE, "submissions/2")]


def test_the_scorer_reads_the_database_like_any_other_return_file(any_form, tmp_path):
    from cpc_forms import ingest
    path = tmp_path / "submissions.sqlite"
    sent, _ = _with_an_edit(any_form, path, 4, 9)
    report = ingest.run([path], any_form, {any_form.version: any_form})
    assert sorted(r.response.instance_id for r in report.returns) == sorted(e["instance_id"] for e in sent)
    assert dict(report.counts["server"]) == {"read": 5, "accepted": 4, "rejected": 0, "duplicates": 1}


def test_a_second_run_ignores_the_files_sqlite_leaves_beside_a_database(form, tmp_path):
    from cpc_forms import ingest
    _with_an_edit(form, tmp_path / "submissions.sqlite", 2, 9)
    first = ingest.run([tmp_path], form, {form.version: form})
    for end in ("-wal", "-shm"):  # as a reader that opened it, or the running server, leaves them (never truncated:
        (tmp_path / f"submissions.sqlite{end}").touch()  # a connection that is still open may have them mapped)
    second = ingest.run([tmp_path], form, {form.version: form})
    assert second.counts == first.counts and not [i for i in second.issues if i.severity == "error"]
    (tmp_path / "submissions.sqlite").unlink()  # without its database, a side file is an input like any other
    assert [i.code for i in ingest.run([tmp_path], form, {form.version: form}).issues if i.severity == "error"]
