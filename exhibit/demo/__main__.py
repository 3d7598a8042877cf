"""`python -m exhibit.demo OUT_DIR [--seed N]`: write the invented demo cache."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from exhibit.demo import generate
from exhibit.errors import UserError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m exhibit.demo",
                                 description="Write a small invented leak cache (every format exhibit reads).")
    ap.add_argument("out", type=Path, help="folder to write the cache into (created if missing)")
    ap.add_argument("--seed", type=int, default=1, help="the same seed gives byte-identical files")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    try:
        truth = generate(args.out, args.seed)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    n = len(truth["files"])
    size = sum(f["size"] for f in truth["files"].values())
    print(f"demo cache: {n} files, {size:,} bytes, {len(truth['persons'])} register rows, "
          f"{len(truth['anomalies'])} planted anomalies -> {args.out} ({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
