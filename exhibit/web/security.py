"""HTTP hardening: security headers on every response and login rate limiting."""

from __future__ import annotations

import threading
import time
from collections import deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline scripts or styles anywhere: JS and CSS come from /static, images from this origin.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware on every request)."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.headers = HEADERS + ([(b"strict-transport-security", b"max-age=31536000")] if hsts else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = time.perf_counter()
        # pages show sensitive data and are never cached; our CSS and JS may be, for an hour
        cache = b"private, max-age=3600" if scope["path"].startswith("/static/") else b"no-store"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in names]
                # time to the first byte, for bench/web_load.py and the browser's network panel
                extra.append((b"server-timing", f"app;dur={(time.perf_counter() - started) * 1000:.1f}".encode()))
                if not any(k.lower() == b"cache-control" for k in names):
                    extra.append((b"cache-control", cache))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


class LoginLimiter:
    """At most `attempts` failed logins per (client IP, user name) within `window` seconds, and ten times
    that per client IP over all names (a spray of names). In memory: a restart forgets, which is fine for
    one process on one machine."""

    def __init__(self, attempts: int, window: float) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and q[0] < now - self.window:
            q.popleft()
        return q

    def blocked(self, ip: str, user: str) -> float:
        """Seconds to wait before another attempt, 0 if allowed now."""
        now = time.monotonic()
        with self._lock:
            waits = [q[0] + self.window - now for q, limit in ((self._recent((ip, user), now), self.attempts),
                                                            (self._recent((ip, "\0any"), now), self.attempts * 10))
                     if len(q) >= limit]
            return max(waits, default=0.0)

    def failed(self, ip: str, user: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent((ip, user), now).append(now)
            self._recent((ip, "\0any"), now).append(now)
            if len(self._failures) > 100_000:  # bound memory under a spray of names
                self._failures = {k: v for k, v in self._failures.items() if v and v[-1] > now - self.window}

    def succeeded(self, ip: str, user: str) -> None:
        with self._lock:
            self._failures.pop((ip, user), None)
