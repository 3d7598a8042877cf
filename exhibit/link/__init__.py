"""Link people across sources and scripts: who each record and mention is about.

Linkage documents which records and mentions are about the same person (a testimony corroborated by
a register; a person in the platform list found again in a camp register). It never scores, flags or
ranks people: probabilities here are about pairs of *records* being the same person.

    run(arch, ...) -> summary               score, decide and cluster every record and mention
    clusters(arch) -> [cluster]             the `link ls --json` shape
    review_queue(arch) -> [pair]            pairs between the review and the link threshold
    judge(arch, a, b, verdict, actor)       accept / reject / unsure, appended, kept as a custody event
    judgement_history(arch) -> [pair]       every judgement of every judged pair, the one in force, disagreements
    explain(arch, a, b) -> dict             what each comparison contributed (match weights)
    people_search(arch, query, limit)       records and mentions whose names match a query, any script
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from exhibit.archive import Archive, custody
from exhibit.archive.custody import os_user, utc_now
from exhibit.archive.engine import Catalog
from exhibit.errors import UserError
from exhibit.link import resolver, store
from exhibit.link.model import LinkSettings
from exhibit.link.search import people_search
from exhibit.link.types import Cluster, ClusterMember
from exhibit.progress import SILENT, Progress

__all__ = ["LinkSettings", "clusters", "explain", "judge", "judgement_history", "pair_judgements", "people_search",
           "review_queue", "run"]


def run(arch: Archive, settings: LinkSettings | None = None, actor: str | None = None,
        mentions: Sequence[Mapping[str, Any]] | None = None, documents: bool = True,
        tables: tuple[tuple[str, Mapping[str, str]], ...] | None = None, db_api: Any | None = None,
        relatives: bool = False, progress: Progress = SILENT) -> dict[str, Any]:
    """Link every register record and person mention of the archive; store pairs and clusters.
    Judgements made earlier are applied, never overwritten. Progress comes in three phases: reading the
    records and mentions, training and scoring (splink: no finer progress to report), storing."""
    from exhibit.link import engine, sources

    s = settings or LinkSettings()
    progress.start("link: records and mentions")
    if mentions is None:
        mentions = sources.from_archive(arch, documents=documents,
                                        tables=tables if tables is not None else sources.DEFAULT_MENTION_TABLES,
                                        relatives=relatives)
    if len(mentions) < 2:
        raise UserError("nothing to link: fewer than two person records and mentions in this archive. "
                        "Run `exhibit records extract` first.")
    progress.advance(len(mentions))
    store.ensure(arch.catalog)
    progress.start("link: training and scoring pairs")
    used = store.judgements(arch.catalog)
    res = engine.link(mentions, s, used, db_api)
    progress.start("link: storing pairs and clusters")
    model_json = res.linker.misc.save_model_to_json()
    by_pair = {resolver.pair_key(str(r["unique_id_l"]), str(r["unique_id_r"])): r
               for r in res.pairs.to_dict("records")}
    feats = res.frame.set_index("unique_id").to_dict("index")
    best: dict[str, float] = {}
    for d in res.decisions:
        if d.decision == "link":
            for n in (d.a, d.b):
                best[n] = max(best.get(n, 0.0), d.probability)
    member_cluster = {m: cid for cid, ms in res.clusters.items() for m in ms}
    now = utc_now()
    plain = {uid: _plain(f) for uid, f in feats.items()}
    mention_rows = [{"unique_id": str(m["unique_id"]), "kind": str(m.get("kind") or "record"),
                     "dataset": str(m.get("dataset") or ""), "name": m.get("name"),
                     "id_number": plain[str(m["unique_id"])].get("id_number"),
                     "source": json.dumps(m.get("source") or {}, ensure_ascii=False),
                     "features": json.dumps(plain[str(m["unique_id"])], ensure_ascii=False)} for m in mentions]
    pair_rows = [{"a": d.a, "b": d.b, "probability": d.probability, "weight": d.weight, "decision": d.decision,
                  "why": d.why, "gammas": json.dumps({k[6:]: int(v) for k, v in by_pair.get((d.a, d.b), {}).items()
                                                      if k.startswith("gamma_")})}
                 for d in res.decisions]
    run_row = {"time": now, "actor": actor or os_user(), "settings": json.dumps(asdict(s)),
               "model": json.dumps(model_json), "mentions": len(mentions), "pairs": len(res.pairs)}
    with arch.transaction() as cat:
        cat.lock_custody()  # judgements made while the model trained are applied below, none lost
        run_id = store.replace_run(cat, mention_rows, pair_rows,
                                   [{"cluster_id": cid, "unique_id": m, "score": best.get(m)}
                                    for m, cid in member_cluster.items()], run_row)
        if store.judgements(cat) != used:
            _recluster(cat)
        summary = {
            "run_id": run_id, "mentions": len(mentions), "pairs_scored": len(res.pairs),
            "links": sum(d.decision == "link" for d in res.decisions),
            "review": sum(d.decision == "review" for d in res.decisions),
            "clusters": sum(1 for ms in res.clusters.values() if len(ms) > 1),
            "link_threshold": s.link_threshold, "review_threshold": s.review_threshold,
        }
        custody.append(cat, "link_run", None, actor or os_user(), summary)
    progress.finish()
    return summary


def _plain(d: Mapping[str, Any]) -> dict[str, Any]:
    import math

    out: dict[str, Any] = {}
    for k, v in d.items():
        if v is None or (isinstance(v, float) and math.isnan(v)) or str(v) == "<NA>":
            out[k] = None
        elif hasattr(v, "item"):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def _member(row: Mapping[str, Any], score: float | None) -> ClusterMember:
    return ClusterMember(row["unique_id"], row["kind"], row["id_number"], row["name"], json.loads(row["source"]),
                         None if score is None else float(score))


def _mentions(arch: Archive) -> dict[str, Any]:
    return store.mentions(arch.catalog)


def clusters(arch: Archive, include_single: bool = False) -> list[Cluster]:
    """The clusters of the latest run, judgements since applied (`link ls --json` is their as_json)."""
    mentions = _mentions(arch)
    if not mentions:
        raise UserError("no linkage yet: run `exhibit link run` first.")
    out = []
    for cid, rows in store.cluster_rows(arch.catalog).items():
        if len(rows) < 2 and not include_single:
            continue
        out.append(Cluster(str(cid), tuple(_member(mentions[uid], score) for uid, score in rows if uid in mentions)))
    return out


def review_queue(arch: Archive, limit: int | None = None) -> list[dict[str, Any]]:
    """Pairs a person should look at (not yet judged), most probable first."""
    mentions = _mentions(arch)
    judged = store.judgements(arch.catalog)
    out = []
    for r in store.review_pairs(arch.catalog):
        if (r["a"], r["b"]) in judged or r["a"] not in mentions or r["b"] not in mentions:
            continue
        out.append({"a": _member(mentions[r["a"]], None).as_json(), "b": _member(mentions[r["b"]], None).as_json(),
                    "probability": round(r["probability"], 4), "match_weight": round(r["weight"], 3), "why": r["why"]})
        if limit is not None and len(out) >= limit:
            break
    return out


def judgement_history(arch: Archive, a: str | None = None, b: str | None = None,
                      disagreements: bool = False) -> list[dict[str, Any]]:
    """Every judged pair (or the pair a, b) with all its judgements, the one in force and why, and whether
    two investigators disagree (`link judgements --json`)."""
    pairs = None if a is None or b is None else [resolver.pair_key(a, b)]
    got = store.judgement_history(arch.catalog, pairs)
    return [v.as_json() for _, v in sorted(got.items()) if v.disagreement or not disagreements]


def pair_judgements(arch: Archive, a: str, b: str) -> dict[str, Any] | None:
    """The judgements of one pair (as `judgement_history` gives them), or None if no one judged it."""
    found = judgement_history(arch, a, b)
    return found[0] if found else None


def judge(arch: Archive, a: str, b: str, verdict: str, actor: str, note: str | None = None) -> dict[str, Any]:
    """Record a person's judgement on a pair (kept as a custody event) and re-cluster at once."""
    if resolver.Judgement.parse(verdict) is None:
        raise UserError(f"{verdict!r}: a judgement is one of {', '.join(resolver.Judgement)}.")
    known = store.known_mentions(arch.catalog, (a, b))
    for x in (a, b):
        if x not in known:
            raise UserError(f"{x}: not a record or mention of the latest link run (`exhibit link ls --all`).")
    if a == b:
        raise UserError("a judgement needs two different records or mentions.")
    ka, kb = resolver.pair_key(a, b)
    event = {"a": ka, "b": kb, "verdict": verdict, "note": note}
    with arch.transaction() as cat:
        # the custody lock first: judgements of the same pair by two people at once are both appended, in
        # the order the log has them, and each re-clustering reads every judgement committed before it
        ev = custody.append(cat, "link_judgement", None, actor, event)
        store.append_judgement(cat, ka, kb, verdict, actor, ev.time, note)
        _recluster(cat)
    view = pair_judgements(arch, ka, kb)
    return {**event, "actor": actor, "time": ev.time, "custody_seq": ev.seq, "current": view}


def _recluster(cat: Catalog) -> None:
    """Apply judgements to the stored pairs of the latest run without re-scoring; inside the caller's
    transaction, after the custody lock."""
    cfg = store.latest_model(cat)
    s = LinkSettings(**cfg["settings"]) if cfg else LinkSettings()
    pairs, verdicts = store.scored_pairs(cat), store.judgements(cat)
    decisions = resolver.decide(pairs, verdicts, s.link_threshold, s.review_threshold)
    groups = resolver.clusters(store.node_ids(cat), decisions)
    best: dict[str, float] = {}
    for d in decisions:
        if d.decision == "link":
            for n in (d.a, d.b):
                best[n] = max(best.get(n, 0.0), d.probability)
    decided = {(d.a, d.b) for d in decisions}
    # a stored pair no longer decided (an accepted pair since rejected, say) is not linked any more
    undecided = [{"a": p["unique_id_l"], "b": p["unique_id_r"], "probability": p["match_probability"],
                  "weight": p["match_weight"], "decision": "none",
                  "why": "judgement:reject" if verdicts.get(k) == "reject" else "below threshold"}
                 for p in pairs
                 if (k := resolver.pair_key(p["unique_id_l"], p["unique_id_r"])) not in decided]
    store.write_decisions(cat, [{"a": d.a, "b": d.b, "probability": d.probability, "weight": d.weight,
                                 "decision": d.decision, "why": d.why} for d in decisions] + undecided)
    store.write_clusters(cat, [{"cluster_id": cid, "unique_id": m, "score": best.get(m)}
                               for cid, ms in groups.items() for m in ms])


def explain(arch: Archive, a: str, b: str) -> dict[str, Any]:
    """What each comparison contributed to the pair's score, in match weights (log2 Bayes factors)."""
    from exhibit.link.contributions import explain_pair

    mentions = _mentions(arch)
    for x in (a, b):
        if x not in mentions:
            raise UserError(f"{x}: not a record or mention of the latest link run (`exhibit link ls --all`).")
    cfg = store.latest_model(arch.catalog)
    if cfg is None:
        raise UserError("no linkage yet: run `exhibit link run` first.")
    fa = {**json.loads(mentions[a]["features"]), "unique_id": a}
    fb = {**json.loads(mentions[b]["features"]), "unique_id": b}
    out = explain_pair(cfg["model"], fa, fb)
    ka, kb = resolver.pair_key(a, b)
    row = store.pair(arch.catalog, ka, kb)
    out.update({"a": _member(mentions[a], None).as_json(), "b": _member(mentions[b], None).as_json(),
                "decision": row["decision"] if row else "none", "why": row["why"] if row else "not compared",
                "judgements": pair_judgements(arch, ka, kb)})
    return out
