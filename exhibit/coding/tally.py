"""Counts of coded records by category, and by register, township, month, gender or age band."""

from __future__ import annotations

import shlex
from collections import Counter
from typing import Any

from exhibit.archive import Archive
from exhibit.coding.facts import AGE_BANDS, UNKNOWN
from exhibit.coding.store import coded_records, current_codebook, require_run
from exhibit.errors import UserError

DIMENSIONS = ("category", "register", "township", "month", "gender", "age_band")
_ALIASES = {"age": "age_band", "age-band": "age_band", "sex": "gender", "categories": "category"}
UNCODED = "uncoded"
NO_REASON = "no_reason"


def dimension(by: str | None) -> str:
    d = _ALIASES.get((by or "category").strip().lower(), (by or "category").strip().lower())
    if d not in DIMENSIONS:
        raise UserError(f"--by {by}: cannot count by that. Choose one of: {', '.join(DIMENSIONS)}.")
    return d


def _group_order(d: str, groups: set[str]) -> list[str]:
    if d == "age_band":
        return [g for g in (*AGE_BANDS, UNKNOWN) if g in groups]
    return sorted(groups, key=lambda g: (g == UNKNOWN, g))


def ls_command(category: str, d: str | None = None, group: str | None = None) -> str:
    """The command that lists the records behind a number."""
    parts = ["exhibit", "code", "ls"]
    parts += ["--uncoded"] if category == UNCODED else ["--no-reason"] if category == NO_REASON else [category]
    if d and d != "category" and group is not None:
        parts += [f"--{d.replace('_', '-')}", group]
    return " ".join(shlex.quote(p) for p in parts + ["--json"])


def counts(arch: Archive, by: str | None = None) -> dict[str, Any]:
    """{by, records, categories, groups, rows: [{category, en, zh, total, groups, ls}], cells, ...}.

    A record with several categories counts once in each, so category totals can exceed the records."""
    d = dimension(by)
    require_run(arch)
    cb = current_codebook(arch)
    cell: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    group_records: Counter[str] = Counter()
    n = 0
    for r in coded_records(arch):
        n += 1
        g = "" if d == "category" else str(r[d])
        group_records[g] += 1
        cats = r["categories"] or ([UNCODED] if r["reason"] else [NO_REASON])
        for c in cats:
            cell[(c, g)] += 1
            total[c] += 1
    groups = [] if d == "category" else _group_order(d, set(group_records))
    known = cb.ids()
    extra = sorted({c for c in total if c not in known and c not in (UNCODED, NO_REASON)})
    rows: list[dict[str, Any]] = []
    for cid in [*known, *extra, UNCODED, NO_REASON]:
        if cid in (UNCODED, NO_REASON) and not total[cid]:
            continue
        cat = next((c for c in cb.categories if c.id == cid), None)
        rows.append({"category": cid, "en": cat.en if cat else cid, "zh": cat.zh if cat else "",
                     "total": total[cid], "groups": {g: cell[(cid, g)] for g in groups},
                     "ls": ls_command(cid)})
    cells = [{"category": row["category"], "group": g, "count": cell[(row["category"], g)],
              "ls": ls_command(row["category"], d, g)}
             for row in rows for g in groups if cell[(row["category"], g)]]
    return {"by": d, "records": n, "groups": groups, "group_records": {g: group_records[g] for g in groups},
            "rows": rows, "cells": cells, "codebook": {"source": cb.source, "sha256": cb.sha256},
            "note": "Counts of records by the reasons the authorities stated; a record with several "
                    "categories counts once in each."}
