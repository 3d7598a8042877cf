"""Hostile formats (issue 13): the cost of ingesting a folder that holds the format part's hostile files
(a fan-out of zips, an overlapping zip bomb, shared zip entries, an HTML span bomb, a CSV of millions of
columns), against the same folder without them, in the same run: wall time and the process tree's peak
memory, each as a ratio. Before the fix, the fan-out alone ran for minutes and the CSV took 2.5 GiB.

    PYTHONPATH=. .venv/bin/python bench/hostile_formats.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def _run(folder: Path, root: Path) -> tuple[float, float, dict[str, int]]:
    from hostile.peak import TreePeak

    from exhibit.archive import Archive
    from exhibit.config import Config
    from exhibit.ingest import ingest

    start = time.perf_counter()
    with TreePeak() as peak, Archive.open(root, create=True) as arch:
        summary = ingest(arch, [folder], Config(jobs=1, ocr=False, custodian="bench"))
    return time.perf_counter() - start, peak.rss / 2**20, dict(summary.by_status)


def main() -> None:
    from hostile import gen_formats

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ordinary, hostile = work / "ordinary", work / "hostile"
        cases = [gen_formats.zip_fan_out(1), gen_formats.zip_overlap_bomb(0), gen_formats.zip_shared_entries(0),
                 gen_formats.html_span_bomb(0), gen_formats.csv_wide(0, columns=10_000_000)]
        for i, case in enumerate(cases):
            for rel, data in case.files.items():
                for folder in (ordinary, hostile) if rel != case.name else (hostile,):
                    dest = folder / f"c{i}" / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(data)
        size = sum(len(c.files[c.name]) for c in cases)
        t0, m0, s0 = _run(ordinary, work / "a0")
        t1, m1, s1 = _run(hostile, work / "a1")
        print(f"hostile files: {len(cases)}, {size / 2**20:.1f} MiB together")
        print(f"ordinary folder: {t0:.1f} s, peak {m0:.0f} MiB, {s0}")
        print(f"with the hostile files: {t1:.1f} s, peak {m1:.0f} MiB, {s1}")
        print(f"ratio: time {t1 / t0:.2f}x, peak memory {m1 / m0:.2f}x (+{m1 - m0:.0f} MiB)")
        shutil.rmtree(work / "a0", ignore_errors=True)


if __name__ == "__main__":
    main()
