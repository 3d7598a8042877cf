"""Helpers of the web tests (a module with a unique name: tests/web has no __init__.py)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

HOSTILE_NAME = "<script>alert(1)</script>.txt"
HOSTILE_TEXT = '<html><body><script>alert("doc")</script><img src=x onerror=alert(2)>证据材料 hostile</body></html>\n'
ROLES = ("viewer", "investigator", "admin")


def add_hostile_file(root: Path, work: Path) -> None:
    """Ingest a file whose name and content are HTML, through the real pipeline."""
    from exhibit.archive import Archive
    from exhibit.config import Config
    from exhibit.ingest import ingest

    src = work / "hostile"
    # "/" cannot be in a file name, so the name's "</" makes a folder: the exhibit's path is still
    # exactly HOSTILE_NAME, which is what pages show.
    (src / HOSTILE_NAME).parent.mkdir(parents=True, exist_ok=True)
    (src / HOSTILE_NAME).write_text(HOSTILE_TEXT, encoding="utf-8")
    (src / "cells.csv").write_text("姓名,备注\n<img src=x onerror=alert(3)>,zzhostile\n", encoding="utf-8")
    with Archive.open(root) as arch:
        ingest(arch, [src], Config(jobs=1, custodian="pytest"))


def derive(root: Path) -> None:
    """Run the capabilities the pages show: records and their checks, coding, linking."""
    from exhibit import checks, coding, link, records
    from exhibit.archive import Archive

    with Archive.open(root) as arch:
        records.extract(arch)
        checks.check(arch)
        coding.run(arch)
        link.run(arch)


def add_users(root: Path) -> dict[str, str]:
    """One account per role; {role: password}. The user is named after the role."""
    from exhibit.archive import Archive
    from exhibit.web import accounts

    pw = {}
    with Archive.open(root) as arch:
        for role in ROLES:
            pw[role] = accounts.generate_password()
            accounts.add_user(arch, role, role, pw[role], actor="pytest")
    return pw


def login(client: TestClient, name: str, password: str) -> str:
    """Sign in through the login form; returns the session's CSRF token (read from a page)."""
    r = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert token, r.text
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token.group(1),
                                    "next": "/status"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    me = client.get("/api/me").json()
    return str(me["csrf_token"])


