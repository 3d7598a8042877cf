"""The second process of a long register's extraction: runs records.bulk's statements into a scratch file.

Started by records.bulk as a script (`python -I part.py JOB`), so it imports only the standard library
and starts in a few hundredths of a second. The job (JSON) names the catalog, the scratch file, the
statements that fill the temp tables the reading needs, and the INSERT ... SELECT itself. It prints the
number of records the scratch file holds; the catalog is only read.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any


def run(job: dict[str, Any]) -> int:
    # read-only: the catalog is evidence; only temp tables and the attached scratch file are written
    db = sqlite3.connect(Path(job["catalog"]).resolve().as_uri() + "?mode=ro", uri=True, timeout=60,
                         isolation_level=None)
    try:
        db.execute("PRAGMA busy_timeout=60000")
        for sql, rows in job["setup"]:
            if rows:
                db.executemany(sql, rows)
            else:
                db.execute(sql)
        db.execute("ATTACH DATABASE ? AS part", (job["scratch"],))
        db.execute("PRAGMA part.journal_mode=OFF")  # a scratch file: nothing to recover if this dies
        db.execute("PRAGMA part.synchronous=OFF")
        db.execute("BEGIN")
        db.execute(job["sql"], job["params"])
        n = int(db.execute("SELECT COUNT(*) FROM part.records").fetchone()[0])
        db.execute("COMMIT")
        return n
    finally:
        db.close()


if __name__ == "__main__":
    sys.stdout.write(str(run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))))
