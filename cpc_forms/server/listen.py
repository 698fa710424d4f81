"""waitress around the hosting app: limits that keep stalled connections from starving everyone else, the proxy
headers passed on only when the app trusts them, and waitress's own refusals in the app's shape and headers."""
from __future__ import annotations

import json
import time
from typing import Any, Dict, Union

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, MultiSocketServer, create_server
from waitress.task import ErrorTask

from ..catalogue import Code, issue
from ..model import Form
from . import guard
from .submit import answer, language

# waitress's defaults (100 connections, 120 s of silence allowed) let 110 sockets that send half a request and
# stall take every slot: everyone else waited in the backlog until they timed out.
LIMITS: Dict[str, Any] = dict(
    connection_limit=1000,  # a stalled connection costs a socket and a few KB, never a thread
    channel_timeout=20,  # seconds a connection may stay silent (mid-request or idle) before it is closed
    cleanup_interval=2,  # how often silent connections are looked for
    max_request_header_size=32 * 1024,  # nginx's own default is 4 buffers of 8 KB
    inbuf_overflow=64 * 1024,  # a body past this waits in a temporary file, not in memory
    asyncore_use_poll=True,  # select() cannot watch a descriptor numbered past 1023
)
SPARE_FILES = 64  # descriptors kept for the database, the log, the listening sockets and waitress's own pipe


class _Refusal(ErrorTask):
    """waitress's own refusals (413 body too large, 400 malformed, 431 headers too large) as the app answers."""

    def execute(self):
        started = time.perf_counter()
        request: Any = self.request  # the request's parser (the stubs call it an Error)
        error = request.error
        if error.code == 413:
            channel: Any = self.channel  # a _Channel, which knows the hosted form
            spoken = language(request.headers.get("ACCEPT_LANGUAGE"), channel.form)
            body = answer([issue(Code.BODY_TOO_LARGE, "submission",
                                 limit=self.channel.server.adj.max_request_body_size - 1)], spoken)
        else:
            body = {"message": f"{error.reason}: {error.body}"}
        data = json.dumps(body).encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers = [*self.response_headers, ("Content-Type", "application/json"), *guard.headers()]
        self.set_close_on_finish()
        self.content_length = len(data)
        self.write(data)
        # a request refused before its first line was read has neither method nor path
        guard.log_request(str(self.channel.addr[0]), getattr(request, "command", "-"), getattr(request, "path", "-"),
                          error.code, len(data), started)


class _Channel(HTTPChannel):
    error_task_class = _Refusal
    form: Form  # the hosted form: its languages are those a refusal can be answered in


def room_for(connections: int) -> int:
    """How many connections the process can hold open; raises its soft limit of open files (up to the hard one)
    when that is too low."""
    try:
        import resource
    except ImportError:  # not on POSIX: the system's own limits apply
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    return connections if soft == resource.RLIM_INFINITY else max(1, min(connections, soft - SPARE_FILES))


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 8000, *, threads: int = 8, proxies: int = 0,
                **limits) -> Union[MultiSocketServer, BaseWSGIServer]:
    """A waitress server for the app (not yet running); limits override LIMITS."""
    adjustments = {**LIMITS, **limits}
    adjustments["connection_limit"] = room_for(adjustments["connection_limit"])
    sockets: dict = {}
    # waitress removes X-Forwarded-* unless told otherwise; behind proxies the app's ProxyFix reads them, trusting
    # only the last `proxies` hops
    server = create_server(app, map=sockets, host=host, port=port, threads=threads, ident="",
                           max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1,  # waitress refuses at >=
                           clear_untrusted_proxy_headers=not proxies, **adjustments)
    for listener in list(sockets.values()):
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = type("_Channel", (_Channel,), {"form": app.extensions["cpc_forms"].form})
    return server
