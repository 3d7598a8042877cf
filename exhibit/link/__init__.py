"""Link people across sources and scripts: who each record and mention is about.

Linkage documents which records and mentions are about the same person (a testimony corroborated by
a register; a person in the platform list found again in a camp register). It never scores, flags or
ranks people: probabilities here are about pairs of *records* being the same person.

    run(arch, ...) -> summary               score, decide and cluster every record and mention
    clusters(arch) -> [cluster]             the `link ls --json` shape
    review_queue(arch) -> [pair]            pairs between the review and the link threshold
    judge(arch, a, b, verdict, actor)       accept / reject / unsure, kept as a custody event
    explain(arch, a, b) -> dict             what each comparison contributed (match weights)
    people_search(arch, query, limit)       records and mentions whose names match a query, any script
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from exhibit.archive import Archive
from exhibit.archive.custody import os_user, utc_now
from exhibit.errors import UserError
from exhibit.link import resolver, store
from exhibit.link.model import LinkSettings
from exhibit.link.search import people_search
from exhibit.link.types import Cluster, ClusterMember
from exhibit.progress import SILENT, Progress

__all__ = ["LinkSettings", "clusters", "explain", "judge", "people_search", "review_queue", "run"]


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
    store.ensure(arch.db)
    progress.start("link: training and scoring pairs")
    res = engine.link(mentions, s, store.judgements(arch.db), db_api)
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
    with arch.transaction() as db:
        db.execute("DELETE FROM link_mentions")
        db.execute("DELETE FROM link_pairs")
        db.execute("DELETE FROM link_clusters")
        db.executemany("INSERT INTO link_mentions VALUES (?,?,?,?,?,?,?)", [
            (str(m["unique_id"]), str(m.get("kind") or "record"), str(m.get("dataset") or ""), m.get("name"),
             feats[str(m["unique_id"])].get("id_number"), json.dumps(m.get("source") or {}, ensure_ascii=False),
             json.dumps(_plain(feats[str(m["unique_id"])]), ensure_ascii=False)) for m in mentions])
        db.executemany("INSERT OR REPLACE INTO link_pairs VALUES (?,?,?,?,?,?,?)", [
            (d.a, d.b, d.probability, d.weight, d.decision, d.why,
             json.dumps({k[6:]: int(v) for k, v in by_pair.get((d.a, d.b), {}).items() if k.startswith("gamma_")}))
            for d in res.decisions])
        db.executemany("INSERT INTO link_clusters VALUES (?,?,?)",
                       [(cid, m, best.get(m)) for m, cid in member_cluster.items()])
        cur = db.execute("INSERT INTO link_runs (time, actor, settings, model, mentions, pairs) VALUES (?,?,?,?,?,?)",
                         (now, actor or os_user(), json.dumps(asdict(s)), json.dumps(model_json), len(mentions),
                          len(res.pairs)))
        run_id = cur.lastrowid
    summary = {
        "run_id": run_id, "mentions": len(mentions), "pairs_scored": len(res.pairs),
        "links": sum(d.decision == "link" for d in res.decisions),
        "review": sum(d.decision == "review" for d in res.decisions),
        "clusters": sum(1 for ms in res.clusters.values() if len(ms) > 1),
        "link_threshold": s.link_threshold, "review_threshold": s.review_threshold,
    }
    arch.log_event("link_run", None, actor, summary)
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
    return store.mentions(arch.db)


def clusters(arch: Archive, include_single: bool = False) -> list[Cluster]:
    """The clusters of the latest run, judgements since applied (`link ls --json` is their as_json)."""
    mentions = _mentions(arch)
    if not mentions:
        raise UserError("no linkage yet: run `exhibit link run` first.")
    out = []
    for cid, rows in store.cluster_rows(arch.db).items():
        if len(rows) < 2 and not include_single:
            continue
        out.append(Cluster(str(cid), tuple(_member(mentions[uid], score) for uid, score in rows if uid in mentions)))
    return out


def review_queue(arch: Archive, limit: int | None = None) -> list[dict[str, Any]]:
    """Pairs a person should look at (not yet judged), most probable first."""
    mentions = _mentions(arch)
    judged = store.judgements(arch.db)
    out = []
    for r in arch.db.execute("SELECT * FROM link_pairs WHERE decision='review' ORDER BY probability DESC, a, b"):
        if (r["a"], r["b"]) in judged or r["a"] not in mentions or r["b"] not in mentions:
            continue
        out.append({"a": _member(mentions[r["a"]], None).as_json(), "b": _member(mentions[r["b"]], None).as_json(),
                    "probability": round(r["probability"], 4), "match_weight": round(r["weight"], 3), "why": r["why"]})
        if limit is not None and len(out) >= limit:
            break
    return out


def judge(arch: Archive, a: str, b: str, verdict: str, actor: str, note: str | None = None) -> dict[str, Any]:
    """Record a person's judgement on a pair (kept as a custody event) and re-cluster at once."""
    if resolver.Judgement.parse(verdict) is None:
        raise UserError(f"{verdict!r}: a judgement is one of {', '.join(resolver.Judgement)}.")
    mentions = _mentions(arch)
    for x in (a, b):
        if x not in mentions:
            raise UserError(f"{x}: not a record or mention of the latest link run (`exhibit link ls --all`).")
    if a == b:
        raise UserError("a judgement needs two different records or mentions.")
    ka, kb = resolver.pair_key(a, b)
    now = utc_now()
    with arch.transaction() as db:
        db.execute("INSERT INTO link_judgements (a, b, verdict, actor, time, note) VALUES (?,?,?,?,?,?)",
                   (ka, kb, verdict, actor, now, note))
    event = {"a": ka, "b": kb, "verdict": verdict, "note": note}
    arch.log_event("link_judgement", None, actor, event)
    _recluster(arch)
    return {**event, "actor": actor, "time": now}


def _recluster(arch: Archive) -> None:
    """Apply judgements to the stored pairs of the latest run without re-scoring."""
    cfg = store.latest_model(arch.db)
    s = LinkSettings(**cfg["settings"]) if cfg else LinkSettings()
    pairs = [{"unique_id_l": r["a"], "unique_id_r": r["b"], "dataset_l": r["da"], "dataset_r": r["db"],
              "match_probability": r["probability"], "match_weight": r["weight"]}
             for r in arch.db.execute("SELECT p.*, ma.dataset AS da, mb.dataset AS db FROM link_pairs p "
                                      "JOIN link_mentions ma ON ma.unique_id=p.a JOIN link_mentions mb ON mb.unique_id=p.b")]
    decisions = resolver.decide(pairs, store.judgements(arch.db), s.link_threshold, s.review_threshold)
    nodes = [r[0] for r in arch.db.execute("SELECT unique_id FROM link_mentions")]
    groups = resolver.clusters(nodes, decisions)
    best: dict[str, float] = {}
    for d in decisions:
        if d.decision == "link":
            for n in (d.a, d.b):
                best[n] = max(best.get(n, 0.0), d.probability)
    with arch.transaction() as db:
        for d in decisions:
            db.execute("UPDATE link_pairs SET decision=?, why=? WHERE a=? AND b=?", (d.decision, d.why, d.a, d.b))
            db.execute("INSERT OR IGNORE INTO link_pairs VALUES (?,?,?,?,?,?,?)",
                       (d.a, d.b, d.probability, d.weight, d.decision, d.why, "{}"))
        db.execute("DELETE FROM link_clusters")
        db.executemany("INSERT INTO link_clusters VALUES (?,?,?)",
                       [(cid, m, best.get(m)) for cid, ms in groups.items() for m in ms])


def explain(arch: Archive, a: str, b: str) -> dict[str, Any]:
    """What each comparison contributed to the pair's score, in match weights (log2 Bayes factors)."""
    from exhibit.link.contributions import explain_pair

    mentions = _mentions(arch)
    for x in (a, b):
        if x not in mentions:
            raise UserError(f"{x}: not a record or mention of the latest link run (`exhibit link ls --all`).")
    cfg = store.latest_model(arch.db)
    if cfg is None:
        raise UserError("no linkage yet: run `exhibit link run` first.")
    fa = {**json.loads(mentions[a]["features"]), "unique_id": a}
    fb = {**json.loads(mentions[b]["features"]), "unique_id": b}
    out = explain_pair(cfg["model"], fa, fb)
    ka, kb = resolver.pair_key(a, b)
    row = arch.db.execute("SELECT decision, why FROM link_pairs WHERE a=? AND b=?", (ka, kb)).fetchone()
    out.update({"a": _member(mentions[a], None).as_json(), "b": _member(mentions[b], None).as_json(),
                "decision": row["decision"] if row else "none", "why": row["why"] if row else "not compared"})
    return out
