"""Settings of the web app, built explicitly by `exhibit serve` (or a test) and passed to create_app."""

from __future__ import annotations

from dataclasses import dataclass

from exhibit.web.bounds import REQUEST_DEADLINE_S


@dataclass(frozen=True)
class WebSettings:
    secure_cookies: bool = False      # set when served over TLS (directly or behind a TLS proxy)
    session_hours: float = 12.0       # a session ends this long after login
    login_attempts: int = 5           # failed logins allowed per (client IP, user name) ...
    login_window_s: float = 300.0     # ... within this many seconds, then 429 until the window passes
    page_size: int = 20               # hits, records, events per page
    image_width: int = 1200           # page images are rendered to about this many pixels wide
    request_deadline_s: float = REQUEST_DEADLINE_S  # an answer starts within this many seconds, else 503
    viewers_annotate: bool = False    # viewers may tag, note and highlight too (they always read them)
    db_role: str | None = None        # team mode: the PostgreSQL role the app acts as (`exhibit catalog grant-app`)
