"""Ingest on Spark against the local ingest (issue 20): `ingest --spark local[2]` vs `ingest --jobs 2` on the
same mixed files, alternated in one run.                                          target: spark <= 1.3x

    .venv/bin/python bench/ingest_spark.py [--files 2000] [--rounds 2] [--ocr] [--work DIR]

The files are demo caches (exhibit.demo) of as many seeds as it takes: registers in XLSX, CSV and DOCX,
text PDFs, scans, mail, zips. Without --ocr the scans are catalogued without OCR in both runs (OCR is the
same engine code on either side; with it, a run of 2,000 files takes hours on two cores). Each run starts
from an empty archive and is a separate `exhibit ingest` process, Spark's JVM start included.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from exhibit.demo.__main__ import main as make_demo_cache  # noqa: E402


def make_files(folder: Path, n: int) -> int:
    if folder.exists() and sum(1 for p in folder.rglob("*") if p.is_file()) >= n:
        return sum(1 for p in folder.rglob("*") if p.is_file())
    shutil.rmtree(folder, ignore_errors=True)
    seed = 0
    while sum(1 for p in folder.rglob("*") if p.is_file()) < n:
        seed += 1
        make_demo_cache([str(folder / f"seed-{seed:04d}"), "--seed", str(seed)])
    return sum(1 for p in folder.rglob("*") if p.is_file())


def run(cache: Path, archive: Path, extra: list[str]) -> tuple[float, dict[str, object]]:
    shutil.rmtree(archive, ignore_errors=True)
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "exhibit.cli", "ingest", str(cache), "--archive", str(archive),
                          "--json", *extra], check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - t0, json.loads(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--ocr", action="store_true")
    ap.add_argument("--work", type=Path, default=REPO / "bench" / "out" / "spark")
    a = ap.parse_args()
    cache = a.work / "cache"
    n = make_files(cache, a.files)
    ocr = [] if a.ocr else ["--no-ocr"]
    local: list[float] = []
    spark: list[float] = []
    for i in range(a.rounds):
        order = [("local", ["--jobs", "2"]), ("spark", ["--spark", "local[2]"])]
        for name, extra in order if i % 2 == 0 else order[::-1]:
            secs, summary = run(cache, a.work / f"archive-{name}", [*extra, *ocr])
            (local if name == "local" else spark).append(secs)
            print(f"round {i + 1} {name:5s} {secs:7.1f} s  {summary['new_exhibits']} exhibits"
                  + (f"  spark: {summary['spark']}" if "spark" in summary else ""), flush=True)
    best_local, best_spark = min(local), min(spark)
    print(f"{n} files{'' if a.ocr else ' (no OCR)'}: --jobs 2 {best_local:.1f} s, --spark local[2] "
          f"{best_spark:.1f} s (best of {a.rounds}): spark / local = {best_spark / best_local:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
