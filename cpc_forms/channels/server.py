"""The hosted web form's database as a channel, so that `cpc-forms score submissions.sqlite` reads it.

The storage itself is cpc_forms/store.py; the page is the html channel's."""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Iterator, List, Mapping, Sequence, Union

from ..catalogue import Code, issue
from ..limits import DATABASE_SECONDS, DEPTH, JSON_BYTES, MiB, deeper_than, json_int
from ..model import Form, Issue, Response
from ..store import APPLICATION_ID, Store, connect
from . import Record
from .html.returns import envelope, read_envelope

__all__ = ["generate", "sniff", "read", "write_returns"]

CHANNEL = "server"
MAGIC = b"SQLite format 3\x00"
STEPS = 10_000  # SQLite steps between two looks at the clock
FALLBACK_FIRST_BYTES = ()  # a database of another application is not ours to read


def generate(form, out_dir):
    """Nothing to build: the server renders the html channel's page on request."""
    return []


def write_returns(form: Form, records: Sequence[Record], folder: Path) -> List[Path]:
    """folder/submissions.sqlite filled as the hosted form fills it, one web-form envelope per record."""
    if not records:
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(folder / "submissions.sqlite")
    try:
        for answers, meta in records:
            store.put(envelope(form, answers, meta.get("language"), meta.get("instance_id"), meta.get("submitted")))
    finally:
        store.close()
    return [store.path]


def sniff(path, head: bytes) -> bool:
    """Whether a file is a submissions database of this server."""
    return head[:16] == MAGIC and int.from_bytes(head[68:72], "big") == APPLICATION_ID


def read(path, forms: Mapping[str, Form]) -> Iterator[Union[Response, Issue]]:
    """Every stored submission as a Response (or the Issue why not); replaced edits as 'duplicate' warnings.

    Only tables are read (a view of another program could recurse forever), within DATABASE_SECONDS."""
    source = str(path)
    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error as exc:
        yield issue(Code.UNREADABLE, source, reason=exc)
        return
    clock = _Clock()
    conn.set_progress_handler(clock.over, STEPS)
    try:
        yield from _rows(conn, source, forms, clock)
    except sqlite3.OperationalError as exc:
        if not clock.over():
            raise
        yield issue(Code.OVER_LIMIT, source, what="reading the database", limit=f"{DATABASE_SECONDS} s",
                    consequence=f" ({exc}); the submissions before were read")
    except sqlite3.Error as exc:
        yield issue(Code.UNREADABLE, source, reason=exc)
    finally:
        conn.close()


def _body(conn: sqlite3.Connection, key: int, by: str = "rowid") -> Union[str, bytes, int]:
    """A stored submission, or its size when past JSON_BYTES: a blob handle (Python 3.11) tells the size without
    loading the value; SQL's length() of a text loads it (in SQLite's memory, one value at a time). by: the
    column key is of ("id" in a table another program made WITHOUT ROWID, which has no blob handles)."""
    if hasattr(conn, "blobopen") and by == "rowid":
        with conn.blobopen("submissions", "body", key, readonly=True) as blob:
            size = len(blob)
            return size if size > JSON_BYTES else blob.read()
    size, body = conn.execute("SELECT length(CAST(body AS BLOB)), CASE WHEN length(CAST(body AS BLOB)) <= ? "
                              f"THEN body END FROM submissions WHERE {by} = ?", (JSON_BYTES, key)).fetchone()
    return size if body is None else body


class _Clock:
    """The time spent inside SQLite (not in scoring what it gave), which DATABASE_SECONDS bounds."""

    def __init__(self):
        self.spent, self.since = 0.0, None

    def over(self) -> int:
        """1 (stop) once the time inside SQLite passes the limit."""
        running = time.monotonic() - self.since if self.since is not None else 0.0
        return int(self.spent + running > DATABASE_SECONDS)

    def rows(self, conn: sqlite3.Connection, sql: str) -> Iterator[tuple]:
        """The rows of a query, fetched a few hundred at a time on the clock."""
        self.since = time.monotonic()
        cursor = conn.execute(sql)
        while True:
            self.since = self.since or time.monotonic()
            rows = cursor.fetchmany(256)
            self.spent, self.since = self.spent + time.monotonic() - self.since, None
            if not rows:
                return
            yield from rows


def _rows(conn: sqlite3.Connection, source: str, forms, clock: _Clock) -> Iterator[Union[Response, Issue]]:
    tables = {name: (kind, sql) for name, kind, sql in clock.rows(
        conn, "SELECT name, type, sql FROM sqlite_master WHERE name IN ('submissions', 'history')")}
    for table in ("submissions", "history"):
        if tables.get(table, ("",))[0] != "table":
            found = f"a {tables[table][0]}" if table in tables else "missing"
            yield issue(Code.UNREADABLE, source, reason=f"'{table}' is {found}, not the table this server writes")
            return
    # a copy made by another program may be WITHOUT ROWID: its rows are then found by their id
    by = "id" if "WITHOUT ROWID" in " ".join((tables["submissions"][1] or "").upper().split()) else "rowid"
    # a database smaller than the cap holds no body past it; in a larger one, each body's size is asked first
    small = sum(p.stat().st_size for p in (Path(source), Path(source + "-wal")) if p.exists()) <= JSON_BYTES
    query = f"SELECT {by}, id, typeof(body), {'body' if small else 'NULL'} FROM submissions ORDER BY id"
    for key, sid, kind, body in clock.rows(conn, query):
        where = f"submissions/{sid}"
        if kind not in ("text", "blob"):
            yield issue(Code.BAD_SHAPE, source, where, reason=f"the stored submission is {kind}, not JSON text")
            continue
        body = body if small else _body(conn, key, by)
        if isinstance(body, int):
            yield issue(Code.TOO_LARGE, source, where, size=f"{body / MiB:.1f}", limit=f"{JSON_BYTES // MiB}")
            continue
        try:
            item = json.loads(body, parse_int=json_int)
        except ValueError as exc:  # written by hand or by another program: reported, the rest still read
            yield issue(Code.UNREADABLE, source, where, reason=exc)
            continue
        except RecursionError:
            yield issue(Code.TOO_DEEP, source, where, what="the stored submission", limit=DEPTH)
            continue
        if deeper_than(item, DEPTH):
            yield issue(Code.TOO_DEEP, source, where, what="the stored submission", limit=DEPTH)
            continue
        yield from read_envelope(item, forms, source, where, channel=CHANNEL)
    for hid, instance_id in clock.rows(conn, "SELECT h.id, h.instance_id FROM history h ORDER BY h.id"):
        yield issue(Code.DUPLICATE, source, f"history/{hid}", newer=instance_id)
