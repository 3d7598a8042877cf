"""Coding the stated reasons: a codebook of categories, rule and hand coding, agreement, counts, charts.

Categories describe the reasons the authorities gave for detaining people. exhibit scores no one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

from exhibit.archive import Archive, custody
from exhibit.coding import store
from exhibit.coding.codebook import Codebook, load_codebook
from exhibit.coding.kappa import compare
from exhibit.coding.plots import charts
from exhibit.coding.table_export import export
from exhibit.coding.tally import counts
from exhibit.errors import UserError
from exhibit.records import get, iter_records

__all__ = ["Codebook", "agreement", "charts", "counts", "export", "judgements", "load_codebook", "ls", "run",
           "set_codes"]
NONE = "none"  # `exhibit code set REC none`: a judgement that no category applies


def _records(arch: Archive) -> Iterable[dict[str, Any]]:
    return iter_records(arch)


def run(arch: Archive, codebook: Codebook | None = None, records: Iterable[dict[str, Any]] | None = None,
        actor: str | None = None, uncoded_limit: int = 50) -> dict[str, Any]:
    """Code every record's stated reason by rule; list what no rule covers, most frequent first."""
    cb = codebook or load_codebook()
    res = store.run_rules(arch, cb, _records(arch) if records is None else records, actor)
    uncoded: Counter[str] = Counter()
    example: dict[str, str] = {}
    per_cat: Counter[str] = Counter()
    hand = no_reason = 0
    for r in store.coded_records(arch):
        hand += r["coded_by"] != store.RULE
        per_cat.update(r["categories"])
        if not r["reason"]:
            no_reason += 1
        elif not r["rule_categories"]:
            uncoded[r["reason"]] += 1
            example.setdefault(r["reason"], r["record_id"])
    return {
        "run_id": res["run_id"], "records": res["records"], "coded_by_rule": res["coded_by_rule"],
        "hand_coded": hand, "no_reason": no_reason, "uncoded": sum(uncoded.values()),
        "codebook": {"source": cb.source, "name": cb.name, "sha256": cb.sha256},
        "categories": {cid: per_cat[cid] for cid in cb.ids()},
        "uncoded_reasons": [{"reason": reason, "records": n, "example": example[reason]}
                            for reason, n in uncoded.most_common(uncoded_limit)],
        "uncoded_distinct": len(uncoded),
    }


def _find_record(arch: Archive, record_id: str,
                 records: Iterable[dict[str, Any]] | None) -> dict[str, Any] | None:
    if records is not None:
        return next((r for r in records if str(r.get("record_id")) == record_id), None)
    try:
        return dict(get(arch, record_id))
    except UserError:
        return None


def set_codes(arch: Archive, record_id: str, categories: list[str], coder: str | None = None,
              codebook: Codebook | None = None, note: str | None = None,
              records: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A coder's judgement for one record: wins over the rules, survives later runs, logged in custody."""
    cb = codebook or store.current_codebook(arch)
    cats = list(dict.fromkeys(categories))
    if not cats or (NONE in (c.lower() for c in cats) and len(cats) > 1):
        raise UserError(f"{record_id}: give one or more categories, or `none` alone for \"no category applies\" "
                        f"(categories: {', '.join(cb.ids())}).")
    cats = [] if cats[0].lower() == NONE else cats
    for c in cats:
        cb.category(c)  # raises a UserError naming the known categories
    rec = None
    if not store.has_record(arch, record_id):
        rec = _find_record(arch, record_id, records)
        if rec is None:
            raise UserError(f"{record_id}: no such record. `exhibit code ls --json` or `exhibit records ls --json` "
                            "lists the record ids.")
    return store.hand_code(arch, rec, record_id, cats, coder or custody.os_user(), note)


def ls(arch: Archive, category: str | None = None, uncoded: bool = False, no_reason: bool = False,
       coded_by: str | None = None, **where: str | None) -> Iterator[dict[str, Any]]:
    """The coded records, filtered: a category, uncoded ones, a coder, and register/township/month/gender/age_band."""
    store.require_run(arch)
    if category is not None:
        store.current_codebook(arch).category(category)
    filters = {k: v for k, v in where.items() if v is not None}
    for r in store.coded_records(arch):
        if category is not None and category not in r["categories"]:
            continue
        if uncoded and (r["categories"] or not r["reason"]):
            continue
        if no_reason and r["reason"]:
            continue
        if coded_by is not None and r["coded_by"] != coded_by:
            continue
        if any(str(r.get(k)) != v for k, v in filters.items()):
            continue
        yield r


def judgements(arch: Archive, record_id: str | None = None, disagreements: bool = False) -> list[dict[str, Any]]:
    """Every hand-coded record (or one) with all its judgements, the one in force and why, and whether two
    coders disagree (`code judgements --json`)."""
    got = store.record_judgements(arch, None if record_id is None else [record_id])
    return [v.as_json() for _, v in sorted(got.items()) if v.disagreement or not disagreements]


def agreement(arch: Archive, coder_a: str, coder_b: str) -> dict[str, Any]:
    """Cohen's kappa between two coders' hand judgements, per category and overall."""
    a, b = store.hand_codes_by(arch, coder_a), store.hand_codes_by(arch, coder_b)
    known = store.coders(arch)
    for name, got in ((coder_a, a), (coder_b, b)):
        if not got:
            raise UserError(f"{name}: this coder has coded nothing (coders: {', '.join(known) or 'none yet'}). "
                            f"Hand codings are made with `exhibit code set RECORD CATEGORY... --coder {name}`.")
    if not set(a) & set(b):
        raise UserError(f"{coder_a} and {coder_b} have coded no record in common: agreement needs the same sample.")
    cb = store.current_codebook(arch)
    res = compare(a, b, cb.ids())
    return {"coder_a": coder_a, "coder_b": coder_b, **res,
            "reference": "Cohen (1960), kappa = (p_o - p_e) / (1 - p_e); bands: Landis & Koch (1977)"}

