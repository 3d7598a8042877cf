"""The web app in team mode: `exhibit serve --workers 2` (as the app's database role on PostgreSQL) while
an ingest runs and four client processes, each signed in as its own investigator, search, read exhibits
and the custody log, verify, judge the same link pair and code the same register record, at once;
afterwards verify passes, every verification, judgement and code the clients made is in the catalog and in
the custody log, the pair's history names every judge, and the chain is whole."""

from __future__ import annotations

import multiprocessing
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from team_helpers import EXHIBIT, make_archive, run, run_json

from exhibit.archive import Archive, custody

CLIENTS = 4
MINUTE = 60.0  # the minute: every client keeps working rounds until it has passed


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
    from exhibit import coding, link, records
    from exhibit.web import accounts

    root = make_archive(tmp_path / "archive", corpus_dir, catalog_url, truth)
    role: list[str] = []
    if catalog_url:
        with psycopg.connect(catalog_url, autocommit=True) as conn:
            conn.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='exhibit_app') THEN "
                         "CREATE ROLE exhibit_app LOGIN; END IF; END $$")
        assert run("catalog", "grant-app", "exhibit_app", "--archive", str(root)).returncode == 0
        role = ["--db-role", "exhibit_app"]
    with Archive.open(root) as arch:  # what the clients judge and code: records, their codes, linked people
        records.extract(arch)
        coding.run(arch)
        link.run(arch)
        password = accounts.generate_password()
        for k in range(CLIENTS):
            accounts.add_user(arch, f"inv{k}", "investigator", password, actor="pytest")
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


VERDICTS = ("accept", "reject", "unsure")


def _client_work(base: str, k: int, password: str, work: dict[str, Any], out: Any) -> None:
    """One investigator's minute, in a process of its own; what went wrong is handed back to the test."""
    try:
        with httpx.Client(base_url=base, timeout=120) as c:
            csrf = _login(c, f"inv{k}", password)
            head = {"X-CSRF-Token": csrf}
            stop, i = time.monotonic() + MINUTE, 0
            while time.monotonic() < stop:
                assert c.get("/api/search", params={"q": work["query"]}).status_code == 200
                assert c.get(f"/api/exhibits/{work['sha'][:12]}").status_code == 200
                assert c.get("/api/custody").status_code == 200
                r = c.post("/api/verify", headers=head)
                assert r.status_code == 200, r.text
                assert r.json()["ok"] is True
                r = c.post("/api/link/judge", headers=head,
                           json={"a": work["a"], "b": work["b"], "verdict": VERDICTS[(k + i) % len(VERDICTS)]})
                assert r.status_code == 200, r.text
                r = c.post("/api/coding/code", headers=head,
                           json={"record_id": work["record"], "categories": [work["categories"][(k + i) % 2]],
                                 "note": f"inv{k} round {i}"})
                assert r.status_code == 200, r.text
                i += 1
        out.put((k, "done", i))
    except (AssertionError, httpx.HTTPError) as e:
        out.put((k, repr(e), 0))


def _work_items(root: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """What every client works on: one exhibit, a phrase it holds, one candidate pair, one coded record."""
    from exhibit.coding import store as coding_store
    from exhibit.link import review_queue

    sha = next(f["sha256"] for p, f in truth["files"].items() if p.startswith("documents/") and "pages" in f)
    query = next(p["query"] for p in truth["phrases"] if p["file"].startswith("documents/") and not p.get("ocr"))
    with Archive.open(root) as arch:
        first = review_queue(arch)[0]
        a, b = (first[k].get("record_id") or first[k]["mention_id"] for k in ("a", "b"))
        a, b = min(a, b), max(a, b)  # as the store keys a pair
        record = arch.catalog.execute("SELECT record_id FROM code_records ORDER BY ordinal LIMIT 1").fetchone()[0]
        categories = coding_store.current_codebook(arch).ids()[:2]
    return {"sha": sha, "query": query, "a": a, "b": b, "record": record, "categories": categories}


def test_four_clients_and_an_ingest_at_once_lose_nothing(served: Any, corpus_dir: Path,
                                                         truth: dict[str, Any]) -> None:
    from exhibit.link import store as link_store

    root, base, password = served
    work = _work_items(root, truth)
    with Archive.open(root) as arch:
        events = arch.custody_events()
        verified_before = sum(e.event == "verified" for e in events)
        hand_before = int(arch.catalog.execute("SELECT count(*) FROM code_hand WHERE record_id = :r",
                                               {"r": work["record"]}).fetchone()[0])
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    clients = [ctx.Process(target=_client_work, args=(base, k, password, work, results)) for k in range(CLIENTS)]
    ingest = subprocess.Popen(
        [*EXHIBIT, "ingest", str(corpus_dir / "testimonies"), str(corpus_dir / "photos"), "--no-ocr",
         "--archive", str(root), "--source", "concurrent", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    for p in clients:
        p.start()
    done = [results.get(timeout=600) for _ in clients]
    for p in clients:
        p.join(60)
    out, err = ingest.communicate(timeout=600)
    assert ingest.returncode == 0, err
    assert sorted((k, what) for k, what, _ in done) == [(k, "done") for k in range(CLIENTS)], done
    rounds = {k: n for k, _, n in done}
    assert min(rounds.values()) >= 1, rounds
    doc = run_json("verify", "--archive", str(root))
    assert doc["ok"] is True, doc["problems"]
    with Archive.open(root) as arch:
        events = arch.custody_events()
        assert custody.broken_links(arch.catalog) == []
        # every verification a client asked for is a custody event (plus the one just above)
        assert sum(e.event == "verified" for e in events) == verified_before + sum(rounds.values()) + 1
        assert any(e.details.get("source") == "concurrent" for e in events if e.event == "received")
        # no judgement lost: every one kept, with its judge, and the view says which is in force and why
        history = link_store.judgement_history(arch.catalog, [(work["a"], work["b"])])[(work["a"], work["b"])]
        assert len(history.history) == sum(rounds.values())
        assert {j.actor for j in history.history} == {f"inv{k}" for k in range(CLIENTS)}
        shown = history.as_json()
        assert shown["wins"]["seq"] == max(j.seq for j in history.history) and shown["wins"]["why"]
        last = {f"inv{k}": VERDICTS[(k + rounds[k] - 1) % len(VERDICTS)] for k in range(CLIENTS)}
        assert shown["standing"] == last  # each investigator's own latest verdict
        assert shown["disagreement"] is (len(set(last.values())) > 1)  # the view says when they differ
        hand = arch.catalog.execute("SELECT coder, note FROM code_hand WHERE record_id = :r ORDER BY id",
                                    {"r": work["record"]}).fetchall()
        assert len(hand) == hand_before + sum(rounds.values())
        for k in range(CLIENTS):  # each coder's judgements all there, in the order they were made
            assert [n for c, n in hand if c == f"inv{k}"] == [f"inv{k} round {i}" for i in range(rounds[k])]
