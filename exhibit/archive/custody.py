"""The chain of custody: an append-only, hash-chained log of what happened to each exhibit."""

from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from exhibit import TOOL
from exhibit.archive.engine import Catalog

GENESIS = "0" * 64


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def event_hash(seq: int, time: str, actor: str, tool: str, event: str, sha256: str | None,
               details: str, prev_hash: str) -> str:
    canonical = json.dumps([seq, time, actor, tool, event, sha256, details, prev_hash],
                           ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CustodyEvent:
    seq: int
    time: str
    actor: str
    tool: str
    event: str
    exhibit_sha256: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "actor": self.actor, "tool": self.tool,
                "event": self.event, "sha256": self.exhibit_sha256, "details": self.details,
                "prev_hash": self.prev_hash, "hash": self.hash}


_INSERT = ("INSERT INTO custody(seq, time, actor, tool, event, exhibit_sha256, details, prev_hash, hash)"
           " VALUES (:seq, :time, :actor, :tool, :event, :sha, :details, :prev, :hash)")


def append(db: Catalog, event: str, sha256: str | None, actor: str,
           details: dict[str, Any] | None = None, tool: str = TOOL) -> CustodyEvent:
    """Append one event; call inside the caller's transaction so the event and the change it records
    commit together. The custody lock is held from reading the head to the commit (one unbroken chain
    whoever appends at the same time)."""
    db.lock_custody()
    last = db.execute("SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
    seq = (last["seq"] + 1) if last else 1
    prev = last["hash"] if last else GENESIS
    time = utc_now()
    det = json.dumps(details or {}, ensure_ascii=False, sort_keys=True)
    h = event_hash(seq, time, actor, tool, event, sha256, det, prev)
    db.execute(_INSERT, {"seq": seq, "time": time, "actor": actor, "tool": tool, "event": event, "sha": sha256,
                         "details": det, "prev": prev, "hash": h})
    return CustodyEvent(seq, time, actor, tool, event, sha256, details or {}, prev, h)


def head_seq(db: Catalog) -> int:
    """The last event's number (0 for none): every change to the archive's marks moves it."""
    last = db.execute("SELECT seq FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
    return int(last["seq"]) if last else 0


def exhibits_with_events_since(db: Catalog, head: int, events: tuple[str, ...], limit: int) -> list[int] | None:
    """The exhibits named by an event of one of these kinds after event `head`, by seq (None: more than
    `limit` of them). The events after a head are a range of the log's primary key: cheap while few."""
    marks = ", ".join(f":e{i}" for i in range(len(events)))
    args: dict[str, Any] = {f"e{i}": e for i, e in enumerate(events)}
    rows = db.execute(
        "SELECT DISTINCT e.seq FROM custody c JOIN exhibits e ON e.sha256 = c.exhibit_sha256 "
        f"WHERE c.seq > :head AND c.event IN ({marks}) LIMIT :n", {**args, "head": head, "n": limit + 1}).fetchall()
    return None if len(rows) > limit else sorted(int(r[0]) for r in rows)


class Appender:
    """Several events appended in one transaction: the chain's head is read once and the rows go in with
    one executemany (the ingest writer appends three or more events per file). Use inside the caller's
    transaction: the custody lock (SQLite: BEGIN IMMEDIATE's write lock; PostgreSQL: an advisory lock)
    holds the head still until the commit."""

    def __init__(self, db: Catalog, tool: str = TOOL) -> None:
        db.lock_custody()
        self.db = db
        self.tool = tool
        last = db.execute("SELECT seq, hash FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
        self.seq = last[0] if last else 0
        self.prev = last[1] if last else GENESIS
        self.rows: list[dict[str, Any]] = []

    def add(self, event: str, sha256: str | None, actor: str, details: dict[str, Any] | None = None) -> None:
        self.seq += 1
        time = utc_now()
        det = json.dumps(details or {}, ensure_ascii=False, sort_keys=True)
        h = event_hash(self.seq, time, actor, self.tool, event, sha256, det, self.prev)
        self.rows.append({"seq": self.seq, "time": time, "actor": actor, "tool": self.tool, "event": event,
                          "sha": sha256, "details": det, "prev": self.prev, "hash": h})
        self.prev = h

    def flush(self) -> None:
        if self.rows:
            self.db.executemany(_INSERT, self.rows)
            self.rows.clear()


def row_to_event(r: Any) -> CustodyEvent:
    return CustodyEvent(r["seq"], r["time"], r["actor"], r["tool"], r["event"], r["exhibit_sha256"],
                        json.loads(r["details"]), r["prev_hash"], r["hash"])


def broken_links(db: Catalog) -> list[CustodyEvent]:
    """Events whose stored hash or link to the previous event does not recompute."""
    bad: list[CustodyEvent] = []
    prev = GENESIS
    expect_seq = 1
    for r in db.execute("SELECT * FROM custody ORDER BY seq"):
        h = event_hash(r["seq"], r["time"], r["actor"], r["tool"], r["event"], r["exhibit_sha256"],
                       r["details"], r["prev_hash"])
        if h != r["hash"] or r["prev_hash"] != prev or r["seq"] != expect_seq:
            bad.append(row_to_event(r))
        prev = r["hash"]
        expect_seq = r["seq"] + 1
    return bad
