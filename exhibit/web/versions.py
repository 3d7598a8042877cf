"""The web's data for version comparison and the timeline: the JSON the API serves, which the pages show."""

from __future__ import annotations

from typing import Any

from exhibit.archive import Archive, ex_id
from exhibit.documents import textdiff, timeline, versions
from exhibit.errors import UserError
from exhibit.web import data


def diff(arch: Archive, left: str, right: str) -> dict[str, Any]:
    """Two versions side by side (`exhibit diff --json`), with both exhibits' paths and their similarity."""
    a, b = data.resolve(arch, left), data.resolve(arch, right)
    out = textdiff.diff(arch, a, b).as_json()
    sims = {s.seq: s.similarity for s in versions.similar(arch, a, threshold=0.0)}
    out["similarity"] = round(sims[b], 4) if b in sims else None
    out["paths"] = {ex_id(e.seq): e.path for e in arch.exhibits([a, b])}
    return out


def similar(arch: Archive, ref: str, threshold: float | None) -> dict[str, Any]:
    seq = data.resolve(arch, ref)
    found = versions.similar(arch, seq, threshold)
    paths = {e.seq: e.path for e in arch.exhibits([f.seq for f in found])}
    return {"id": ex_id(seq), "similar": [{**f.as_json(), "path": paths.get(f.seq, "")} for f in found]}


def timeline_points(arch: Archive, kinds: list[str], exhibit: str, start: str, end: str) -> dict[str, Any]:
    """The timeline filtered (`exhibit timeline --json`), with the counts per kind for the filter form."""
    try:
        wanted = {timeline.TimeKind(k) for k in kinds if k}
    except ValueError as e:
        raise UserError(f"kind: one of {', '.join(timeline.TimeKind)}") from e
    every = timeline.points(arch)
    seq = data.resolve(arch, exhibit) if exhibit.strip() else None
    pts = timeline.select(every, wanted, seq, start or None, end or None)
    counts = {str(k): sum(1 for p in every if p.kind == k) for k in timeline.TimeKind}
    return {"points": [p.as_json() for p in pts], "kinds": counts, "total": len(every)}
