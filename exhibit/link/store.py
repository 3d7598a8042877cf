"""The link_* tables in the archive catalog: runs, mentions, scored pairs, clusters, judgements."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS link_runs (
    run_id      INTEGER PRIMARY KEY,
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
    source      TEXT NOT NULL,              -- JSON {"id", "path", "sheet", "page", "row", ...}
    features    TEXT NOT NULL               -- JSON comparison columns (name keys, birth, place ...)
);
CREATE TABLE IF NOT EXISTS link_pairs (        -- scored pairs of the latest run, review threshold and up
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    probability REAL NOT NULL,
    weight      REAL NOT NULL,
    decision    TEXT NOT NULL,              -- link | review | none
    why         TEXT NOT NULL,
    gammas      TEXT NOT NULL,              -- JSON {comparison: level}
    PRIMARY KEY (a, b)
);
CREATE TABLE IF NOT EXISTS link_clusters (
    cluster_id  TEXT NOT NULL,
    unique_id   TEXT NOT NULL PRIMARY KEY,
    score       REAL                        -- best link probability of this member within the cluster
);
CREATE INDEX IF NOT EXISTS link_clusters_cluster ON link_clusters(cluster_id);
CREATE TABLE IF NOT EXISTS link_judgements (   -- append-only; the latest judgement of a pair counts
    seq         INTEGER PRIMARY KEY,
    a           TEXT NOT NULL,
    b           TEXT NOT NULL,
    verdict     TEXT NOT NULL,              -- accept | reject | unsure
    actor       TEXT NOT NULL,
    time        TEXT NOT NULL,
    note        TEXT
);
CREATE INDEX IF NOT EXISTS link_judgements_pair ON link_judgements(a, b);
"""


def ensure(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)


def judgements(db: sqlite3.Connection) -> dict[tuple[str, str], str]:
    ensure(db)
    out: dict[tuple[str, str], str] = {}
    for r in db.execute("SELECT a, b, verdict FROM link_judgements ORDER BY seq"):
        out[(r[0], r[1])] = r[2]
    return out


def latest_model(db: sqlite3.Connection) -> dict[str, Any] | None:
    ensure(db)
    r = db.execute("SELECT model, settings FROM link_runs ORDER BY run_id DESC LIMIT 1").fetchone()
    return None if r is None else {"model": json.loads(r[0]), "settings": json.loads(r[1])}


def mentions(db: sqlite3.Connection) -> dict[str, sqlite3.Row]:
    """The latest run's mentions (records and mentions in documents) by unique id."""
    ensure(db)
    return {r["unique_id"]: r for r in db.execute("SELECT * FROM link_mentions")}


def cluster_rows(db: sqlite3.Connection) -> dict[str, list[tuple[str, float | None]]]:
    """(unique id, score) of every member, by cluster, in cluster and member order."""
    groups: dict[str, list[tuple[str, float | None]]] = {}
    for r in db.execute("SELECT cluster_id, unique_id, score FROM link_clusters ORDER BY cluster_id, unique_id"):
        groups.setdefault(r["cluster_id"], []).append((r["unique_id"], r["score"]))
    return groups
