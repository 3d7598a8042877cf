"""Request dependencies: the archive of this thread, the signed-in user and role, the CSRF check."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import Depends, HTTPException, Request

from exhibit.archive import Archive
from exhibit.web import accounts
from exhibit.web.accounts import Session
from exhibit.web.security import LoginLimiter
from exhibit.web.settings import WebSettings

SESSION_COOKIE = "exhibit_session"
LOGIN_CSRF_COOKIE = "exhibit_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class WebState:
    """What the app keeps between requests: settings, the limiter, one catalog connection per thread."""

    def __init__(self, root: Path, settings: WebSettings) -> None:
        self.root = root
        self.settings = settings
        self.limiter = LoginLimiter(settings.login_attempts, settings.login_window_s)
        self._local = threading.local()
        with Archive.open(root, role=settings.db_role) as arch:  # checks that it is an archive
            if settings.db_role is None:  # the app role creates nothing: `exhibit serve` did, as the owner
                accounts.ensure_schema(arch)

    def archive(self) -> Archive:
        # sqlite3 connections must not be shared by concurrent threads; the server runs sync handlers in a
        # thread pool, so each thread opens its own (not Archive.open: that empties tmp/, which a running
        # ingest may be using).
        arch: Archive | None = getattr(self._local, "arch", None)
        if arch is None:
            arch = Archive.attach(self.root, role=self.settings.db_role)
            self._local.arch = arch
        return arch


class LoginRequired(Exception):
    """A page needs a signed-in user: the handler redirects to /login?next=..."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def state(request: Request) -> WebState:
    s: WebState = request.app.state.web
    return s


def archive(request: Request) -> Archive:
    return state(request).archive()


def current_session(request: Request) -> Session | None:
    return accounts.session(archive(request), request.cookies.get(SESSION_COOKIE))


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def require(role: str) -> Callable[[Request], Session]:
    """Dependency: a session whose user has at least `role`; else 401 (API) / login redirect (pages) / 403."""

    def dep(request: Request) -> Session:
        sess = current_session(request)
        if sess is None:
            if _is_api(request):
                raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Cookie"})
            nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(nxt if request.method == "GET" else "/")
        if not sess.user.may(role):
            raise HTTPException(403, f"this needs the {role} role; you are {sess.user.role}")
        return sess

    return dep


def require_post(role: str) -> Callable[[Request, Session], Awaitable[Session]]:
    """Like `require`, and the request must carry the session's CSRF token (form field or header)."""

    async def dep(request: Request, sess: Session = Depends(require(role))) -> Session:  # noqa: B008
        token = request.headers.get(CSRF_HEADER)
        if token is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
        if not token or not secrets.compare_digest(token, sess.csrf):
            raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
        return sess

    return dep


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(url: str | None) -> str:
    """Only same-site paths, so /login?next= cannot send anyone elsewhere."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url
