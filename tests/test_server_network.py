"""The hosting app under waitress as `cpc-forms serve` runs it, over real sockets on 127.0.0.1: stalled
connections cannot starve a respondent, waitress's own refusals carry the security headers, and behind nginx
(Debian's, started here) each client has its own rate limit that no X-Forwarded-For of its own can reset."""
from __future__ import annotations

import http.client
import json
import random
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from cpc_forms.catalogue import Code
from cpc_forms.channels.html import envelope
from cpc_forms.server import MAX_BYTES, create_app
from cpc_forms.server.guard import LOCKED_CSP
from cpc_forms.server.listen import make_server
from cpc_forms.synth import random_answers

from conftest import refuse_when_deselected, require_client

TOKEN = "coordinator-token-for-tests"
NGINX = Path("/usr/sbin/nginx")
STALLED = 150
# half a request each: headers cut short, or a body shorter than its Content-Length
PARTIAL = (b"POST /submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl",
           b"POST /submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: 5000\r\n\r\n{\"form_id\": ")


@contextmanager
def running(app, proxies: int = 0, **limits):
    """The app under make_server (as serve runs it) on a free loopback port, in a thread: yields the port."""
    server = make_server(app, "127.0.0.1", 0, threads=4, proxies=proxies, **limits)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.effective_port  # type: ignore[union-attr]  # one address, so one server
    finally:
        server.close()
        server.task_dispatcher.shutdown()


def _post(port: int, body: bytes, timeout: float, source: str = "127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("POST", "/submissions", body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def _dropped(sock: socket.socket, deadline: float) -> bool:
    """Whether the server closed this connection before the deadline."""
    sock.settimeout(max(0.01, deadline - time.monotonic()))
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.parametrize("limits, within", [({}, 2.0), ({"connection_limit": 100}, 8.0)],
                         ids=["serve-limits", "past-the-connection-limit"])
def test_stalled_connections_do_not_starve_a_respondent(form, tmp_path, limits, within):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0)
    body = json.dumps(envelope(form, random_answers(form, random.Random(1)))).encode()
    stalled = []
    with running(app, channel_timeout=2, cleanup_interval=1, **limits) as port:
        try:
            for n in range(STALLED):
                stalled.append(socket.create_connection(("127.0.0.1", port), timeout=5))
                stalled[-1].sendall(PARTIAL[n % 2])
            started = time.monotonic()
            status, _ = _post(port, body, timeout=within + 5)
            took = time.monotonic() - started
            assert status == 201 and took < within, f"{status} after {took:.1f} s"
            deadline = time.monotonic() + 10
            assert sum(_dropped(s, deadline) for s in stalled) == STALLED
        finally:
            for s in stalled:
                s.close()


def _raw(port: int, request: bytes):
    """Send bytes as they are; the answer's status, headers and JSON body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        resp = http.client.HTTPResponse(sock)
        resp.begin()
        return resp.status, resp.headers, json.loads(resp.read() or b"null")


def _sized(length: int) -> bytes:
    return (b"POST /submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % length + b" " * min(length, MAX_BYTES + 1))


WAITRESS_REFUSALS = [
    ("body-of-10-MB", _sized(10_000_000), 413, Code.BODY_TOO_LARGE),
    ("body-one-past-the-limit", _sized(MAX_BYTES + 1), 413, Code.BODY_TOO_LARGE),
    ("headers-of-40-KB", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 40_000 + b"\r\n\r\n", 431, None),
    ("malformed-header", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nNo colon here\r\n\r\n", 400, None),
    ("bad-chunk", b"POST /submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400, None),
]


@pytest.mark.parametrize("name, request_bytes, status, code", WAITRESS_REFUSALS, ids=[r[0] for r in WAITRESS_REFUSALS])
def test_waitress_refusals_carry_the_security_headers_and_a_message(form, tmp_path, name, request_bytes, status,
                                                                     code):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0)
    with running(app) as port:
        got, headers, body = _raw(port, request_bytes)
    assert got == status
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert headers["Content-Security-Policy"] == LOCKED_CSP and headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"] == "application/json" and body["message"]
    if code:
        assert [p["code"] for p in body["problems"]] == [code] and str(MAX_BYTES) in body["message"]
    assert app.extensions["cpc_forms"].store.count() == 0


def test_a_body_of_exactly_the_limit_reaches_the_app(form, tmp_path):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0)
    with running(app) as port:
        status, headers, body = _raw(port, _sized(MAX_BYTES))
    assert (status, body["problems"][0]["code"]) == (400, Code.INVALID_JSON)  # all spaces: read, not refused


def test_without_proxies_waitress_drops_forwarded_for(form, tmp_path):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=1, burst=2)
    with running(app) as port:
        codes = []
        for n in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/favicon.ico", headers={"X-Forwarded-For": f"198.51.100.{n}"})
            codes.append(conn.getresponse().status)
            conn.close()
    assert codes == [204, 204, 429]


NGINX_CONF = """daemon off; master_process off; worker_processes 1;
pid {d}/nginx.pid; error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log {d}/access.log; client_body_temp_path {d}/body; proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi; uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  server {{ listen 127.0.0.1:{near}; location / {{ proxy_pass http://127.0.0.1:{app};
           proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }} }}
  server {{ listen 127.0.0.1:{far}; location / {{ proxy_pass http://127.0.0.1:{near};
           proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }} }}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx(request, tmp_path):
    """start(app_port) -> (near, far): nginx on two loopback ports, near proxying to the app, far to near."""
    refuse_when_deselected(request, "nginx")
    require_client("nginx (Debian package nginx)", NGINX.exists())
    procs = []

    def start(app_port: int):
        d = tmp_path / "nginx"
        d.mkdir()
        near, far = _free_port(), _free_port()
        (d / "nginx.conf").write_text(NGINX_CONF.format(d=d, near=near, far=far, app=app_port))
        log = (d / "stderr.log").open("w")
        procs.append(subprocess.Popen([str(NGINX), "-p", str(d), "-c", str(d / "nginx.conf"), "-e",
                                       str(d / "error.log")], stdout=log, stderr=log))
        log.close()
        deadline = time.monotonic() + 10
        for port in (near, far):
            while True:
                assert procs[-1].poll() is None, (d / "error.log").read_text()
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "nginx did not start listening"
                    time.sleep(0.05)
        return near, far

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _get(port: int, source: str, forwarded_for: str = "") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    conn.request("GET", "/favicon.ico", headers={"X-Forwarded-For": forwarded_for} if forwarded_for else {})
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.clients
@pytest.mark.parametrize("hops", [1, 2], ids=["one-proxy", "two-proxies"])
def test_behind_nginx_each_client_has_its_own_limit_and_cannot_forge_another(form, tmp_path, nginx, hops, caplog):
    app = create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=1, burst=3, proxies=hops)
    with running(app, proxies=hops) as app_port, caplog.at_level("INFO", logger="cpc_forms.server"):
        front = nginx(app_port)[hops - 1]
        first = [_get(front, "127.0.0.2") for _ in range(4)]
        forged = [_get(front, "127.0.0.2", address) for address in ("127.0.0.3", "198.51.100.7", "198.51.100.8, "
                                                                    "127.0.0.4", "unknown")]
        other = [_get(front, "127.0.0.3") for _ in range(3)]
    assert first == [204, 204, 204, 429]
    assert forged == [429] * 4  # its own X-Forwarded-For comes before what nginx adds, and is not trusted
    assert other == [204, 204, 204]
    clients = [r.getMessage().split()[0] for r in caplog.records if r.name == "cpc_forms.server"]
    assert clients == ["127.0.0.2"] * 8 + ["127.0.0.3"] * 3
