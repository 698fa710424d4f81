"""What stands between the network and the data: the coordinator token, a per-client rate limit,
security headers and a request log that never holds answer content."""
from __future__ import annotations

import base64
import hmac
import logging
import os
import secrets
import threading
import time
from typing import List, Optional, Tuple

TOKEN_ENV = "CPC_ADMIN_TOKEN"
MIN_TOKEN = 16
log = logging.getLogger("cpc_forms.server")

# Nothing but what a route allows itself; no route sets Access-Control-Allow-Origin, so CORS stays closed.
LOCKED_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def resolve_token(explicit: Optional[str] = None) -> Tuple[str, bool]:
    """The coordinator token: given, else from $CPC_ADMIN_TOKEN, else a new random one (second item True)."""
    token = explicit or os.environ.get(TOKEN_ENV, "")
    if not token:
        return secrets.token_urlsafe(32), True
    if len(token) < MIN_TOKEN:
        raise ValueError(f"the coordinator token must be at least {MIN_TOKEN} characters long")
    return token, False


def presented_token(authorization: str) -> str:
    """The token in an Authorization header: 'Bearer <token>', or Basic with the token as password."""
    scheme, _, value = (authorization or "").strip().partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (ValueError, UnicodeDecodeError):
            return ""
    return ""


def token_ok(authorization: str, token: str) -> bool:
    """Whether a request carries the coordinator token (compared in constant time)."""
    return hmac.compare_digest(presented_token(authorization).encode("utf-8"), token.encode("utf-8"))


class RateLimit:
    """A token bucket per client address: `burst` requests at once, refilled at `per_minute`."""

    def __init__(self, per_minute: float, burst: int):
        self.rate, self.burst = per_minute / 60.0, burst
        self._buckets: dict = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> Tuple[bool, int]:
        """(allowed, seconds to wait before the next request would be)."""
        if self.rate <= 0:
            return True, 0
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > 10000:
                self._forget_idle(now)
            level, then = self._buckets.get(client, (float(self.burst), now))
            level = min(float(self.burst), level + (now - then) * self.rate)
            if level < 1.0:
                self._buckets[client] = (level, now)
                return False, max(1, int((1.0 - level) / self.rate + 0.999))
            self._buckets[client] = (level - 1.0, now)
            return True, 0

    def _forget_idle(self, now: float) -> None:
        full = self.burst / self.rate
        self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}


def secure(response, cache: str = "no-store"):
    """Add the security headers every answer carries (a route's own CSP and cache policy are kept)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", LOCKED_CSP)
    response.headers.setdefault("Cache-Control", cache)
    return response


def headers(cache: str = "no-store") -> List[Tuple[str, str]]:
    """The security headers of an answer that sets none of its own (waitress's refusals)."""
    return [*HEADERS.items(), ("Content-Security-Policy", LOCKED_CSP), ("Cache-Control", cache)]


def log_request(client: str, method: str, path: str, status: int, size, started: float) -> None:
    """One line per request: who, what route, the outcome; never a query string or a body."""
    path = "".join(c if c.isprintable() and c != " " else "?" for c in path[:200])
    log.info("%s %s %s %s %s %.1fms", client, method, path, status, size if size is not None else "-",
             (time.perf_counter() - started) * 1000)
