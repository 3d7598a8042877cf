"""The web commands: `exhibit user add|ls|passwd` and `exhibit serve --demo-admin`."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient
from web_helpers import login

from exhibit.archive import Archive
from exhibit.web.app import create_app

EXHIBIT = [str(Path(sys.executable).parent / "exhibit")]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXHIBIT, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_user_add_prints_a_generated_password_that_signs_in(tmp_path: Path) -> None:
    root = tmp_path / "a"
    Archive.init(root).close()
    r = run("user", "add", "alice", "--role", "investigator", "--archive", str(root))
    assert r.returncode == 0, r.stderr
    pw = r.stdout.strip()
    assert len(pw) >= 16
    r2 = run("user", "add", "bob", "--role", "viewer", "--archive", str(root))
    assert r2.stdout.strip() != pw  # random, never fixed
    with TestClient(create_app(root)) as c:
        login(c, "alice", pw)
        assert c.get("/api/me").json() == {"name": "alice", "role": "investigator",
                                           "csrf_token": c.get("/api/me").json()["csrf_token"]}
    users = json.loads(run("user", "ls", "--json", "--archive", str(root)).stdout)
    assert [(u["name"], u["role"]) for u in users] == [("alice", "investigator"), ("bob", "viewer")]
    with Archive.open(root) as arch:
        stored = arch.catalog.execute("SELECT password_hash FROM web_users WHERE name = :n", {"n": "alice"}).fetchone()[0]
        assert stored.startswith("$argon2id$") and pw not in stored
        assert any(e.event == "web_user_added" for e in arch.custody_events())


def test_user_add_reads_a_password_from_stdin_and_refuses_bad_input(tmp_path: Path) -> None:
    root = tmp_path / "a"
    Archive.init(root).close()
    r = run("user", "add", "carol", "--role", "admin", "--password-stdin", "--archive", str(root),
            stdin="correct horse battery\n")
    assert r.returncode == 0 and r.stdout.strip() == ""
    assert run("user", "add", "carol", "--role", "admin", "--archive", str(root)).returncode == 2  # exists
    bad = run("user", "add", "dave", "--role", "superuser", "--archive", str(root))
    assert bad.returncode == 2 and "viewer, investigator, admin" in bad.stderr
    short = run("user", "add", "erin", "--password-stdin", "--archive", str(root), stdin="short\n")
    assert short.returncode == 2 and "too short" in short.stderr
    r = run("user", "passwd", "carol", "--password-stdin", "--archive", str(root), stdin="another long secret\n")
    assert r.returncode == 0
    with TestClient(create_app(root)) as c:
        login(c, "carol", "another long secret")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_demo_admin_prints_url_and_a_fresh_password(tmp_path: Path) -> None:
    root = tmp_path / "a"
    Archive.init(root).close()
    passwords = []
    for _ in range(2):
        port = _free_port()
        p = subprocess.Popen([*EXHIBIT, "serve", "--archive", str(root), "--port", str(port), "--demo-admin"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            out = ""
            deadline = time.monotonic() + 60
            while "password:" not in out and time.monotonic() < deadline:
                out += p.stdout.readline()  # type: ignore[union-attr]
            assert f"http://127.0.0.1:{port}/" in out
            passwords.append(re.search(r"password:\s+(\S+)", out).group(1))  # type: ignore[union-attr]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # it answers on loopback
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                raise AssertionError("the server did not listen")
        finally:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(30)
    assert passwords[0] != passwords[1]
    with TestClient(create_app(root)) as c:
        login(c, "admin", passwords[1])
        assert c.get("/api/me").json()["role"] == "admin"
