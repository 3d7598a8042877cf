"""Script counting: `script_counts` (one regex pass per script) against a loop over the characters with
`script_of`, on the same mixed text in the same run.

    .venv/bin/python bench/text_script.py [--chars 200000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exhibit.text.script import script_counts, script_of  # noqa: E402

_POOL = "积极参加职业技能教育培训ئۇيغۇرچە تېكىستabcdefghijkl Кириллица0123456789，。 "


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chars", type=int, default=200_000)
    n = ap.parse_args().chars
    s = "".join(random.Random(1).choices(_POOL, k=n))
    best_fast = best_slow = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        fast = script_counts(s)
        t1 = time.perf_counter()
        slow = Counter(sc for sc in map(script_of, s) if sc)
        t2 = time.perf_counter()
        assert fast == slow
        best_fast, best_slow = min(best_fast, t1 - t0), min(best_slow, t2 - t1)
    print(f"{n:,} characters: script_counts {best_fast * 1000:.1f} ms, loop {best_slow * 1000:.1f} ms, "
          f"ratio {best_slow / best_fast:.1f}x")


if __name__ == "__main__":
    main()
