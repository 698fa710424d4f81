"""The limits and guards of reading, one at a time: the README's Limits table, echoed values cut, a reader's failure
kept to its file, folders that cannot be listed, the label split linear in its words, over-long integers."""
from __future__ import annotations

import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from cpc_forms import ingest, limits
from cpc_forms.catalogue import Code, issue
from cpc_forms.channels import server
from cpc_forms.channels.xlsform.readers import columns
from cpc_forms.model import Issue, Response
from cpc_forms.spec import build_form
from cpc_forms.store import Store

from tiny import small_spec

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tiny():
    return build_form(small_spec())


def _web(answers: dict) -> str:
    return json.dumps({"form_id": "tiny", "form_version": "1", "instance_id": "uuid:t", "answers": {"s": answers}})


def test_the_readme_states_the_limits_as_limits_py_has_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.split("<!-- limits -->\n", 1)[1].split("<!-- /limits -->", 1)[0] == limits.markdown_table()


@pytest.mark.parametrize("value,shown", [("x" * 900_000, 200), (list(range(100_000)), 200), ("short", 5)],
                         ids=["long-text", "long-list", "short"])
def test_an_echoed_value_is_cut_to_200_characters_with_its_length(value, shown):
    found = issue(Code.BAD_VALUE, "f.json", question="q", value=value, expected="a number")
    assert len(found.message) < shown + 120
    if shown == 200:
        assert f"({len(repr(value)):,} characters)" in found.message


def test_a_reader_that_fails_becomes_an_issue_of_its_file_and_the_next_file_is_read(tiny, tmp_path, monkeypatch):
    from cpc_forms.channels.html import returns
    broken, good = tmp_path / "a.json", tmp_path / "b.json"
    broken.write_text(_web({"staff": 1}).replace("uuid:t", "uuid:broken"))
    good.write_text(_web({"staff": 2}))
    real = returns.read_envelope

    def failing(item, *args, **kwargs):
        if item.get("instance_id") == "uuid:broken":
            raise RecursionError("maximum recursion depth exceeded")
        return real(item, *args, **kwargs)

    monkeypatch.setattr(returns, "read_envelope", failing)
    items = [item for _, item in ingest.read_all(ingest.expand([tmp_path]), {"1": tiny})]
    assert [(i.code, i.source) for i in items if isinstance(i, Issue)] == [("internal-error", str(broken))]
    assert "RecursionError" in items[0].message and "--debug" in items[0].message
    assert [r.answers["staff"] for r in items if isinstance(r, Response)] == [2]


def test_a_folder_that_cannot_be_listed_is_reported_and_the_others_read(tiny, tmp_path, monkeypatch):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "r.json").write_text(_web({"staff": 3}))
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", lambda path: scandir(path))
    items = [item for _, item in ingest.read_all(ingest.expand([tmp_path]), {"1": tiny})]
    assert [(i.code, Path(i.source).name) for i in items if isinstance(i, Issue)] == [
        ("unreadable-folder", "locked")]
    assert "Permission denied" in items[0].message
    assert [r.answers["staff"] for r in items if isinstance(r, Response)] == [3]


def test_a_file_name_that_is_not_utf8_is_shown_escaped(tiny, tmp_path):
    path = tmp_path / os.fsdecode(b"caf\xe9.json")
    path.write_text(_web({"staff": 4}))
    (item,) = [item for _, item in ingest.read_file(path, {"1": tiny})]
    assert item.source == f"{tmp_path}/caf\\xe9.json" and item.source.encode("utf-8")


@pytest.mark.parametrize("cell", ["7" * 5000, "9" * 41], ids=["5000-digits", "41-digits"])
def test_an_over_long_integer_is_a_bad_value_never_python_s_digit_limit(tiny, tmp_path, cell):
    csv = tmp_path / "kobo.csv"
    csv.write_text(f"s/staff;_uuid;_submission_time\n{cell};u-1;2026-01-01T00:00:00\n")
    web = tmp_path / "web.json"
    web.write_text(_web({"staff": 0}).replace('"staff": 0', f'"staff": {cell}'))
    for path in (csv, web):
        found = [item for _, item in ingest.read_file(path, {"1": tiny}) if isinstance(item, Issue)]
        assert [i.code for i in found if i.severity == "error"] == ["bad-value"], [str(i) for i in found]
        assert "int_max_str_digits" not in found[0].message and len(found[0].message) < 400


def test_the_label_split_looks_at_no_more_words_than_the_longest_label(tiny, monkeypatch):
    q = tiny.question("tools")
    calls = []
    real = columns.normalise
    monkeypatch.setattr(columns, "normalise", lambda text: calls.append(text) or real(text))
    columns._labels_by_words.cache_clear()
    words = "Scanners Sniffer dogs " * 800  # 2,400 words... past the limit: no split
    assert columns.split_labels(q, words) == []
    text = "Scanners Sniffer dogs Mobile laboratory vans " * 200  # 1,200 words
    calls.clear()
    (way,) = columns.split_labels(q, text)
    assert way == ("s", "d", "l") * 200
    assert len(calls) <= 1200 * 3  # each word ends at most as many spans as the longest label has words


def test_a_return_that_answers_nothing_is_rejected_not_counted(tiny, tmp_path):
    path = tmp_path / "empty.json"
    path.write_text(_web({}))
    (item,) = [item for _, item in ingest.read_file(path, {"1": tiny})]
    assert (item.code, item.severity) == ("no-answers", "error")


@pytest.mark.parametrize("text,code", [
    ("<project><modelVersion>4</modelVersion></project>", "not-a-return"),
    ("<note><to>x</to></note>", "not-a-return"),
    ('<data id="tiny">' + "<g>" * 2000 + "</g>" * 2000 + "</data>", "too-deep"),
], ids=["pom", "note", "deep"])
def test_xml_that_is_no_submission_is_not_a_return(tiny, tmp_path, text, code):
    path = tmp_path / "doc.xml"
    path.write_text(text)
    assert [item.code for _, item in ingest.read_file(path, {"1": tiny})] == [code]


def test_a_database_whose_submissions_is_a_view_is_refused_unread(tiny, tmp_path):
    import sqlite3

    from cpc_forms.store import APPLICATION_ID
    path = tmp_path / "s.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
        conn.execute("CREATE VIEW submissions AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                     "SELECT x AS id, '{}' AS body FROM c")
    (item,) = [item for _, item in ingest.read_file(path, {"1": tiny})]
    assert item.code == "unreadable" and "'submissions' is a view" in item.message


@pytest.mark.parametrize("cap", [None, 2000], ids=["small-database", "bodies-sized-one-by-one"])
def test_a_submissions_table_copied_without_rowid_is_read_by_its_ids(tiny, tmp_path, monkeypatch, cap):
    from cpc_forms.channels.html import envelope
    path = tmp_path / "s.sqlite"
    store = Store(path)
    for n in range(3):
        store.put(envelope(tiny, {"staff": n}, "en", f"uuid:w{n}", f"2026-11-0{n + 1}T10:00:00Z"))
    store.close()
    with sqlite3.connect(path) as conn:  # as another program could leave it: the same rows, a table WITHOUT ROWID
        conn.executescript("CREATE TABLE copy (id INTEGER PRIMARY KEY, instance_id TEXT, form_id TEXT, form_version "
                           "TEXT, language TEXT, started TEXT, submitted TEXT, received TEXT, digest TEXT, body TEXT, "
                           "edit_key TEXT) WITHOUT ROWID; INSERT INTO copy SELECT * FROM submissions; "
                           "DROP TABLE submissions; ALTER TABLE copy RENAME TO submissions;")
    if cap:
        monkeypatch.setattr(server, "JSON_BYTES", cap)
    items = [item for _, item in ingest.read_file(path, {"1": tiny})]
    assert [(type(i).__name__, i.answers["staff"]) for i in items] == [("Response", 0), ("Response", 1),
                                                                       ("Response", 2)]


def test_a_linked_folder_is_followed_when_given_and_reported_when_found_in_another(tiny, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "r.json").write_text(_web({"staff": 5}))
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "linked").symlink_to(real)
    given = [item for _, item in ingest.read_all(ingest.expand([tmp_path / "inbox" / "linked"]), {"1": tiny})]
    assert [r.answers["staff"] for r in given] == [5]
    found = [item for _, item in ingest.read_all(ingest.expand([tmp_path / "inbox"]), {"1": tiny})]
    assert [(i.code, Path(i.source).name) for i in found] == [("not-a-file", "linked")]


def test_reading_a_database_stops_at_its_time_limit(tiny, tmp_path, monkeypatch):
    from cpc_forms.channels import server
    from cpc_forms.store import Store
    store = Store(tmp_path / "submissions.sqlite")
    store.put({**json.loads(_web({"staff": 6})), "submitted": "2026-01-01T00:00:00+00:00", "language": "en"})
    store.close()
    monkeypatch.setattr(server, "DATABASE_SECONDS", -1)  # already past: the first look at the clock stops it
    monkeypatch.setattr(server, "STEPS", 1)
    (item,) = [item for _, item in ingest.read_file(tmp_path / "submissions.sqlite", {"1": tiny})]
    assert item.code == "over-limit" and "reading the database" in item.message


def test_an_integer_too_long_for_python_to_write_is_echoed_by_its_length():
    found = issue(Code.BAD_VALUE, "f.json", question="q", value=10 ** 5000, expected="a number")
    assert "a number of about 5,000 digits" in found.message


@pytest.mark.parametrize("members,code", [(3, None), (4, "over-limit")], ids=["at-the-cap", "past-the-cap"])
def test_an_archive_of_more_members_than_the_cap_is_refused_unopened(tiny, tmp_path, monkeypatch, members, code):
    monkeypatch.setattr(limits, "ZIP_MEMBERS", 3)
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(members):
            archive.writestr(f"{n}.json", "{}")
    found = [item for _, item in ingest.read_file(path, {"1": tiny})]
    if code is None:
        assert len(found) == members and "over-limit" not in {i.code for i in found}
    else:
        assert [(i.code, i.source) for i in found] == [(code, str(path))]
        assert "4 members" in found[0].message


def test_an_archive_whose_list_of_members_is_past_its_cap_is_refused(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "CENTRAL_BYTES", 100)
    path = tmp_path / "long-names.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("n" * 200 + ".json", "{}")
    (found,) = [item for _, item in ingest.read_file(path, {"1": tiny})]
    assert found.code == "over-limit"


@pytest.mark.parametrize("padding,code", [(0, "no-answers"), (2000, "too-large")], ids=["small", "past-the-cap"])
def test_a_stored_submission_past_the_json_cap_is_refused_unread(tiny, tmp_path, monkeypatch, padding, code):
    monkeypatch.setattr(server, "JSON_BYTES", 1000)
    store = Store(tmp_path / "submissions.sqlite")
    store.put({"form_id": "tiny", "form_version": "1", "instance_id": "uuid:big", "submitted": "2026-05-01",
               "answers": {"s": {}}, "padding": "p" * padding})
    store.close()
    (found,) = [item for _, item in ingest.read_file(store.path, {"1": tiny})]
    assert (found.code, found.location) == (code, "submissions/1")


class _WithoutBlobs:
    """A connection as Python 3.10 gives it: no blob handles."""

    def __init__(self, conn):
        self.execute = conn.execute


@pytest.mark.parametrize("opened", [lambda c: c, _WithoutBlobs], ids=["blob-handle", "sql-length"])
def test_a_stored_body_is_measured_before_it_is_loaded(tmp_path, monkeypatch, opened):
    monkeypatch.setattr(server, "JSON_BYTES", 10)
    conn = sqlite3.connect(tmp_path / "db.sqlite")
    conn.execute("CREATE TABLE submissions (id INTEGER PRIMARY KEY, body TEXT)")
    conn.executemany("INSERT INTO submissions (body) VALUES (?)", [("{}",), ('{"a": "' + "é" * 20 + '"}',)])
    assert server._body(opened(conn), 1) in ("{}", b"{}")
    assert server._body(opened(conn), 2) == 49  # bytes, not characters


@pytest.mark.parametrize("rows", [0, 2], ids=["first-row", "after-two-rows"])
def test_a_cell_past_the_limit_is_told_with_its_line(tiny, tmp_path, rows):
    path = tmp_path / "export.csv"
    good = "".join(f"uuid:{n},{n}\n" for n in range(rows))
    path.write_text("_uuid,s/staff\n" + good + '"' + "z" * (limits.FIELD_BYTES + 10) + '"\n')
    found = [item for _, item in ingest.read_file(path, {"1": tiny})]
    (over,) = [i for i in found if isinstance(i, Issue) and i.code == "over-limit"]
    assert f"line {rows + 2}" in over.location
    assert len([i for i in found if isinstance(i, Response)]) == rows
