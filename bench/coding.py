"""Benchmark: `code run` (rules + catalog writes) against coding every reason with the codebook one by one.

    .venv/bin/python bench/coding.py --records 1000000

Generates its own register-like records (reasons in varied wording, repeated as in real registers),
measures in the same run (1) the plain way: `Codebook.code(reason)` for every record, nothing stored,
and (2) exhibit: `coding.run`, which also stores the coded table and the custody event, then `counts`.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from exhibit import coding
from exhibit.archive import Archive
from exhibit.demo.people import REASONS, TOWNSHIPS, UNCODED_REASONS


def records(n: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    pool = [r for rs in REASONS.values() for r in rs] + list(UNCODED_REASONS)
    for k in range(n):
        reason = rng.choice(pool)
        roll = rng.random()
        if roll < 0.3:
            reason = f"{rng.randrange(2010, 2019)}年{reason}"
        elif roll < 0.4:
            reason = f"{reason}；{rng.choice(pool)}"
        town = rng.choice(TOWNSHIPS)[0]
        yield {"record_id": f"R{k:08d}", "reason": reason, "gender": rng.choice("MF"), "age": rng.randrange(18, 80),
               "address": f"{town}{rng.randrange(1, 30)}村",
               "detained": f"2017-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
               "source": {"id": "EX-000001", "path": "registers/bench.xlsx", "sheet": town, "row": k + 3}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    args = ap.parse_args()
    n = args.records
    cb = coding.load_codebook()

    t0 = time.perf_counter()
    coded = sum(bool(cb.code(r["reason"])) for r in records(n))
    plain = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        arch = Archive.init(Path(tmp) / "archive")
        t0 = time.perf_counter()
        res = coding.run(arch, cb, records=records(n), actor="bench")
        run = time.perf_counter() - t0
        t0 = time.perf_counter()
        coding.counts(arch, "township")
        counts = time.perf_counter() - t0
        arch.close()
    assert res["coded_by_rule"] == coded
    print(f"records: {n:,} ({coded:,} coded by rule)")
    print(f"plain   Codebook.code per record, nothing stored: {plain:7.2f} s  {n / plain:10,.0f} records/s")
    print(f"exhibit code run (rules + catalog + custody):     {run:7.2f} s  {n / run:10,.0f} records/s")
    print(f"exhibit code counts --by township:                {counts:7.2f} s  {n / counts:10,.0f} records/s")
    print(f"ratio run/plain: {plain / run:.2f}x")


if __name__ == "__main__":
    main()
