"""What the register, person and link review pages show, from the records, checks and link capabilities."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException

from exhibit.archive import Archive
from exhibit.errors import UserError
from exhibit.web import data
from exhibit.web.accounts import Session

if TYPE_CHECKING:
    from exhibit.records import Record


def _codes(arch: Archive) -> tuple[dict[str, list[str]], dict[str, str]]:
    from exhibit.checks import EXPLANATIONS, codes_for

    return {k: [str(c) for c in cs] for k, cs in codes_for(arch).items()}, dict(EXPLANATIONS)


def _matches(rec: Record, q: str, code: str, exhibit: str, codes: list[str]) -> bool:
    if code and code not in codes and not (code == "*" and codes):
        return False
    if exhibit and rec.source.id != exhibit:
        return False
    if q:
        hay = " ".join(v or "" for v in (rec.name, rec.id_number, rec.id_number_raw, rec.address, rec.reason))
        return q.lower() in hay.lower()
    return True


def record_list(arch: Archive, q: str, code: str, exhibit: str, page: int, size: int) -> dict[str, Any]:
    from exhibit.records import records

    codes, explanations = _codes(arch)
    matching = (r for r in records(arch)
                if _matches(r, q.strip(), code, exhibit, codes.get(r.record_id, [])))
    # Stop one record after this page: a register of a million rows is not read to show its first page.
    # The total is known only when the records ran out before that.
    window = list(itertools.islice(matching, (page - 1) * size, page * size + 1))
    shown = [{**rec.as_json(), "codes": [str(c) for c in codes.get(rec.record_id, [])]} for rec in window[:size]]
    total = None if len(window) > size else (page - 1) * size + len(window)
    used = sorted({c for r in shown for c in r["codes"]})
    all_codes = sorted({c for cs in codes.values() for c in cs})
    return {"records": shown, "paging": data.paging(total, page, size), "explanations": explanations,
            "used_codes": used, "all_codes": all_codes}


def record_detail(arch: Archive, record_id: str) -> dict[str, Any]:
    from exhibit.records import record

    try:
        rec = record(arch, record_id).as_json()
    except (UserError, KeyError):
        rec = None
    if rec is None:
        raise HTTPException(404, f"{record_id}: no such record")
    codes, explanations = _codes(arch)
    src = rec.get("source") or {}
    context = None
    if src.get("id"):
        seq = data.resolve(arch, src["id"])
        table = data.find_table(arch, seq, src.get("sheet"), src.get("page"))
        if table is not None and src.get("row") is not None:
            context = data.table_rows(arch, seq, table, int(src["row"]))
    return {"rec": rec, "codes": codes.get(record_id, []), "explanations": explanations, "context": context,
            "coding": _coding(arch, record_id)}


def _coding(arch: Archive, record_id: str) -> list[dict[str, Any]]:
    """The record's hand codings: every judgement, the one in force and why, a disagreement flagged."""
    from exhibit.coding import judgements

    try:
        return judgements(arch, record_id)
    except UserError:  # the app's database role on a catalog whose coding tables no one made yet: none
        return []


def export(arch: Archive, sess: Session, fmt: str, identified: bool, purpose: str, ip: str) -> tuple[Path, str]:
    """(file, download name) of the records export; identified data only for investigators, with a purpose."""
    if identified and not sess.user.may("investigator"):
        raise HTTPException(403, "viewers may export pseudonymised records only")
    if identified and not purpose.strip():
        raise HTTPException(400, "an identified export needs a purpose (it goes into the custody log)")
    if fmt not in ("csv", "xlsx", "ftm"):
        raise HTTPException(400, f"{fmt!r}: export as csv, xlsx or ftm")
    from exhibit.records import export as export_records

    suffix = {"csv": "csv", "xlsx": "xlsx", "ftm": "ftm.json"}[fmt]
    # inside the archive folder, with the data it comes from (not the machine's shared /tmp); removed once sent
    arch.tmp_dir.mkdir(exist_ok=True)
    out = Path(tempfile.mkdtemp(prefix="export-", dir=arch.tmp_dir)) / f"records.{suffix}"
    codes, _ = _codes(arch)
    try:  # the records capability writes the file and the custody event (actor, purpose, identified)
        export_records(arch, fmt, out, identified=identified, purpose=purpose.strip() or None,
           actor=f"{sess.user.name} (web {ip})", codes=codes)
    except UserError as e:
        raise HTTPException(400, str(e)) from None
    return out, out.name


def as_list(results: Any) -> list[dict[str, Any]] | None:
    if results is None:
        return None
    hits: list[dict[str, Any]] = (results.get("hits", results.get("results", [])) if isinstance(results, dict)
                                  else results) or []
    return list(itertools.islice(hits, 100))


def person(arch: Archive, cluster_id: str) -> dict[str, Any]:
    from exhibit.link import clusters

    try:
        found = clusters(arch, include_single=True)
    except UserError as e:
        raise HTTPException(404, str(e)) from None
    for c in found:
        if c.cluster_id == cluster_id:
            from exhibit.link import judgement_history

            ids = {m.unique_id for m in c.members}
            judged = [p for p in judgement_history(arch) if p["a"] in ids or p["b"] in ids]
            return {"cluster": c.as_json(), "judged": judged}
    raise HTTPException(404, f"{cluster_id}: no such person")


def review_item(arch: Archive, n: int) -> dict[str, Any]:
    import exhibit.link as link
    from exhibit.records import get

    try:
        queue = link.review_queue(arch)
    except UserError as e:
        return {"item": None, "n": 0, "remaining": 0, "error": str(e), "disagreements": []}
    disagreements = link.judgement_history(arch, disagreements=True)
    n = n if n < len(queue) else 0
    item = dict(queue[n]) if queue else None
    if item is not None:
        for side in ("a", "b"):
            c = dict(item[side])
            c["id"] = c.get("record_id") or c.get("mention_id")
            if c.get("record_id"):
                try:  # the full record: birth date, gender, address, reason
                    c = {**get(arch, c["record_id"]), **{k: v for k, v in c.items() if v is not None}}
                except UserError:
                    pass
            item[side] = c
        try:
            item["explain"] = link.explain(arch, item["a"]["id"], item["b"]["id"])
        except UserError:
            item["explain"] = None
    return {"item": item, "n": n, "remaining": len(queue), "error": None, "disagreements": disagreements}


def judge(arch: Archive, a: str, b: str, verdict: str, actor: str) -> dict[str, Any]:
    from exhibit.link import judge as judge_
    from exhibit.link.resolver import Judgement

    if Judgement.parse(verdict) is None:
        raise HTTPException(400, f"{verdict!r}: the verdict is {', '.join(Judgement)}")

    try:
        return judge_(arch, a, b, verdict, actor)
    except UserError as e:
        raise HTTPException(404, str(e)) from None
