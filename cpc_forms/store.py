"""Submission storage in SQLite (WAL, one transaction per submission, replaced edits kept in history).

Storage only: the scorer's reader of such a database is the "server" channel (cpc_forms/channels/server.py)."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, List, Mapping, Optional

from .returns import EPOCH, instant

APPLICATION_ID = 0x43504346  # "CPCF": stamped into the file header, so a reader knows the file without a query
CREATED, REPLACED, DUPLICATE, OLDER, REFUSED = "created", "replaced", "duplicate", "older", "refused"

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    instance_id TEXT NOT NULL UNIQUE,
    form_id TEXT NOT NULL,
    form_version TEXT NOT NULL,
    language TEXT NOT NULL,
    started TEXT NOT NULL,
    submitted TEXT NOT NULL,
    received TEXT NOT NULL,
    digest TEXT NOT NULL,
    body TEXT NOT NULL,
    edit_key TEXT NOT NULL DEFAULT ''  -- SHA-256 of the edit token given at the first submission
);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    instance_id TEXT NOT NULL,
    form_version TEXT NOT NULL,
    submitted TEXT NOT NULL,
    received TEXT NOT NULL,
    digest TEXT NOT NULL,
    body TEXT NOT NULL,
    reason TEXT NOT NULL  -- replaced (was current until a newer edit came) or older (arrived outdated)
);
CREATE INDEX IF NOT EXISTS history_submission ON history(submission_id);
"""
_INSERT_SUBMISSION = ("INSERT INTO submissions (instance_id, form_id, form_version, language, started, submitted, "
                      "received, digest, body, edit_key) VALUES (:instance_id, :form_id, :form_version, :language, "
                      ":started, :submitted, :received, :digest, :body, :edit_key)")
_UPDATE_SUBMISSION = ("UPDATE submissions SET form_id = :form_id, form_version = :form_version, language = :language, "
                      "started = :started, submitted = :submitted, received = :received, digest = :digest, "
                      "body = :body WHERE id = :id")
_INSERT_HISTORY = ("INSERT INTO history (submission_id, instance_id, form_version, submitted, received, digest, body, "
                   "reason) VALUES (:submission_id, :instance_id, :form_version, :submitted, :received, :digest, "
                   ":body, :reason)")


@dataclass(frozen=True)
class Receipt:
    """What the store did with one submission: created, replaced, duplicate, older or refused; its id; and,
    when created, the edit token that a later edit must carry."""
    status: str
    id: int
    token: str = ""


def digest(envelope: Mapping[str, Any]) -> str:
    """What makes two submissions the same content: the form version and the answers."""
    canonical = json.dumps([envelope.get("form_version"), envelope.get("answers")], sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def edit_key(token: str) -> str:
    """What is stored of an edit token: its SHA-256 (the token is random, so no slower hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def connect(path, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, full sync, waiting on locks."""
    if readonly:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                               isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class Store:
    """The submissions database of one campaign; safe to share between threads (one connection each)."""

    def __init__(self, path):
        self.path = Path(path)
        self._local = threading.local()
        # stamped before WAL mode is on, so that the stamp is in the file itself, not only in its -wal
        conn = sqlite3.connect(str(self.path), isolation_level=None)
        try:
            if conn.execute("PRAGMA application_id").fetchone()[0] not in (0, APPLICATION_ID):
                raise ValueError(f"{self.path} is a database of another application")
            conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
            conn.executescript(SCHEMA)
            if "edit_key" not in {row[1] for row in conn.execute("PRAGMA table_info(submissions)")}:
                # a database of an earlier release: its submissions have no edit token, so none can be edited
                conn.execute("ALTER TABLE submissions ADD COLUMN edit_key TEXT NOT NULL DEFAULT ''")
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
        return conn

    def close(self) -> None:
        """Close this thread's connection; the last one closed folds the write-ahead log back into the file."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            conn.close()

    def _tx(self):
        return _Transaction(self._conn())

    def put(self, envelope: Mapping[str, Any], received: Optional[str] = None,
            token: Optional[str] = None) -> Receipt:
        """Store one validated envelope in one transaction, idempotent on its instance id.

        token: the edit token the sender presented ("" for none); anything but a resend of the same answers needs
        the one the first submission was given. None: a trusted writer (the demo, a test), nothing checked."""
        new = dict(instance_id=envelope["instance_id"], form_id=envelope["form_id"],
                   form_version=envelope["form_version"], language=envelope.get("language") or "",
                   started=envelope.get("started") or "", submitted=envelope["submitted"],
                   received=received or dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                   digest=digest(envelope), body=json.dumps(envelope, ensure_ascii=False, separators=(",", ":")))
        with self._tx() as conn:
            cur = conn.cursor()
            cur.row_factory = sqlite3.Row
            old = cur.execute("SELECT * FROM submissions WHERE instance_id = :instance_id", new).fetchone()
            if old is None:
                fresh = secrets.token_urlsafe(24)
                created = conn.execute(_INSERT_SUBMISSION, dict(new, edit_key=edit_key(fresh))).lastrowid
                return Receipt(CREATED, created, fresh)
            sid = old["id"]
            if old["digest"] == new["digest"]:
                return Receipt(DUPLICATE, sid)
            if token is not None and not hmac.compare_digest(edit_key(token), old["edit_key"]):
                return Receipt(REFUSED, sid)
            # both were checked as times on arrival; a time that does not parse sorts first, as in returns.py
            if (instant(new["submitted"]) or EPOCH) < (instant(old["submitted"]) or EPOCH):
                conn.execute(_INSERT_HISTORY, dict(new, submission_id=sid, reason=OLDER))
                return Receipt(OLDER, sid)
            conn.execute(_INSERT_HISTORY, dict(old, submission_id=sid, reason=REPLACED))
            conn.execute(_UPDATE_SUBMISSION, dict(new, id=sid))
            return Receipt(REPLACED, sid)

    def count(self) -> int:
        """How many submissions are stored (edits counted once)."""
        return self._conn().execute("SELECT count(*) FROM submissions").fetchone()[0]

    def state(self) -> tuple:
        """Changes whenever anything is stored: a cheap key for caches of derived results."""
        return self._conn().execute("SELECT (SELECT count(*) FROM submissions), (SELECT max(received) FROM "
                                    "submissions), (SELECT count(*) FROM history)").fetchone()

    def listing(self, limit: int = 1000, offset: int = 0) -> List[dict]:
        """Metadata of stored submissions (never answers), oldest first."""
        rows = self._conn().execute(
            "SELECT s.id, instance_id, form_id, form_version, language, started, submitted, received, "
            "(SELECT count(*) FROM history h WHERE h.submission_id = s.id) FROM submissions s "
            "ORDER BY s.id LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        keys = ("id", "instance_id", "form_id", "form_version", "language", "started", "submitted", "received",
                "history")
        return [dict(zip(keys, row)) for row in rows]

    def envelopes(self) -> Iterator[tuple]:
        """(id, received, envelope) of every stored submission, oldest first, from a snapshot."""
        conn = connect(self.path, readonly=True)
        try:
            for sid, received, body in conn.execute("SELECT id, received, body FROM submissions ORDER BY id"):
                yield sid, received, json.loads(body)
        finally:
            conn.close()

    def history(self, instance_id: str) -> List[dict]:
        """Every earlier or outdated edit of one submission, oldest first."""
        rows = self._conn().execute("SELECT submitted, received, reason, body FROM history WHERE instance_id = ? "
                                    "ORDER BY id", (instance_id,)).fetchall()
        return [dict(submitted=s, received=r, reason=why, envelope=json.loads(b)) for s, r, why, b in rows]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error: a submission is stored whole or not at all."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, kind, exc, tb):
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
        return False


def integrity_check(path) -> List[str]:
    """SQLite's own verdict on a database file: ['ok'] when sound."""
    conn = connect(path, readonly=True)
    try:
        return [row[0] for row in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()

