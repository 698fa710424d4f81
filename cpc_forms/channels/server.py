"""The hosted web form's database as a channel, so that `cpc-forms score submissions.sqlite` reads it.

The storage itself is cpc_forms/store.py; the page is the html channel's."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Iterator, List, Mapping, Sequence, Union

from ..catalogue import Code, issue
from ..model import Form, Issue, Response
from ..store import APPLICATION_ID, Store, connect
from . import Record
from .html.returns import envelope, read_envelope

__all__ = ["generate", "sniff", "read", "write_returns"]

CHANNEL = "server"
MAGIC = b"SQLite format 3\x00"
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
    """Every stored submission as a Response (or the Issue why not); replaced edits as 'duplicate' warnings."""
    source = str(path)
    try:
        conn = connect(path, readonly=True)
        rows = conn.execute("SELECT id, body FROM submissions ORDER BY id").fetchall()
        older = conn.execute("SELECT h.id, h.instance_id FROM history h ORDER BY h.id").fetchall()
        conn.close()
    except sqlite3.Error as exc:
        yield issue(Code.UNREADABLE, source, reason=exc)
        return
    for sid, body in rows:
        try:
            item = json.loads(body)
        except ValueError as exc:  # written by hand or by another program: reported, the rest still read
            yield issue(Code.UNREADABLE, source, f"submissions/{sid}", reason=exc)
            continue
        yield from read_envelope(item, forms, source, f"submissions/{sid}", channel=CHANNEL)
    for hid, instance_id in older:
        yield issue(Code.DUPLICATE, source, f"history/{hid}", newer=instance_id)
