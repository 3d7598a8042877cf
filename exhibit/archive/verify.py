"""Verification: re-hash every blob, recompute the custody chain, and compute the manifest hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from exhibit.archive import Archive, custody, ex_id


def manifest(arch: Archive) -> tuple[str, list[str]]:
    """SHA-256 over the sorted lines `sha256  path` (every path of every exhibit), and the lines."""
    lines = sorted(f"{r['sha256']}  {r['path']}" for r in arch.catalog.execute(
        "SELECT e.sha256, p.path FROM paths p JOIN exhibits e ON e.seq = p.exhibit_seq"))
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8") + b"\n")
    return h.hexdigest(), lines


def verify(arch: Archive, on_progress: Callable[[int, int], None] | None = None,
           actor: str | None = None, record: bool = True) -> dict[str, Any]:
    """{"ok", "manifest_sha256", "exhibits", "problems": [{"id", "sha256", "problem", ...}]}.

    problem is one of: missing (blob gone), altered (bytes differ from the SHA-256), chain_broken
    (a custody event of this exhibit does not recompute or does not link to its predecessor).
    """
    problems: list[dict[str, Any]] = []
    rows = arch.catalog.execute("SELECT seq, sha256 FROM exhibits ORDER BY seq").fetchall()
    for i, r in enumerate(rows, 1):
        now = arch.blobs.rehash(r["sha256"])
        if now is None:
            problems.append({"id": ex_id(r["seq"]), "sha256": r["sha256"], "problem": "missing"})
        elif now != r["sha256"]:
            problems.append({"id": ex_id(r["seq"]), "sha256": r["sha256"], "problem": "altered", "actual": now})
        if on_progress:
            on_progress(i, len(rows))
    by_sha = {r["sha256"]: r["seq"] for r in rows}
    for ev in custody.broken_links(arch.catalog):
        seq = by_sha.get(ev.exhibit_sha256 or "")
        problems.append({"id": ex_id(seq) if seq else None, "sha256": ev.exhibit_sha256,
                         "problem": "chain_broken", "event": ev.seq, "event_type": ev.event})
    digest, _ = manifest(arch)
    result = {"ok": not problems, "manifest_sha256": digest, "exhibits": len(rows), "problems": problems}
    if record:
        arch.log_event("verified", None, actor, {"ok": result["ok"], "manifest_sha256": digest,
                                                "exhibits": len(rows), "problems": len(problems)})
    return result
