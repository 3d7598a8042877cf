"""Search at scale: indexing speed, query latency, ratio against rg and a plain-bigram tantivy baseline.

    .venv/bin/python bench/search_scale.py --pages 100000
    .venv/bin/python bench/search_scale.py --pages 1000000 --dir /var/tmp/searchbench
    .venv/bin/python bench/search_scale.py --pages 100000 --jobs 2 --queries 20   # reindex on 1 vs 2 cores

Generates N pages of ~1,000 characters of mixed Chinese and English (Zipf-distributed words, see
search_corpus.py) into a fresh archive catalog, then measures, in the same run:
  - exhibit: catalog -> committed index (exhibit.search.sync) in MB of UTF-8 text per second, pinned to
    one core; the baseline: tantivy fed plain Python bigram tokens (whitespace tokenizer) of the same text;
  - query latency of exhibit.search.search (total count + snippets of the top 10) over 1-, 2- and
    4-character Chinese, English words and English phrases: p50 and p99; the baseline's latency for the
    same Chinese queries (tantivy search + count only);
  - rg over the same text stored as files (one file per exhibit), on a sample of the same queries;
  - index size against the raw text.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import operator
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tantivy  # noqa: E402
from search_corpus import Corpus  # noqa: E402

from exhibit.archive import Archive  # noqa: E402
from exhibit.search import SearchIndex, search  # noqa: E402
from exhibit.search.analysis import fold  # noqa: E402

PAGES_PER_EXHIBIT = 20
HAN_RUN = re.compile("[\u3400-\u9fff]+")
LATIN = re.compile(r"[A-Za-z0-9]+")


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def generate(arch: Archive, files_dir: Path, n: int) -> int:
    """N pages into the catalog (and the same text as one file per exhibit for rg); returns text bytes."""
    corpus = Corpus()
    total = 0
    files_dir.mkdir(parents=True, exist_ok=True)
    pages = corpus.pages(n)
    seq = 0
    db = arch.db
    done = 0
    while done < n:
        batch = []
        for _ in range(min(PAGES_PER_EXHIBIT, n - done)):
            batch.append(next(pages))
        done += len(batch)
        seq += 1
        body = "\n\f".join(batch)
        data = body.encode()
        total += sum(len(p.encode()) for p in batch)
        rel = f"docs/{seq // 1000:04d}/doc{seq:07d}.txt"
        with arch.transaction():
            db.execute("INSERT INTO exhibits(seq, sha256, size, media_type, page_count, lang, first_received) "
                       "VALUES (?,?,?,?,?,?,?)", (seq, hashlib.sha256(data).hexdigest(), len(data), "text/plain",
                                                  len(batch), "zh", "2024-01-01T00:00:00Z"))
            db.execute("INSERT INTO paths(exhibit_seq, path, received) VALUES (?,?,?)",
                       (seq, rel, "2024-01-01T00:00:00Z"))
            db.executemany("INSERT INTO pages(exhibit_seq, number, text, source, lang) VALUES (?,?,?,?,?)",
                           [(seq, i, t, "text", "zh") for i, t in enumerate(batch, 1)])
            db.execute("INSERT INTO changes(exhibit_seq, what) VALUES (?, 'extracted')", (seq,))
        f = files_dir / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(data)
    return total


def plain_bigrams(text: str) -> str:
    """The baseline tokenizer: overlapping bigrams of each Han run, lower-cased Latin words.

    Plain Python, written for speed (map(add) pairs characters in C: 16% faster than slicing in a
    generator); on its own it runs ~18 MB/s on one core here, tantivy's side ~8-13 MB/s."""
    out: list[str] = []
    for run in HAN_RUN.findall(text):
        if len(run) > 1:
            out += map(operator.add, run, run[1:])
        else:
            out.append(run)
    out += LATIN.findall(text.lower())
    return " ".join(out)


def baseline_index(arch: Archive, where: Path) -> tuple[float, tantivy.Index, tantivy.Schema]:
    index, schema = _baseline_open(where)
    t0 = time.perf_counter()
    w = index.writer(256_000_000, 1)
    for seq, number, text in arch.db.execute("SELECT exhibit_seq, number, text FROM pages"):
        w.add_document(tantivy.Document(t=plain_bigrams(text), ex=seq, page=number))
    w.commit()
    w.wait_merging_threads()
    index.reload()
    return time.perf_counter() - t0, index, schema


def sample_queries(arch: Archive, per_kind: int, seed: int = 3) -> dict[str, list[str]]:
    """Queries that occur in the text: 1/2/4 Han characters, English words, two-word English phrases."""
    rng = random.Random(seed)
    n = arch.db.execute("SELECT count(*) FROM pages").fetchone()[0]
    qs: dict[str, list[str]] = {"zh1": [], "zh2": [], "zh4": [], "en_word": [], "en_phrase": []}
    while min(len(v) for v in qs.values()) < per_kind:
        seq = rng.randrange(1, n // PAGES_PER_EXHIBIT + 1)
        row = arch.db.execute("SELECT text FROM pages WHERE exhibit_seq=? AND number=?",  # seeded: same
                              (seq, rng.randint(1, PAGES_PER_EXHIBIT))).fetchone()       # queries each run
        if row is None:
            continue
        text = fold(row[0])
        runs = [r for r in HAN_RUN.findall(text) if len(r) >= 4]
        if runs:
            r = rng.choice(runs)
            for k in (1, 2, 4):
                i = rng.randrange(len(r) - k + 1)
                qs[f"zh{k}"].append(r[i:i + k])
        words = re.findall(r"[a-z]+(?: [a-z]+)?", text)
        if words:
            w = rng.choice(words)
            qs["en_word"].append(w.split()[0])
            if " " in w:
                qs["en_phrase"].append(f'"{w}"')
    return {k: v[:per_kind] for k, v in qs.items()}


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def _baseline_open(where: Path) -> tuple[tantivy.Index, tantivy.Schema]:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("t", tokenizer_name="ws", index_option="position")
    sb.add_integer_field("ex", fast=True)
    sb.add_integer_field("page", fast=True)
    schema = sb.build()
    index = tantivy.Index(schema, path=str(where))
    index.register_tokenizer("ws", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    return index, schema


def _queries(arch: Archive, work: Path, args: argparse.Namespace, fig: dict[str, object],
             bindex: tantivy.Index, bschema: tantivy.Schema) -> None:
    """Query latency by kind, the plain-tantivy baseline's latency, and the ratio against rg."""
    # queries
    qs = sample_queries(arch, args.queries)
    for kind in qs:  # warm up: first touches of the index files
        for q in qs[kind][:5]:
            search(arch, q)
    lat: dict[str, list[float]] = {}
    totals: dict[str, list[int]] = {}
    for kind, queries in qs.items():
        for q in queries:
            t = time.perf_counter()
            res = search(arch, q, limit=10)
            lat.setdefault(kind, []).append(time.perf_counter() - t)
            totals.setdefault(kind, []).append(res.total)
    every = [x for v in lat.values() for x in v]
    fig["p50_ms"] = round(pct(every, 0.5) * 1000, 2)
    fig["p99_ms"] = round(pct(every, 0.99) * 1000, 2)
    fig["by_kind"] = {k: {"p50_ms": round(pct(v, 0.5) * 1000, 2), "p99_ms": round(pct(v, 0.99) * 1000, 2),
                          "median_hits": int(statistics.median(totals[k]))} for k, v in lat.items()}
    print(f"exhibit search (count + top-10 snippets): p50 {fig['p50_ms']} ms, p99 {fig['p99_ms']} ms",
          flush=True)
    for k, v in fig["by_kind"].items():  # type: ignore[attr-defined]
        print(f"  {k:10s} p50 {v['p50_ms']:7.2f} ms  p99 {v['p99_ms']:7.2f} ms  median hits {v['median_hits']}")

    # baseline latency for the Chinese queries: tantivy alone, count + top 10
    bsearcher = bindex.searcher()
    blat = []
    for kind in ("zh2", "zh4"):
        for q in qs[kind]:
            grams = [q[i:i + 2] for i in range(len(q) - 1)]
            query = tantivy.Query.term_query(bschema, "t", grams[0]) if len(grams) == 1 else \
                tantivy.Query.phrase_query(bschema, "t", grams)
            t = time.perf_counter()
            bsearcher.search(query, 10, count=True)
            blat.append(time.perf_counter() - t)
    fig["baseline_zh_p50_ms"] = round(pct(blat, 0.5) * 1000, 3)
    print(f"baseline tantivy, 2/4-char phrases, count + top 10 (no snippets): p50 {fig['baseline_zh_p50_ms']} ms")

    # rg over the same text as files, on a sample of the same queries. Each tool in its own loop, back to back
    # (warm: the files in the page cache for rg, the index for exhibit), exhibit's time the median of 3 passes;
    # and interleaved, each exhibit query right after an rg scan of all the text (which flushes the CPU
    # caches and costs exhibit a few milliseconds): both are printed.
    mixed = [q for k in qs for q in qs[k][: max(1, args.rg_queries // len(qs))]]

    def rg(q: str) -> float:
        t = time.perf_counter()
        subprocess.run(["rg", "--count", "--fixed-strings", "--ignore-case", q.strip('"'), str(work / "files")],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        return time.perf_counter() - t

    def ex(q: str) -> float:
        t = time.perf_counter()
        search(arch, q, limit=10)
        return time.perf_counter() - t

    rg(mixed[0])  # the files into the page cache
    rg_t = [rg(q) for q in mixed]
    ex_t = [statistics.median(ex(q) for _ in range(3)) for q in mixed]
    inter_rg, inter_ex = [], []
    for q in mixed:
        inter_rg.append(rg(q))
        inter_ex.append(ex(q))
    fig["rg_median_ms"] = round(statistics.median(rg_t) * 1000, 1)
    fig["exhibit_median_ms_same_queries"] = round(statistics.median(ex_t) * 1000, 2)
    fig["speedup_vs_rg"] = round(statistics.median(rg_t) / statistics.median(ex_t), 0)
    fig["interleaved_exhibit_median_ms"] = round(statistics.median(inter_ex) * 1000, 2)
    fig["speedup_vs_rg_interleaved"] = round(statistics.median(inter_rg) / statistics.median(inter_ex), 0)
    print(f"rg over the files: median {fig['rg_median_ms']} ms per query; exhibit "
          f"{fig['exhibit_median_ms_same_queries']} ms: {fig['speedup_vs_rg']:.0f}x faster "
          f"(each exhibit query right after an rg scan: {fig['interleaved_exhibit_median_ms']} ms, "
          f"{fig['speedup_vs_rg_interleaved']:.0f}x)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=200, help="queries per kind")
    ap.add_argument("--rg-queries", type=int, default=10, help="queries timed with rg (it is slow)")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    ap.add_argument("--cores", type=int, default=1, help="CPU cores to pin indexing and queries to")
    ap.add_argument("--jobs", type=int, default=0,
                    help="also rebuild the index on 1 core and on this many cores, and print the speed-up")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--reuse", action="store_true",
                    help="with --dir of a kept run: measure the queries and rg again, without generating or indexing")
    args = ap.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="search_bench_"))
    reuse = args.reuse and (work / "archive").exists() and (work / "baseline_index").exists()
    if not reuse:
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
    cpus = sorted(os.sched_getaffinity(0))[: args.cores]
    os.sched_setaffinity(0, cpus)  # threads started from here on (tantivy's writer) inherit this
    fig: dict[str, object] = {"pages": args.pages, "cores": len(cpus)}
    try:
        if reuse:
            arch = Archive.open(work / "archive")
            _queries(arch, work, args, fig, *_baseline_open(work / "baseline_index"))
            arch.close()
        else:
            _full(work, args, fig)
    finally:
        if not args.keep and not reuse:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(fig, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(fig, ensure_ascii=False, indent=2) + "\n")


def _jobs_comparison(arch: Archive, idx: SearchIndex, text_bytes: int, jobs: int, fig: dict[str, object]) -> None:
    """The same rebuild on one core and on `jobs` cores, one after the other in this run."""
    pinned = os.sched_getaffinity(0)  # --cores pinned the run; this comparison pins each rebuild itself
    allowed = list(range(os.cpu_count() or 1))
    rates = {}
    for n in (1, jobs):
        os.sched_setaffinity(0, allowed[:n])  # the writer's threads, started by sync, inherit this
        rep = idx.sync(arch, rebuild=True, jobs=n)
        rates[n] = text_bytes / 1e6 / rep.seconds
        print(f"reindex, {n} core(s), jobs={n}: {rates[n]:.2f} MB/s ({rep.units} units in {rep.seconds:.1f} s)",
              flush=True)
    os.sched_setaffinity(0, pinned)
    fig["reindex_jobs"] = jobs
    fig["reindex_mb_s_1"] = round(rates[1], 2)
    fig[f"reindex_mb_s_{jobs}"] = round(rates[jobs], 2)
    fig["reindex_speedup"] = round(rates[jobs] / rates[1], 2)
    print(f"reindex speed-up, {jobs} cores over 1: {fig['reindex_speedup']}x", flush=True)


def _full(work: Path, args: argparse.Namespace, fig: dict[str, object]) -> None:
    """Generate, index with the baseline and with exhibit, then measure the queries."""
    arch = Archive.init(work / "archive")
    t0 = time.perf_counter()
    text_bytes = generate(arch, work / "files", args.pages)
    fig["text_mb"] = round(text_bytes / 1e6, 1)
    print(f"generated {args.pages} pages, {text_bytes / 1e6:.1f} MB of text in {time.perf_counter() - t0:.0f} s",
          flush=True)

    # baseline: plain bigrams into tantivy
    bdir = work / "baseline_index"
    bdir.mkdir()
    bsec, bindex, bschema = baseline_index(arch, bdir)
    fig["baseline_mb_s"] = round(text_bytes / 1e6 / bsec, 2)
    fig["baseline_index_ratio"] = round(du(bdir) / text_bytes, 3)
    print(f"baseline (plain bigrams -> tantivy): {fig['baseline_mb_s']} MB/s, "
          f"index {fig['baseline_index_ratio']}x the text", flush=True)

    # exhibit: catalog -> committed index
    idx = SearchIndex(arch.index_dir)
    rep = idx.sync(arch, jobs=len(os.sched_getaffinity(0)))
    fig["index_mb_s"] = round(text_bytes / 1e6 / rep.seconds, 2)
    fig["index_vs_baseline"] = round(fig["index_mb_s"] / fig["baseline_mb_s"], 2)  # type: ignore[operator]
    fig["index_ratio"] = round(du(arch.index_dir) / text_bytes, 3)
    print(f"exhibit (catalog -> committed index): {fig['index_mb_s']} MB/s "
          f"({fig['index_vs_baseline']}x the baseline), index {fig['index_ratio']}x the text", flush=True)
    if args.jobs > 1:
        _jobs_comparison(arch, idx, text_bytes, args.jobs, fig)

    _queries(arch, work, args, fig, bindex, bschema)
    arch.close()


if __name__ == "__main__":
    main()
