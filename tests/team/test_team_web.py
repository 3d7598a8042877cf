"""The web app in team mode: `exhibit serve --workers 2` (as the app's database role on PostgreSQL) while
an ingest runs and four clients search, read exhibits and the custody log, and verify, at once; afterwards
verify passes, every verification the clients asked for is in the custody log, and the chain is whole."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from team_helpers import EXHIBIT, make_archive, run, run_json

from exhibit.archive import Archive, custody

CLIENTS = 4
ROUNDS = 6


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _login(client: httpx.Client, name: str, password: str) -> str:
    import re

    r = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert token, r.text
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token.group(1),
                                    "next": "/status"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(client.get("/api/me").json()["csrf_token"])


@pytest.fixture()
def served(tmp_path: Path, corpus_dir: Path, catalog_url: str | None, truth: dict[str, Any]) -> Any:
    from exhibit.web import accounts

    root = make_archive(tmp_path / "archive", corpus_dir, catalog_url, truth)
    role: list[str] = []
    if catalog_url:
        with psycopg.connect(catalog_url, autocommit=True) as conn:
            conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='exhibit_app') THEN "
                         "CREATE ROLE exhibit_app LOGIN; END IF; END $$")
        with Archive.open(root) as arch:
            accounts.ensure_schema(arch)
        assert run("catalog", "grant-app", "exhibit_app", "--archive", str(root)).returncode == 0
        role = ["--db-role", "exhibit_app"]
    with Archive.open(root) as arch:
        password = accounts.generate_password()
        accounts.add_user(arch, "ana", "investigator", password, actor="pytest")
    port = _free_port()
    proc = subprocess.Popen([*EXHIBIT, "serve", "--port", str(port), "--workers", "2", *role, "--archive", str(root)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(300):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail(f"the server did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield root, f"http://127.0.0.1:{port}", password
    finally:
        proc.terminate()
        proc.wait(30)


def _client_work(base: str, password: str, sha: str, query: str, out: list[Any]) -> None:
    try:
        with httpx.Client(base_url=base, timeout=120) as c:
            csrf = _login(c, "ana", password)
            for _ in range(ROUNDS):
                assert c.get("/api/search", params={"q": query}).status_code == 200
                assert c.get(f"/api/exhibits/{sha[:12]}").status_code == 200
                assert c.get("/api/custody").status_code == 200
                r = c.post("/api/verify", headers={"X-CSRF-Token": csrf})
                assert r.status_code == 200, r.text
                out.append(r.json()["ok"])
    except (AssertionError, httpx.HTTPError) as e:  # handed to the test thread, which fails with it
        out.append(e)


def test_four_clients_and_an_ingest_at_once_lose_nothing(served: Any, corpus_dir: Path,
                                                         truth: dict[str, Any]) -> None:
    root, base, password = served
    sha = next(f["sha256"] for p, f in truth["files"].items() if p.startswith("documents/") and "pages" in f)
    query = next(p["query"] for p in truth["phrases"] if p["file"].startswith("documents/") and not p.get("ocr"))
    verified_before = sum(e.event == "verified" for e in Archive.open(root).custody_events())
    results: list[list[Any]] = [[] for _ in range(CLIENTS)]
    threads = [threading.Thread(target=_client_work, args=(base, password, sha, query, results[k]))
               for k in range(CLIENTS)]
    ingest = subprocess.Popen(
        [*EXHIBIT, "ingest", str(corpus_dir / "testimonies"), str(corpus_dir / "photos"), "--no-ocr",
         "--archive", str(root), "--source", "concurrent", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    out, err = ingest.communicate(timeout=600)
    assert ingest.returncode == 0, err
    for r in results:
        assert len(r) == ROUNDS and all(x is True for x in r), r
    doc = run_json("verify", "--archive", str(root))
    assert doc["ok"] is True, doc["problems"]
    with Archive.open(root) as arch:
        events = arch.custody_events()
        assert custody.broken_links(arch.catalog) == []
        # every verification a client asked for is a custody event (plus the one just above)
        assert sum(e.event == "verified" for e in events) == verified_before + CLIENTS * ROUNDS + 1
        assert any(e.details.get("source") == "concurrent" for e in events if e.event == "received")
