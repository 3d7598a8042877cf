"""Before/after of a change to the ingest: `exhibit ingest --jobs 1 --no-ocr` of the same inputs by two
checkouts of exhibit, alternated, CPU seconds of the whole process tree (user + sys, workers included) and
wall time, median of N rounds. CPU time is what a busy shared machine disturbs least.

    git worktree add /tmp/before 59171f9
    .venv/bin/python bench/ab_ingest_cpu.py --before /tmp/before --after . --rounds 5 INPUT...

(bench/ab_issue14.sh runs ingest_speed, search_scale and records_speed of both trees the same way.)
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one(tree: Path, src: Path, work: Path) -> tuple[float, float]:
    arch = work / "archive"
    shutil.rmtree(arch, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "exhibit.cli", "ingest", str(src), "--archive", str(arch), "--jobs", "1",
                    "--no-ocr", "--json"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("inputs", type=Path, nargs="+")
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--after", type=Path, required=True)
    ap.add_argument("--rounds", type=int, default=5)
    a = ap.parse_args()
    trees = {"before": a.before, "after": a.after}
    got: dict[tuple[str, Path], list[tuple[float, float]]] = {(t, i): [] for t in trees for i in a.inputs}
    with tempfile.TemporaryDirectory() as work:
        for r in range(a.rounds):
            for name in (("before", "after") if r % 2 == 0 else ("after", "before")):
                for src in a.inputs:
                    cpu, wall = one(trees[name], src, Path(work))
                    got[(name, src)].append((cpu, wall))
                    print(f"round {r + 1} {name:6s} {src.name}: CPU {cpu:.2f} s, wall {wall:.2f} s", flush=True)
    for src in a.inputs:
        b = statistics.median(c for c, _ in got[("before", src)])
        f = statistics.median(c for c, _ in got[("after", src)])
        bw = statistics.median(w for _, w in got[("before", src)])
        fw = statistics.median(w for _, w in got[("after", src)])
        print(f"{src}: CPU median before {b:.2f} s, after {f:.2f} s, after/before {f / b:.3f}; "
              f"wall {bw:.2f} vs {fw:.2f} s, {fw / bw:.3f}")


if __name__ == "__main__":
    main()
