"""The coded table in the catalog (code_* tables): rule runs, hand judgements, and what is in force."""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from exhibit.archive import Archive, custody
from exhibit.coding.codebook import Codebook, load_codebook, parse_codebook
from exhibit.coding.facts import Facts, facts
from exhibit.errors import UserError

SCHEMA = """
CREATE TABLE IF NOT EXISTS code_runs (
    id              INTEGER PRIMARY KEY,
    time            TEXT NOT NULL,
    actor           TEXT NOT NULL,
    codebook_source TEXT NOT NULL,
    codebook_sha256 TEXT NOT NULL,
    codebook_yaml   TEXT NOT NULL,              -- the codebook itself, so every result can be re-derived
    records         INTEGER NOT NULL DEFAULT 0,
    coded           INTEGER NOT NULL DEFAULT 0
);
-- One row per record as of the last run: the reason verbatim and what the counts group by.
CREATE TABLE IF NOT EXISTS code_records (
    record_id   TEXT PRIMARY KEY,
    ordinal     INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    register    TEXT NOT NULL,
    township    TEXT NOT NULL,
    month       TEXT NOT NULL,
    gender      TEXT NOT NULL,
    age         INTEGER,
    age_band    TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '{}',
    run_id      INTEGER
);
-- Categories given by the rules of the last run, with the rule that matched (why).
CREATE TABLE IF NOT EXISTS code_rule (
    record_id   TEXT NOT NULL,
    category    TEXT NOT NULL,
    rule        TEXT NOT NULL,
    run_id      INTEGER NOT NULL,
    PRIMARY KEY (record_id, category)
) WITHOUT ROWID;
-- Hand judgements, append-only: the latest for a record wins over the rules; runs never touch this table.
CREATE TABLE IF NOT EXISTS code_hand (
    id          INTEGER PRIMARY KEY,
    record_id   TEXT NOT NULL,
    coder       TEXT NOT NULL,
    categories  TEXT NOT NULL,                  -- JSON list; [] = none of the categories applies
    time        TEXT NOT NULL,
    note        TEXT,
    custody_seq INTEGER NOT NULL                -- the coding_judgement event in the custody log
);
CREATE INDEX IF NOT EXISTS code_hand_record ON code_hand(record_id, id);
"""
RULE = "rule"


def ensure_schema(arch: Archive) -> None:
    arch.db.executescript(SCHEMA)


def current_codebook(arch: Archive) -> Codebook:
    """The codebook of the last run (stored in the catalog), else the default one."""
    ensure_schema(arch)
    r = arch.db.execute("SELECT codebook_yaml, codebook_source FROM code_runs ORDER BY id DESC LIMIT 1").fetchone()
    if r is None:
        return load_codebook()
    return parse_codebook(r["codebook_yaml"].encode("utf-8"), r["codebook_source"])


def _facts_row(f: Facts, ordinal: int, run_id: int | None) -> tuple[Any, ...]:
    return (f.record_id, ordinal, f.reason, f.register, f.township, f.month, f.gender, f.age, f.age_band,
            json.dumps(f.source, ensure_ascii=False, default=str), run_id)


_INSERT_FACTS = ("INSERT OR REPLACE INTO code_records(record_id, ordinal, reason, register, township, month, gender,"
                 " age, age_band, source, run_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)")


def run_rules(arch: Archive, cb: Codebook, records: Iterable[dict[str, Any]], actor: str | None = None,
              batch: int = 5000) -> dict[str, Any]:
    """Code every record's stated reason by the codebook's rules; hand judgements are left untouched."""
    ensure_schema(arch)
    actor = actor or custody.os_user()
    memo: dict[str, list[tuple[str, str]]] = {}  # registers repeat the same few reasons thousands of times
    n = coded = 0
    # Start the records' reader before the transaction: a reader that prepares its own tables on first
    # use (executescript) would otherwise commit our transaction under us.
    it = iter(records)
    first = next(it, None)
    if first is None:
        raise UserError(f"{arch.root}: there are no person records to code. Run `exhibit records extract` first.")
    with arch.transaction() as db:
        run_id: int = db.execute("INSERT INTO code_runs(time, actor, codebook_source, codebook_sha256, codebook_yaml)"
                            " VALUES (?,?,?,?,?)", (custody.utc_now(), actor, cb.source, cb.sha256,
                                                    cb.text)).lastrowid or 0
        db.execute("DELETE FROM code_rule")
        db.execute("DELETE FROM code_records")
        facts_rows: list[tuple[Any, ...]] = []
        rule_rows: list[tuple[str, str, str, int]] = []
        for rec in itertools.chain([first], it):
            f = facts(rec)
            n += 1
            facts_rows.append(_facts_row(f, n, run_id))
            codes = memo.get(f.reason)
            if codes is None:
                codes = memo[f.reason] = cb.code(f.reason) if f.reason else []
            coded += bool(codes)
            rule_rows += [(f.record_id, cid, rule, run_id) for cid, rule in codes]
            if len(facts_rows) >= batch:
                db.executemany(_INSERT_FACTS, facts_rows)
                db.executemany("INSERT OR REPLACE INTO code_rule VALUES (?,?,?,?)", rule_rows)
                facts_rows, rule_rows = [], []
        db.executemany(_INSERT_FACTS, facts_rows)
        db.executemany("INSERT OR REPLACE INTO code_rule VALUES (?,?,?,?)", rule_rows)
        db.execute("UPDATE code_runs SET records=?, coded=? WHERE id=?", (n, coded, run_id))
        custody.append(db, "coding_run", None, actor, {"run_id": run_id, "codebook": cb.source,
                                                       "codebook_sha256": cb.sha256, "records": n, "coded": coded})
    return {"run_id": run_id, "records": n, "coded_by_rule": coded}


def hand_code(arch: Archive, record: dict[str, Any] | None, record_id: str, categories: list[str], coder: str,
              note: str | None = None) -> dict[str, Any]:
    """Record a coder's judgement for one record, with a custody event in the same transaction."""
    ensure_schema(arch)
    with arch.transaction() as db:
        if record is not None:
            exists = db.execute("SELECT 1 FROM code_records WHERE record_id=?", (record_id,)).fetchone()
            if not exists:
                ordinal = db.execute("SELECT COALESCE(MAX(ordinal), 0) + 1 FROM code_records").fetchone()[0]
                db.execute(_INSERT_FACTS, _facts_row(facts(record), ordinal, None))
        prev = _latest_hand(arch.db, record_id)
        ev = custody.append(db, "coding_judgement", None, coder,
                            {"record_id": record_id, "categories": categories, "coder": coder,
                             "previous": prev, "note": note})
        db.execute("INSERT INTO code_hand(record_id, coder, categories, time, note, custody_seq) VALUES (?,?,?,?,?,?)",
                   (record_id, coder, json.dumps(categories), ev.time, note, ev.seq))
    return {"record_id": record_id, "categories": categories, "coded_by": coder, "time": ev.time,
            "custody_seq": ev.seq, "previous": prev}


def _latest_hand(db: sqlite3.Connection, record_id: str) -> dict[str, Any] | None:
    r = db.execute("SELECT coder, categories, time FROM code_hand WHERE record_id=? ORDER BY id DESC LIMIT 1",
                   (record_id,)).fetchone()
    return {"coder": r["coder"], "categories": json.loads(r["categories"]), "time": r["time"]} if r else None


def has_record(arch: Archive, record_id: str) -> bool:
    ensure_schema(arch)
    return arch.db.execute("SELECT 1 FROM code_records WHERE record_id=?", (record_id,)).fetchone() is not None


def hand_codes_by(arch: Archive, coder: str) -> dict[str, list[str]]:
    """Each record's latest judgement by one coder."""
    ensure_schema(arch)
    out: dict[str, list[str]] = {}
    for r in arch.db.execute("SELECT record_id, categories FROM code_hand WHERE coder=? ORDER BY id", (coder,)):
        out[r["record_id"]] = json.loads(r["categories"])
    return out


def coders(arch: Archive) -> list[str]:
    ensure_schema(arch)
    return [r[0] for r in arch.db.execute("SELECT DISTINCT coder FROM code_hand ORDER BY coder")]


def coded_records(arch: Archive) -> Iterator[dict[str, Any]]:
    """Every record of the coded table with the categories in force and who decided them.

    The latest hand judgement for a record wins over the rules; otherwise the rules of the last run."""
    ensure_schema(arch)
    rules: dict[str, dict[str, str]] = {}
    for r in arch.db.execute("SELECT record_id, category, rule FROM code_rule"):
        rules.setdefault(r["record_id"], {})[r["category"]] = r["rule"]
    hand: dict[str, tuple[str, list[str], str]] = {}
    for r in arch.db.execute("SELECT record_id, coder, categories, time FROM code_hand ORDER BY id"):
        hand[r["record_id"]] = (r["coder"], json.loads(r["categories"]), r["time"])
    order = {cid: n for n, cid in enumerate(current_codebook(arch).ids())}
    for r in arch.db.execute("SELECT * FROM code_records ORDER BY ordinal"):
        rid = r["record_id"]
        rule = rules.get(rid, {})
        if rid in hand:
            coder, cats, when = hand[rid]
            coded_by, why = coder, {c: f"hand:{coder}@{when}" for c in cats}
        else:
            cats, coded_by, why = sorted(rule, key=lambda c: order.get(c, 99)), RULE, rule
        yield {"record_id": rid, "reason": r["reason"], "categories": cats, "coded_by": coded_by,
               "source": json.loads(r["source"]), "register": r["register"], "township": r["township"],
               "month": r["month"], "gender": r["gender"], "age": r["age"], "age_band": r["age_band"],
               "why": why, "rule_categories": sorted(rule, key=lambda c: order.get(c, 99))}


def require_run(arch: Archive) -> None:
    ensure_schema(arch)
    if arch.db.execute("SELECT 1 FROM code_records LIMIT 1").fetchone() is None:
        raise UserError(f"{arch.root}: nothing is coded yet. Run `exhibit records extract` and then "
                        "`exhibit code run` first.")
