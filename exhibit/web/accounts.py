"""Web accounts, roles and sessions, kept in the archive's catalog (web_* tables); passwords hashed with argon2."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from exhibit.archive import Archive
from exhibit.archive.custody import utc_now
from exhibit.errors import UserError

ROLES = ("viewer", "investigator", "admin")  # each role may do everything the ones before it may
_NAME_RE = re.compile(r"^[\w.@-]{1,64}$")
_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the time of a failed login the same
# whether or not the name is known.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

SCHEMA = """
CREATE TABLE IF NOT EXISTS web_users (
    name          TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'investigator', 'admin')),
    password_hash TEXT NOT NULL,
    created       TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS web_sessions (
    token_sha256  TEXT PRIMARY KEY,           -- the cookie holds the token; the catalog only its hash
    "user"        TEXT NOT NULL REFERENCES web_users(name),  -- quoted: a keyword on PostgreSQL
    csrf          TEXT NOT NULL,              -- session-bound CSRF token, checked on every POST
    created       TEXT NOT NULL,
    expires       TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def ensure_schema(arch: Archive) -> None:
    arch.catalog.ensure(SCHEMA)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def _check(name: str, role: str | None = None, password: str | None = None) -> None:
    if not _NAME_RE.match(name):
        raise UserError(f"{name!r}: a user name is 1-64 letters, digits, '.', '_', '@' or '-'.")
    if role is not None and role not in ROLES:
        raise UserError(f"{role!r}: unknown role; choose one of {', '.join(ROLES)}.")
    if password is not None and len(password) < 10:
        raise UserError("that password is too short: use at least 10 characters (or let exhibit generate one).")


def add_user(arch: Archive, name: str, role: str, password: str, actor: str | None = None) -> User:
    _check(name, role, password)
    ensure_schema(arch)
    if arch.catalog.execute("SELECT 1 FROM web_users WHERE name=:n", {"n": name}).fetchone():
        raise UserError(f"{name}: that user exists already; `exhibit user passwd {name}` sets a new password.")
    arch.catalog.execute("INSERT INTO web_users(name, role, password_hash, created) VALUES (:n,:r,:h,:t)",
                         {"n": name, "r": role, "h": _hasher.hash(password), "t": utc_now()})
    arch.log_event("web_user_added", None, actor, {"user": name, "role": role})
    return User(name, role)


def set_password(arch: Archive, name: str, password: str, actor: str | None = None) -> None:
    _check(name, None, password)
    ensure_schema(arch)
    cur = arch.catalog.execute("UPDATE web_users SET password_hash=:h WHERE name=:n",
                               {"h": _hasher.hash(password), "n": name})
    if cur.rowcount == 0:
        raise UserError(f"{name}: no such user; `exhibit user ls` lists them.")
    arch.catalog.execute('DELETE FROM web_sessions WHERE "user"=:n', {"n": name})  # a new password ends old sessions
    arch.log_event("web_password_set", None, actor, {"user": name})


def users(arch: Archive) -> list[dict[str, str | bool]]:
    ensure_schema(arch)
    return [{"name": r["name"], "role": r["role"], "created": r["created"], "disabled": bool(r["disabled"])}
            for r in arch.catalog.execute("SELECT * FROM web_users ORDER BY name")]


def has_admin(arch: Archive) -> bool:
    ensure_schema(arch)
    return arch.catalog.execute("SELECT 1 FROM web_users WHERE role='admin' AND disabled=0").fetchone() is not None


def authenticate(arch: Archive, name: str, password: str) -> User | None:
    """The user if the password is right, else None (same work either way)."""
    r = arch.catalog.execute("SELECT * FROM web_users WHERE name=:n AND disabled=0", {"n": name}).fetchone()
    try:
        _hasher.verify(r["password_hash"] if r else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if r is None:
        return None
    if _hasher.check_needs_rehash(r["password_hash"]):
        arch.catalog.execute("UPDATE web_users SET password_hash=:h WHERE name=:n",
                             {"h": _hasher.hash(password), "n": name})
    return User(r["name"], r["role"])


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(arch: Archive, user: User, hours: float) -> tuple[str, str]:
    """(cookie token, CSRF token) of a new session."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    arch.catalog.execute("DELETE FROM web_sessions WHERE expires < :t", {"t": now.isoformat()})
    arch.catalog.execute('INSERT INTO web_sessions(token_sha256, "user", csrf, created, expires) '
                         "VALUES (:h,:u,:c,:t,:e)",
                         {"h": _token_hash(token), "u": user.name, "c": csrf, "t": now.isoformat(),
                          "e": (now + timedelta(hours=hours)).isoformat()})
    return token, csrf


def session(arch: Archive, token: str | None) -> Session | None:
    if not token:
        return None
    r = arch.catalog.execute(
        'SELECT s.csrf, s.expires, u.name, u.role FROM web_sessions s JOIN web_users u ON u.name = s."user" '
        "WHERE s.token_sha256=:h AND u.disabled=0", {"h": _token_hash(token)}).fetchone()
    if r is None or r["expires"] < datetime.now(UTC).isoformat():
        return None
    return Session(User(r["name"], r["role"]), r["csrf"])


def end_session(arch: Archive, token: str | None) -> None:
    if token:
        arch.catalog.execute("DELETE FROM web_sessions WHERE token_sha256=:h", {"h": _token_hash(token)})
