"""Team-mode web load with writes: N users for S seconds on a PostgreSQL catalog with 2 workers, against
the same on SQLite with one worker, measured in the same run (issue 16: 0 errors, p95 server time <= 1.5x).

Both archives are the dev cache's text folders ingested the same way. Each user is a thread with its own
session, mixing the search page, exhibit pages, the custody log and two kinds of writes: link judgements
(`POST /api/link/judge` on a candidate pair: an appended judgement, its custody event and a re-clustering)
and `POST /api/verify` (re-hashes the blobs and appends a custody event). Server time is the `Server-Timing` header (request in, first byte out).

Usage: PYTHONPATH=. python bench/web_team.py --catalog postgresql://USER@HOST/DB [--users 50] [--seconds 120]
(a fresh database is created on that server and dropped after; needs CREATEDB)
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

from exhibit import link, records
from exhibit.archive import Archive
from exhibit.web import accounts

EXHIBIT = [sys.executable, "-m", "exhibit.cli"]
CORPUS = Path(os.environ.get("EXHIBIT_DEV_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"))
FOLDERS = ("documents", "registers", "archives", "mail")
QUERIES = ("培训", "管理", "学员", "points", "training", "电报", "通知", "平台")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(p * len(s)))] if s else 0.0


def ref(member: dict[str, str]) -> str:
    return member.get("record_id") or member["mention_id"]


def build(root: Path, url: str | None) -> tuple[list[str], str, list[tuple[str, str]]]:
    subprocess.run([*EXHIBIT, "init", "--archive", str(root), *(["--catalog", url] if url else [])], check=True,
                   capture_output=True)
    subprocess.run([*EXHIBIT, "ingest", *(str(CORPUS / "cache" / f) for f in FOLDERS), "--archive", str(root),
                    "--no-ocr", "--jobs", "2"], check=True, capture_output=True)
    with Archive.open(root) as arch:
        records.extract(arch)
        link.run(arch)
        pairs = [(ref(p["a"]), ref(p["b"])) for p in link.review_queue(arch)]
        refs = [e.sha256[:12] for e in arch.exhibits()]
        pw = accounts.generate_password()
        accounts.add_user(arch, "bench", "investigator", pw, actor="bench")
    if not pairs:
        raise SystemExit("the link run left no candidate pair to judge")
    return refs, pw, pairs


def login(base: str, password: str) -> tuple[httpx.Client, str]:
    c = httpx.Client(base_url=base, timeout=120)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"name": "bench", "password": password, "csrf_token": token})
    if r.status_code not in (200, 303):
        raise SystemExit(f"login failed: {r.status_code}")
    return c, str(c.get("/api/me").json()["csrf_token"])


def load(root: Path, workers: int, users: int, seconds: float, refs: list[str], pw: str,
         pairs: list[tuple[str, str]]) -> dict[str, float]:
    port = free_port()
    # The server's log goes to a file: a pipe no one reads fills up after 64 KB (a few tracebacks) and then
    # blocks the server mid-request, which looks like timeouts and a server that will not stop.
    log = (root / f"serve-{workers}.log").open("wb")
    server = subprocess.Popen([*EXHIBIT, "serve", "--archive", str(root), "--port", str(port), "--workers",
                               str(workers)], stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        server_ms: list[float] = []
        by_route: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()
        sessions = [login(base, pw) for _ in range(users)]
        go = threading.Barrier(users)
        stop = time.monotonic() + seconds

        def user(i: int) -> None:
            rng = random.Random(i)
            c, csrf = sessions[i]
            go.wait()
            while time.monotonic() < stop:
                kind = rng.random()
                try:
                    if kind < 0.4:
                        r = c.get("/search", params={"q": rng.choice(QUERIES)})
                    elif kind < 0.7:
                        r = c.get(f"/exhibits/{rng.choice(refs)}")
                    elif kind < 0.85:
                        r = c.get("/api/custody")
                    elif kind < 0.95:
                        a, b = rng.choice(pairs)
                        r = c.post("/api/link/judge", headers={"X-CSRF-Token": csrf},
                                   json={"a": a, "b": b, "verdict": rng.choice(("accept", "reject", "unsure"))})
                    else:
                        r = c.post("/api/verify", headers={"X-CSRF-Token": csrf})
                    ok, why = r.status_code == 200, f"{r.status_code} {r.url.path}"
                    st = r.headers.get("server-timing", "")
                except httpx.HTTPError as e:
                    ok, why, st = False, type(e).__name__, ""
                with lock:
                    if "dur=" in st:
                        ms = float(st.split("dur=")[1].split(",")[0])
                        server_ms.append(ms)
                        route = re.sub(r"/exhibits/.*", "/exhibits/ID", r.url.path)
                        by_route.setdefault(route, []).append(ms)
                    if not ok:
                        errors.append(why)

        threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        secs = time.perf_counter() - t0
        for c, _ in sessions:
            c.close()
        print(f"  {workers} worker(s), p50 / p95 by route:", ", ".join(
            f"{k} {statistics.median(v):.0f} / {pct(v, 0.95):.0f} ms ({len(v)})" for k, v in sorted(by_route.items())))
        if errors:
            print("  errors:", sorted(set(errors))[:10])
            print("  the server's log ends:", *log_tail(root / f"serve-{workers}.log"), sep="\n    ")
        return {"requests": len(server_ms), "per_s": len(server_ms) / secs, "errors": len(errors),
                "p50": statistics.median(server_ms) if server_ms else 0.0, "p95": pct(server_ms, 0.95)}
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def log_tail(path: Path, lines: int = 30) -> list[str]:
    return path.read_text(errors="replace").splitlines()[-lines:]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--catalog", required=True, help="a PostgreSQL server URL (postgresql://USER@HOST/DB)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=120)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="exhibit-webteam-"))
    name = "bench_" + uuid.uuid4().hex[:10]
    with psycopg.connect(a.catalog, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(a.catalog)._replace(path="/" + name))
    try:
        sq_refs, sq_pw, sq_pairs = build(work / "sqlite", None)
        pg_refs, pg_pw, pg_pairs = build(work / "pg", url)
        sq = load(work / "sqlite", 1, a.users, a.seconds, sq_refs, sq_pw, sq_pairs)
        pg = load(work / "pg", 2, a.users, a.seconds, pg_refs, pg_pw, pg_pairs)
        print(f"{a.users} users, {a.seconds:.0f} s each, load average {os.getloadavg()[0]:.1f}")
        for label, f in (("SQLite, 1 worker    ", sq), ("PostgreSQL, 2 workers", pg)):
            print(f"  {label} {f['requests']:6.0f} requests ({f['per_s']:.1f}/s), {f['errors']:.0f} errors, "
                  f"server p50 {f['p50']:.1f} ms, p95 {f['p95']:.1f} ms")
        print(f"  p95 ratio PostgreSQL/SQLite {pg['p95'] / max(sq['p95'], 1e-9):.2f}x  (target <= 1.5x, 0 errors)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        with psycopg.connect(a.catalog, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
