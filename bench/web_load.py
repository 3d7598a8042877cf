"""Web app under load: the search page's server time on a big archive, and many concurrent users.

    .venv/bin/python bench/web_load.py --pages 20000                # smoke size
    .venv/bin/python bench/web_load.py --pages 1000000 --dir /var/tmp/webbench
    .venv/bin/python bench/web_load.py --archive PATH               # an existing archive with pages

Builds an archive of N generated pages (search_scale.py's generator: mixed Chinese/English, Zipf words)
plus one real PDF, indexes it, starts `exhibit serve` on 127.0.0.1 (a subprocess, one uvicorn worker)
and measures, in the same run:
  - baseline: exhibit.search.search() called in-process with what the page asks (20 hits, facets): p50;
  - the search page (/search?q=, HTML with snippets and facets): server time p50 and p95 from its
    Server-Timing header, and the ratio to the baseline (the web layer's overhead);
  - USERS concurrent users (threads with their own session) each making REQUESTS requests over a mix of
    search page, exhibit page, page image, ingest status and API search: errors, requests/s, p50/p95.
Loopback only; the load is bounded by --users x --requests and --timeout.
"""

from __future__ import annotations

import argparse
import json
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
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from exhibit.archive import Archive  # noqa: E402
from exhibit.search import search, sync  # noqa: E402
from exhibit.web import accounts  # noqa: E402

EXHIBIT = str(Path(sys.executable).parent / "exhibit")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def build(work: Path, pages: int) -> Path:
    from search_scale import generate

    root = work / "archive"
    arch = Archive.init(root)
    t0 = time.perf_counter()
    mb = generate(arch, work / "files", pages) / 1e6
    print(f"generated {pages:,} pages ({mb:.0f} MB of text) in {time.perf_counter() - t0:.0f} s", flush=True)
    add_pdf(arch, work)
    t0 = time.perf_counter()
    sync(arch)
    print(f"indexed in {time.perf_counter() - t0:.0f} s", flush=True)
    arch.close()
    return root


def add_pdf(arch: Archive, work: Path) -> None:
    """One real PDF through the ingest pipeline, so the load includes rendering a highlighted page image."""
    import pymupdf

    from exhibit.config import Config
    from exhibit.ingest import ingest

    src = work / "pdf"
    src.mkdir(exist_ok=True)
    doc = pymupdf.open()
    for i in range(3):
        page = doc.new_page()
        page.insert_text((72, 100), f"第{i + 1}页 实行积分管理。学员每周考评一次。", fontname="china-s", fontsize=14)
    doc.save(src / "telegram.pdf")
    ingest(arch, [src], Config(jobs=1, custodian="bench"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def login(base: str, name: str, password: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=60)
    r = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    r = c.post("/login", data={"name": name, "password": password, "csrf_token": token})
    if r.status_code != 303:
        raise SystemExit(f"login failed: {r.status_code}")
    return c


def sample_queries(arch: Archive, n: int) -> list[str]:
    from search_scale import sample_queries as ss

    qs = ss(arch, max(1, n // 4))
    out = qs["zh2"] + qs["zh4"] + qs["en_word"] + qs["en_phrase"]
    random.Random(5).shuffle(out)
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1_000_000, help="pages to generate (default 1,000,000)")
    ap.add_argument("--archive", type=Path, default=None, help="use this archive instead of generating one")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--queries", type=int, default=100, help="search page requests timed one at a time")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--requests", type=int, default=20, help="requests per user")
    ap.add_argument("--timeout", type=float, default=600, help="stop the load after this many seconds")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="web_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    fig: dict[str, Any] = {}
    server = None
    try:
        root = args.archive or build(work, args.pages)
        if args.archive:
            # An existing archive's index may be behind its catalog or of an older layout: bring it up
            # to date here, timed apart, so that neither the baseline nor the server pays for it.
            with Archive.open(root) as arch:
                if arch.db.execute("SELECT 1 FROM exhibits WHERE media_type='application/pdf' LIMIT 1").fetchone() \
                        is None:
                    add_pdf(arch, work)  # so that the load includes page images with a highlight
                t0 = time.perf_counter()
                sync(arch)
                print(f"index brought up to date in {time.perf_counter() - t0:.0f} s", flush=True)
        with Archive.open(root) as arch:
            fig["pages"] = arch.db.execute("SELECT count(*) FROM pages").fetchone()[0]
            queries = sample_queries(arch, args.queries)
            password = accounts.generate_password()
            name = f"bench{random.randrange(10**6)}"
            accounts.add_user(arch, name, "investigator", password, actor="bench")
            pdf = next((e for e in arch.exhibits() if e["media_type"] == "application/pdf" and e["pages"]), None)
            some = arch.db.execute("SELECT exhibit_seq FROM pages LIMIT 1").fetchone()[0]
            # baseline: the library call the page makes
            for q in queries[:5]:
                search(arch, q, limit=20, facets=True)
            lib = []
            for q in queries:
                t = time.perf_counter()
                search(arch, q, limit=20, facets=True)
                lib.append((time.perf_counter() - t) * 1000)
        fig["library_search_p50_ms"] = round(statistics.median(lib), 1)

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([EXHIBIT, "serve", "--archive", str(root), "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)

        c = login(base, name, password)
        for q in queries[:5]:
            c.get("/search", params={"q": q})
        server_ms, wall_ms = [], []
        for q in queries:
            t = time.perf_counter()
            r = c.get("/search", params={"q": q})
            wall_ms.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
            server_ms.append(float(r.headers["server-timing"].split("dur=")[1]))
        fig["search_page_server_p50_ms"] = round(statistics.median(server_ms), 1)
        fig["search_page_server_p95_ms"] = round(pct(server_ms, 0.95), 1)
        fig["search_page_wall_p50_ms"] = round(statistics.median(wall_ms), 1)
        fig["page_vs_library"] = round(fig["search_page_server_p50_ms"] / fig["library_search_p50_ms"], 2)
        print(f"search page server time p50 {fig['search_page_server_p50_ms']} ms, p95 "
              f"{fig['search_page_server_p95_ms']} ms; library search() p50 {fig['library_search_p50_ms']} ms "
              f"(page / library = {fig['page_vs_library']}x)", flush=True)

        ex_id = pdf["id"] if pdf else f"EX-{some:06d}"
        mix = [lambda q: ("/search", {"q": q}), lambda q: (f"/exhibits/EX-{some:06d}", {"page": 1}),
               lambda q: ("/api/search", {"q": q}), lambda q: ("/status", {}),
               lambda q: (f"/exhibits/{ex_id}", {"page": 1, "hl": "积分管理"})]
        if pdf:
            mix.append(lambda q: (f"/exhibits/{ex_id}/pages/{random.randint(1, 3)}.png", {"hl": "积分管理"}))
        lat: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + args.timeout
        clients = [login(base, name, password) for _ in range(args.users)]
        go = threading.Barrier(args.users)

        def user(i: int) -> None:
            rng = random.Random(i)
            cl = clients[i]
            go.wait()
            for _ in range(args.requests):
                if time.monotonic() > stop_at:
                    return
                path, params = rng.choice(mix)(rng.choice(queries))
                t = time.perf_counter()
                try:
                    r = cl.get(path, params=params)
                    ok = r.status_code == 200
                    why = f"{r.status_code} {path}"
                except httpx.HTTPError as e:
                    ok, why = False, f"{type(e).__name__} {path}"
                with lock:
                    lat.append((time.perf_counter() - t) * 1000)
                    if not ok:
                        errors.append(why)

        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        secs = time.perf_counter() - t0
        fig.update(users=args.users, requests=len(lat), errors=len(errors), seconds=round(secs, 1),
                   requests_per_s=round(len(lat) / secs, 1), load_p50_ms=round(pct(lat, 0.5), 1),
                   load_p95_ms=round(pct(lat, 0.95), 1))
        print(f"{args.users} concurrent users: {len(lat)} requests in {secs:.1f} s ({fig['requests_per_s']}/s), "
              f"{len(errors)} errors, p50 {fig['load_p50_ms']} ms, p95 {fig['load_p95_ms']} ms", flush=True)
        if errors:
            print("errors:", sorted(set(errors))[:10])
        for cl in clients:
            cl.close()
        c.close()
        print(json.dumps(fig))
        if args.json:
            args.json.write_text(json.dumps(fig, indent=1))
        if errors:
            sys.exit(1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        if not args.keep and not args.dir and not args.archive:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
