"""The link_* tables in the archive catalog: runs, mentions, scored pairs, clusters, judgements."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from exhibit.archive.engine import Catalog, in_list

SCHEMA = """
CREATE TABLE IF NOT EXISTS link_runs (
    run_id      {serial_key},
    time        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    settings    TEXT NOT NULL,              -- JSON LinkSettings
    model       TEXT NOT NULL,              -- JSON splink model (trained m/u probabilities)
    mentions    INTEGER NOT NULL,
    pairs       INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS link_mentions (     -- as of the latest run
    unique_id   TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,              -- record | mention
    dataset     TEXT NOT NULL,
    name        TEXT,
    id_number   TEXT,
    source      TEXT NOT NULL,              -- JSON {{"id", "path", "sheet", "page", "row", ...}}
    features    TEXT NOT NULL               -- JSON comparison columns (name keys, birth, place ...)
);
CREATE TABLE IF NOT EXISTS link_pairs (        -- scored pairs of the latest run, review threshold and up
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    probability DOUBLE PRECISION NOT NULL,
    weight      DOUBLE PRECISION NOT NULL,
    decision    TEXT NOT NULL,              -- link | review | none
    why         TEXT NOT NULL,
    gammas      TEXT NOT NULL,              -- JSON {{comparison: level}}
    PRIMARY KEY (a, b)
);
CREATE TABLE IF NOT EXISTS link_clusters (
    cluster_id  TEXT NOT NULL,
    unique_id   TEXT NOT NULL PRIMARY KEY,
    score       DOUBLE PRECISION            -- best link probability of this member within the cluster
);
CREATE INDEX IF NOT EXISTS link_clusters_cluster ON link_clusters(cluster_id);
CREATE TABLE IF NOT EXISTS link_judgements (   -- append-only; the latest judgement of a pair counts
    seq         {serial_key},
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    verdict     TEXT NOT NULL,              -- accept | reject | unsure
    actor       TEXT NOT NULL,
    time        TEXT NOT NULL,
    note        TEXT
);
CREATE INDEX IF NOT EXISTS link_judgements_pair ON link_judgements(a, b);
"""


def ensure(cat: Catalog) -> None:
    cat.ensure(SCHEMA)


@dataclass(frozen=True, slots=True)
class Judged:
    """One person's judgement of a pair, as appended (never updated)."""

    seq: int
    verdict: str
    actor: str
    time: str
    note: str | None

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "verdict": self.verdict, "actor": self.actor, "time": self.time, "note": self.note}


@dataclass(frozen=True, slots=True)
class PairJudgements:
    """Every judgement of one pair, oldest first, and the view derived from them: the latest wins (in the
    order the catalog took them, under the custody lock); two actors whose own latest verdicts differ
    are a disagreement a team lead should settle."""

    a: str
    b: str
    history: tuple[Judged, ...]

    @property
    def current(self) -> Judged:
        return self.history[-1]

    @property
    def disagreement(self) -> bool:
        return len(self.standing()) > 1 and len(set(self.standing().values())) > 1

    def standing(self) -> dict[str, str]:
        """Each actor's own latest verdict, by actor, in the order they last judged."""
        out: dict[str, str] = {}
        for j in self.history:
            out.pop(j.actor, None)
            out[j.actor] = j.verdict
        return out

    def summary(self) -> str:
        c = self.current
        n = len(self.history)
        text = f"latest of {n} judgement{'' if n == 1 else 's'}; by {c.actor} at {c.time}"
        earlier = [f"{j.verdict} by {j.actor} at {j.time}" for j in reversed(self.history[:-1])]
        if earlier:
            text += "; earlier: " + ", ".join(earlier)
        if self.disagreement:
            text += "; disagreement: " + ", ".join(f"{who} says {v}" for who, v in self.standing().items())
        return text

    def as_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "verdict": self.current.verdict, "judgements": len(self.history),
                "wins": {**self.current.as_json(), "why": "the latest judgement wins"},
                "summary": self.summary(), "disagreement": self.disagreement, "standing": self.standing(),
                "history": [j.as_json() for j in self.history]}


def append_judgement(cat: Catalog, a: str, b: str, verdict: str, actor: str, time: str, note: str | None) -> int:
    """A new judgement row (never an update: two writers at once both land); its sequence number."""
    row = cat.execute("INSERT INTO link_judgements (a, b, verdict, actor, time, note) "
                      "VALUES (:a, :b, :v, :actor, :t, :note) RETURNING seq",
                      {"a": a, "b": b, "v": verdict, "actor": actor, "t": time, "note": note}).fetchone()
    return int(row[0])


def judgement_history(cat: Catalog, pairs: Sequence[tuple[str, str]] | None = None) -> dict[tuple[str, str], PairJudgements]:
    """Every judged pair (or only `pairs`, given as stored, smaller id first) with its history."""
    ensure(cat)
    where = ""
    params: dict[str, Any] = {}
    if pairs is not None:
        if not pairs:
            return {}
        ids = sorted({x for p in pairs for x in p})
        marks, params = in_list("u", ids)
        where = f" WHERE a IN {marks} AND b IN {marks}"
    got: dict[tuple[str, str], list[Judged]] = {}
    for r in cat.execute("SELECT seq, a, b, verdict, actor, time, note FROM link_judgements" + where +
                         " ORDER BY seq", params):
        got.setdefault((r["a"], r["b"]), []).append(Judged(int(r["seq"]), r["verdict"], r["actor"], r["time"], r["note"]))
    wanted = None if pairs is None else set(pairs)
    return {k: PairJudgements(k[0], k[1], tuple(v)) for k, v in got.items() if wanted is None or k in wanted}


def judgements(cat: Catalog) -> dict[tuple[str, str], str]:
    """The verdict in force for every judged pair: its latest judgement."""
    return {k: v.current.verdict for k, v in judgement_history(cat).items()}


def latest_model(cat: Catalog) -> dict[str, Any] | None:
    ensure(cat)
    r = cat.execute("SELECT model, settings FROM link_runs ORDER BY run_id DESC LIMIT 1").fetchone()
    return None if r is None else {"model": json.loads(r[0]), "settings": json.loads(r[1])}


def mentions(cat: Catalog) -> dict[str, Any]:
    """The latest run's mentions (records and mentions in documents) by unique id, rows read by column name."""
    ensure(cat)
    return {r["unique_id"]: r for r in cat.execute(
        "SELECT unique_id, kind, dataset, name, id_number, source, features FROM link_mentions")}


def known_mentions(cat: Catalog, ids: Sequence[str]) -> set[str]:
    """Which of `ids` are mentions of the latest run (without reading every mention's features)."""
    ensure(cat)
    marks, params = in_list("m", list(ids))
    return {r[0] for r in cat.execute(f"SELECT unique_id FROM link_mentions WHERE unique_id IN {marks}", params)}


def cluster_rows(cat: Catalog) -> dict[str, list[tuple[str, float | None]]]:
    """(unique id, score) of every member, by cluster, in cluster and member order."""
    ensure(cat)
    groups: dict[str, list[tuple[str, float | None]]] = {}
    for r in cat.execute("SELECT cluster_id, unique_id, score FROM link_clusters ORDER BY cluster_id, unique_id"):
        groups.setdefault(r["cluster_id"], []).append((r["unique_id"], r["score"]))
    return groups


def cluster_of(cat: Catalog) -> dict[str, str]:
    """The cluster of every member."""
    ensure(cat)
    return {r[0]: r[1] for r in cat.execute("SELECT unique_id, cluster_id FROM link_clusters")}


def review_pairs(cat: Catalog) -> Iterator[Any]:
    """The pairs the latest run and the judgements since leave for review, most probable first."""
    ensure(cat)
    yield from cat.execute("SELECT a, b, probability, weight, decision, why FROM link_pairs WHERE decision = 'review' "
                           "ORDER BY probability DESC, a, b")


def pair(cat: Catalog, a: str, b: str) -> Any:
    ensure(cat)
    return cat.execute("SELECT a, b, probability, weight, decision, why FROM link_pairs WHERE a = :a AND b = :b",
                       {"a": a, "b": b}).fetchone()


def scored_pairs(cat: Catalog) -> list[dict[str, Any]]:
    """The stored pairs in the shape resolver.decide takes."""
    return [{"unique_id_l": r["a"], "unique_id_r": r["b"], "dataset_l": r["da"], "dataset_r": r["dbs"],
             "match_probability": r["probability"], "match_weight": r["weight"]}
            for r in cat.execute("SELECT p.a, p.b, p.probability, p.weight, ma.dataset AS da, mb.dataset AS dbs "
                                 "FROM link_pairs p JOIN link_mentions ma ON ma.unique_id = p.a "
                                 "JOIN link_mentions mb ON mb.unique_id = p.b ORDER BY p.a, p.b")]


def node_ids(cat: Catalog) -> list[str]:
    return [r[0] for r in cat.execute("SELECT unique_id FROM link_mentions ORDER BY unique_id")]


def replace_run(cat: Catalog, mention_rows: Sequence[dict[str, Any]], pair_rows: Sequence[dict[str, Any]],
                cluster_rows_: Sequence[dict[str, Any]], run: dict[str, Any]) -> int:
    """The latest run's mentions, pairs and clusters in place of the earlier run's; the run's number.
    Inside the caller's transaction."""
    cat.execute("DELETE FROM link_mentions")
    cat.execute("DELETE FROM link_pairs")
    cat.execute("DELETE FROM link_clusters")
    cat.executemany("INSERT INTO link_mentions (unique_id, kind, dataset, name, id_number, source, features) "
                    "VALUES (:unique_id, :kind, :dataset, :name, :id_number, :source, :features)", mention_rows)
    cat.executemany("INSERT INTO link_pairs (a, b, probability, weight, decision, why, gammas) "
                    "VALUES (:a, :b, :probability, :weight, :decision, :why, :gammas) "
                    "ON CONFLICT (a, b) DO UPDATE SET probability = excluded.probability, weight = excluded.weight, "
                    "decision = excluded.decision, why = excluded.why, gammas = excluded.gammas", pair_rows)
    write_clusters(cat, cluster_rows_)
    row = cat.execute("INSERT INTO link_runs (time, actor, settings, model, mentions, pairs) "
                      "VALUES (:time, :actor, :settings, :model, :mentions, :pairs) RETURNING run_id", run).fetchone()
    return int(row[0])


def write_decisions(cat: Catalog, decisions: Sequence[dict[str, Any]]) -> None:
    """Decisions re-derived from judgements, on the stored pairs (a pair accepted but never scored is added).
    Only the pairs whose decision changed are written: a judgement changes a few, and rewriting every pair on
    each one held the write lock longer and, on PostgreSQL, left a dead copy of every row behind."""
    have = {(r["a"], r["b"]): (r["decision"], r["why"]) for r in cat.execute("SELECT a, b, decision, why FROM link_pairs")}
    decisions = [d for d in decisions if have.get((d["a"], d["b"])) != (d["decision"], d["why"])]
    if not decisions:
        return
    cat.executemany("INSERT INTO link_pairs (a, b, probability, weight, decision, why, gammas) "
                    "VALUES (:a, :b, :probability, :weight, :decision, :why, '{}') "
                    "ON CONFLICT (a, b) DO UPDATE SET decision = excluded.decision, why = excluded.why", decisions)


def write_clusters(cat: Catalog, rows: Sequence[dict[str, Any]]) -> None:
    """Every member's cluster as `rows` say; only the members whose cluster or score changed are written
    (see write_decisions)."""
    have = {r["unique_id"]: (r["cluster_id"], r["score"])
            for r in cat.execute("SELECT cluster_id, unique_id, score FROM link_clusters")}
    want = {r["unique_id"]: (r["cluster_id"], r["score"]) for r in rows}
    gone = [u for u, v in have.items() if want.get(u) != v]
    for i in range(0, len(gone), 500):
        part = gone[i:i + 500]
        marks, params = in_list("u", part)
        cat.execute(f"DELETE FROM link_clusters WHERE unique_id IN {marks}", params)
    cat.executemany("INSERT INTO link_clusters (cluster_id, unique_id, score) VALUES (:cluster_id, :unique_id, :score)",
                    [r for r in rows if have.get(r["unique_id"]) != want[r["unique_id"]]])
