"""A real server process (waitress, loopback) under load from 20 concurrent clients, and killed with SIGKILL
in the middle of such a load: every acknowledged submission stored once and intact, no 5xx."""
from __future__ import annotations

import http.client
import json
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from cpc_forms import store
from cpc_forms.channels.html import envelope
from cpc_forms.synth import random_answers

ROOT = Path(__file__).parent.parent
TOKEN = "coordinator-token-for-tests"
CLIENTS = 20
SERVE = ("import sys; from cpc_forms.spec import load_form; from cpc_forms.server import serve; "
         "serve(load_form(sys.argv[1]), sys.argv[2], port=0, admin_token=sys.argv[3], rate_per_minute=0)")


class Served:
    """One server process on a free loopback port; its log goes to a file."""

    def __init__(self, form, db: Path, log: Path):
        self.log = log.open("a")
        self.proc = subprocess.Popen([sys.executable, "-u", "-c", SERVE, form.source, str(db), TOKEN], cwd=ROOT,
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, f"the server did not start: {line!r}, see {log}"
        self.port = int(found.group(1))

    def get(self, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp.status, body

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.log.close()


def _instance(rng):
    return f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _invalid(form, rng, kind):
    """One deliberately bad submission: (body, content type)."""
    sent = envelope(form, random_answers(form, rng), instance_id=_instance(rng))
    select = next(q for q in form.questions if q.kind == "select_one")
    if kind == 0:
        sent["answers"].setdefault(select.section, {})[select.id] = "not-a-code"
    elif kind == 1:
        sent["answers"].setdefault(form.sections[-1].id, {})["no_such_question"] = "1"
    elif kind == 2:
        sent["form_id"] = "another_form"
    elif kind == 3:
        return json.dumps(sent)[:-5].encode(), "application/json"
    elif kind == 4:
        return json.dumps(sent).encode(), "text/plain"
    else:
        del sent["instance_id"]
    return json.dumps(sent).encode(), "application/json"


def plan(form, total: int, seed: int = 7):
    """total submissions, shuffled: 80 % new, 10 % retries of one of those, 10 % invalid.

    Each item: (kind, instance_id, body, content type, nested answers sent)."""
    rng = random.Random(seed)
    fresh = []
    for _ in range(total - 2 * (total // 10)):
        sent = envelope(form, random_answers(form, rng), instance_id=_instance(rng))
        fresh.append(("new", sent["instance_id"], json.dumps(sent).encode(), "application/json", sent["answers"]))
    retries = []
    for n in range(total // 10):
        _, iid, body, ctype, answers = rng.choice(fresh)
        if n % 2:  # the page sends a new 'submitted' time on every try; the answers make it the same submission
            again = dict(json.loads(body), submitted="2099-01-01T00:00:00+00:00")
            body = json.dumps(again).encode()
        retries.append(("retry", iid, body, ctype, answers))
    bad = [("bad", "", *_invalid(form, rng, n % 6), None) for n in range(total // 10)]
    items = fresh + retries + bad
    rng.shuffle(items)
    return items


def send_all(port: int, items, killed: threading.Event = None):
    """Post every item from CLIENTS threads, each on its own keep-alive connection: [(item, status, answer)].

    status None: no answer (the connection broke); after `killed` is set a thread stops at its first such."""
    work = queue.Queue()
    for item in items:
        work.put(item)
    results, lock = [], threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            try:
                item = work.get_nowait()
            except queue.Empty:
                break
            try:
                conn.request("POST", "/submissions", body=item[2], headers={"Content-Type": item[3]})
                resp = conn.getresponse()
                outcome = (item, resp.status, json.loads(resp.read()))
            except (OSError, http.client.HTTPException):
                outcome = (item, None, None)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                results.append(outcome)
            if outcome[1] is None and killed is not None and killed.is_set():
                break
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    return threads, results


def _stored(served) -> dict:
    status, body = served.get("/admin/export.json")
    assert status == 200
    return {e["instance_id"]: e for e in json.loads(body)["returns"]}


def _same(sent_answers, stored_env) -> bool:
    return stored_env["answers"] == json.loads(json.dumps(sent_answers))


def test_load_stores_each_valid_submission_once(any_form, tmp_path):
    db = tmp_path / "load.sqlite"
    served = Served(any_form, db, tmp_path / "server.log")
    try:
        items = plan(any_form, 2000)
        threads, results = send_all(served.port, items)
        for t in threads:
            t.join(timeout=600)
        assert len(results) == 2000
        assert not [r for r in results if r[1] is None or r[1] >= 500]
        assert not [r for r in results if r[0][0] == "bad" and not 400 <= r[1] < 500]
        valid = [r for r in results if r[0][0] != "bad"]
        assert all(r[1] in (200, 201) for r in valid)
        distinct = {r[0][1] for r in valid}
        created = [r[0][1] for r in valid if r[1] == 201]
        assert sorted(created) == sorted(distinct)  # exactly one 201 per distinct submission
        ids = {}
        for item, _, answer in valid:
            assert ids.setdefault(item[1], answer["id"]) == answer["id"]
        status, health = served.get("/admin/health")
        assert json.loads(health)["submissions"] == len(distinct)
        stored = _stored(served)
        assert set(stored) == distinct
        assert all(_same(item[4], stored[item[1]]) for item, _, _ in valid)
    finally:
        served.stop()
    assert store.integrity_check(db) == ["ok"]
    log = (tmp_path / "server.log").read_text()
    assert log.count("POST /submissions") == 2000


def test_sigkill_mid_load_loses_no_acknowledged_submission(form, tmp_path):
    db = tmp_path / "crash.sqlite"
    served = Served(form, db, tmp_path / "server.log")
    killed = threading.Event()
    items = plan(form, 2000, seed=11)
    threads, results = send_all(served.port, items, killed)
    deadline = time.monotonic() + 120
    while sum(1 for r in list(results) if r[1] in (200, 201)) < 300 and time.monotonic() < deadline:
        time.sleep(0.01)
    killed.set()
    os.kill(served.proc.pid, signal.SIGKILL)
    for t in threads:
        t.join(timeout=120)
    served.stop()
    before = list(results)
    assert not [r for r in before if r[1] is not None and r[1] >= 500]
    acknowledged = {r[0][1]: r for r in before if r[1] in (200, 201)}
    assert len(acknowledged) >= 200 and len(before) < len(items)  # killed mid-load, after many acknowledgements
    assert store.integrity_check(db) == ["ok"]

    again = Served(form, db, tmp_path / "server.log")
    try:
        stored = _stored(again)
        missing = set(acknowledged) - set(stored)
        assert not missing
        for iid, (item, _, _answer) in acknowledged.items():
            assert _same(item[4], stored[iid])
        item, _, answer = next(iter(acknowledged.values()))
        threads, retried = send_all(again.port, [item])
        threads[0].join(timeout=60)
        assert [(r[1], r[2]["id"]) for r in retried] == [(200, answer["id"])]
    finally:
        again.stop()
    assert store.integrity_check(db) == ["ok"]
