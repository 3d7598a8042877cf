"""The coded table in the catalog (code_* tables): rule runs, hand judgements, and what is in force."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive, custody
from exhibit.archive.engine import Catalog
from exhibit.coding.codebook import Codebook, load_codebook, parse_codebook
from exhibit.coding.facts import Facts, facts
from exhibit.errors import UserError

SCHEMA = """
CREATE TABLE IF NOT EXISTS code_runs (
    id              {serial_key},
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
    source      TEXT NOT NULL DEFAULT '{{}}',
    run_id      INTEGER
);
-- Categories given by the rules of the last run, with the rule that matched (why).
CREATE TABLE IF NOT EXISTS code_rule (
    record_id   TEXT NOT NULL,
    category    TEXT NOT NULL,
    rule        TEXT NOT NULL,
    run_id      INTEGER NOT NULL,
    PRIMARY KEY (record_id, category)
) {without_rowid};
-- Hand judgements, append-only (never updated: two coders at once both land): the latest for a record wins
-- over the rules; runs never touch this table.
CREATE TABLE IF NOT EXISTS code_hand (
    id          {serial_key},
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


def ensure(cat: Catalog) -> None:
    cat.ensure(SCHEMA)


def ensure_schema(arch: Archive) -> None:
    ensure(arch.catalog)


@dataclass(frozen=True, slots=True)
class HandCode:
    """One coder's judgement of one record, as appended."""

    id: int
    coder: str
    categories: tuple[str, ...]
    time: str
    note: str | None
    custody_seq: int

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "coder": self.coder, "categories": list(self.categories), "time": self.time,
                "note": self.note, "custody_seq": self.custody_seq}


@dataclass(frozen=True, slots=True)
class RecordJudgements:
    """Every hand judgement of one record, oldest first, and the view derived from them: the latest wins
    (in custody order); coders whose own latest judgements differ are a disagreement to settle."""

    record_id: str
    history: tuple[HandCode, ...]

    @property
    def current(self) -> HandCode:
        return self.history[-1]

    def standing(self) -> dict[str, list[str]]:
        """Each coder's own latest categories, in the order they last coded."""
        out: dict[str, list[str]] = {}
        for j in self.history:
            out.pop(j.coder, None)
            out[j.coder] = sorted(j.categories)
        return out

    @property
    def disagreement(self) -> bool:
        views = {tuple(v) for v in self.standing().values()}
        return len(views) > 1

    def summary(self) -> str:
        c, n = self.current, len(self.history)
        text = f"latest of {n} judgement{'' if n == 1 else 's'}; by {c.coder} at {c.time}"
        earlier = [f"{', '.join(j.categories) or 'none'} by {j.coder} at {j.time}" for j in reversed(self.history[:-1])]
        if earlier:
            text += "; earlier: " + ", ".join(earlier)
        if self.disagreement:
            text += "; disagreement: " + ", ".join(f"{who} says {', '.join(v) or 'none'}"
                                                   for who, v in self.standing().items())
        return text

    def as_json(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "categories": list(self.current.categories),
                "judgements": len(self.history),
                "wins": {**self.current.as_json(), "why": "the latest judgement wins over earlier ones and the rules"},
                "summary": self.summary(), "disagreement": self.disagreement, "standing": self.standing(),
                "history": [j.as_json() for j in self.history]}


def current_codebook(arch: Archive) -> Codebook:
    """The codebook of the last run (stored in the catalog), else the default one."""
    ensure_schema(arch)
    r = arch.catalog.execute("SELECT codebook_yaml, codebook_source FROM code_runs ORDER BY id DESC LIMIT 1").fetchone()
    if r is None:
        return load_codebook()
    return parse_codebook(r["codebook_yaml"].encode("utf-8"), r["codebook_source"])


def _facts_row(f: Facts, ordinal: int, run_id: int | None) -> dict[str, Any]:
    return {"record_id": f.record_id, "ordinal": ordinal, "reason": f.reason, "register": f.register,
            "township": f.township, "month": f.month, "gender": f.gender, "age": f.age, "age_band": f.age_band,
            "source": json.dumps(f.source, ensure_ascii=False, default=str), "run_id": run_id}


_FACTS_COLUMNS = ("record_id", "ordinal", "reason", "register", "township", "month", "gender", "age", "age_band",
                  "source", "run_id")
_INSERT_FACTS = (f"INSERT INTO code_records({', '.join(_FACTS_COLUMNS)}) VALUES "
                 f"({', '.join(':' + c for c in _FACTS_COLUMNS)})")
_INSERT_RULE = ("INSERT INTO code_rule(record_id, category, rule, run_id) VALUES (:record_id, :category, :rule, :run_id) "
                "ON CONFLICT (record_id, category) DO UPDATE SET rule = excluded.rule, run_id = excluded.run_id")


def run_rules(arch: Archive, cb: Codebook, records: Iterable[dict[str, Any]], actor: str | None = None,
              batch: int = 5000) -> dict[str, Any]:
    """Code every record's stated reason by the codebook's rules; hand judgements are left untouched."""
    ensure_schema(arch)
    actor = actor or custody.os_user()
    memo: dict[str, list[tuple[str, str]]] = {}  # registers repeat the same few reasons thousands of times
    n = coded = 0
    # Start the records' reader before the transaction: a reader that prepares its own tables on first
    # use (schema DDL) would otherwise commit our transaction under us.
    it = iter(records)
    first = next(it, None)
    if first is None:
        raise UserError(f"{arch.root}: there are no person records to code. Run `exhibit records extract` first.")
    with arch.transaction() as cat:
        cat.lock_custody()  # one run at a time, and no hand judgement's record row slips between
        run_id = int(cat.execute("INSERT INTO code_runs(time, actor, codebook_source, codebook_sha256, codebook_yaml)"
                                 " VALUES (:t, :a, :s, :h, :y) RETURNING id",
                                 {"t": custody.utc_now(), "a": actor, "s": cb.source, "h": cb.sha256,
                                  "y": cb.text}).fetchone()[0])
        cat.execute("DELETE FROM code_rule")
        cat.execute("DELETE FROM code_records")
        facts_rows: dict[str, dict[str, Any]] = {}
        rule_rows: list[dict[str, Any]] = []
        for rec in itertools.chain([first], it):
            f = facts(rec)
            n += 1
            facts_rows[f.record_id] = _facts_row(f, n, run_id)  # a record id met twice: its last reading
            codes = memo.get(f.reason)
            if codes is None:
                codes = memo[f.reason] = cb.code(f.reason) if f.reason else []
            coded += bool(codes)
            rule_rows += [{"record_id": f.record_id, "category": cid, "rule": rule, "run_id": run_id}
                          for cid, rule in codes]
            if len(facts_rows) >= batch:
                _write_facts(cat, facts_rows, rule_rows)
                facts_rows, rule_rows = {}, []
        _write_facts(cat, facts_rows, rule_rows)
        cat.execute("UPDATE code_runs SET records = :n, coded = :c WHERE id = :id", {"n": n, "c": coded, "id": run_id})
        custody.append(cat, "coding_run", None, actor, {"run_id": run_id, "codebook": cb.source,
                                                        "codebook_sha256": cb.sha256, "records": n, "coded": coded})
    return {"run_id": run_id, "records": n, "coded_by_rule": coded}


def _write_facts(cat: Catalog, facts_rows: dict[str, dict[str, Any]], rule_rows: list[dict[str, Any]]) -> None:
    cols = _FACTS_COLUMNS
    cat.executemany(_INSERT_FACTS + " ON CONFLICT (record_id) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in cols[1:]), list(facts_rows.values()))
    cat.executemany(_INSERT_RULE, rule_rows)


def hand_code(arch: Archive, record: dict[str, Any] | None, record_id: str, categories: list[str], coder: str,
              note: str | None = None) -> dict[str, Any]:
    """Record a coder's judgement for one record (an appended row: two coders at once both land), with a
    custody event in the same transaction; the result says which judgement is now in force and why."""
    ensure_schema(arch)
    with arch.transaction() as cat:
        cat.lock_custody()  # first: the previous judgement read below is the one just before this one
        if record is not None:
            ordinal = cat.execute("SELECT COALESCE(MAX(ordinal), 0) + 1 FROM code_records").fetchone()[0]
            cat.execute(_INSERT_FACTS + " ON CONFLICT (record_id) DO NOTHING", _facts_row(facts(record), ordinal, None))
        prev = _latest_hand(cat, record_id)
        ev = custody.append(cat, "coding_judgement", None, coder,
                            {"record_id": record_id, "categories": categories, "coder": coder,
                             "previous": prev, "note": note})
        cat.execute("INSERT INTO code_hand(record_id, coder, categories, time, note, custody_seq) "
                    "VALUES (:r, :c, :cats, :t, :n, :s)",
                    {"r": record_id, "c": coder, "cats": json.dumps(categories), "t": ev.time, "n": note, "s": ev.seq})
    view = record_judgements(arch, [record_id]).get(record_id)
    return {"record_id": record_id, "categories": categories, "coded_by": coder, "time": ev.time,
            "custody_seq": ev.seq, "previous": prev, "current": view.as_json() if view else None}


def _latest_hand(cat: Catalog, record_id: str) -> dict[str, Any] | None:
    r = cat.execute("SELECT coder, categories, time FROM code_hand WHERE record_id = :r ORDER BY id DESC LIMIT 1",
                    {"r": record_id}).fetchone()
    return {"coder": r["coder"], "categories": json.loads(r["categories"]), "time": r["time"]} if r else None


def record_judgements(arch: Archive, record_ids: list[str] | None = None) -> dict[str, RecordJudgements]:
    """Every hand-coded record (or only `record_ids`) with all its judgements, oldest first."""
    ensure_schema(arch)
    where = ""
    params: dict[str, Any] = {}
    if record_ids is not None:
        from exhibit.archive.engine import in_list

        if not record_ids:
            return {}
        marks, params = in_list("r", record_ids)
        where = f" WHERE record_id IN {marks}"
    got: dict[str, list[HandCode]] = {}
    for r in arch.catalog.execute("SELECT id, record_id, coder, categories, time, note, custody_seq FROM code_hand"
                                  + where + " ORDER BY id", params):
        got.setdefault(r["record_id"], []).append(HandCode(int(r["id"]), r["coder"], tuple(json.loads(r["categories"])),
                                                           r["time"], r["note"], int(r["custody_seq"])))
    return {k: RecordJudgements(k, tuple(v)) for k, v in got.items()}


def has_record(arch: Archive, record_id: str) -> bool:
    ensure_schema(arch)
    return arch.catalog.execute("SELECT 1 FROM code_records WHERE record_id = :r",
                                {"r": record_id}).fetchone() is not None


def hand_codes_by(arch: Archive, coder: str) -> dict[str, list[str]]:
    """Each record's latest judgement by one coder (what agreement compares: per coder, never the merged view)."""
    ensure_schema(arch)
    out: dict[str, list[str]] = {}
    for r in arch.catalog.execute("SELECT record_id, categories FROM code_hand WHERE coder = :c ORDER BY id",
                                  {"c": coder}):
        out[r["record_id"]] = json.loads(r["categories"])
    return out


def coders(arch: Archive) -> list[str]:
    ensure_schema(arch)
    return [r[0] for r in arch.catalog.execute("SELECT DISTINCT coder FROM code_hand ORDER BY coder")]


def coded_records(arch: Archive) -> Iterator[dict[str, Any]]:
    """Every record of the coded table with the categories in force and who decided them.

    The latest hand judgement for a record wins over the rules; otherwise the rules of the last run.
    A hand-coded record says how many judgements it has, and whether coders disagree (`judgements`)."""
    ensure_schema(arch)
    rules: dict[str, dict[str, str]] = {}
    for r in arch.catalog.execute("SELECT record_id, category, rule FROM code_rule"):
        rules.setdefault(r["record_id"], {})[r["category"]] = r["rule"]
    hand = record_judgements(arch)
    order = {cid: n for n, cid in enumerate(current_codebook(arch).ids())}
    for r in arch.catalog.execute("SELECT record_id, reason, register, township, month, gender, age, age_band, source "
                                  "FROM code_records ORDER BY ordinal"):
        rid = r["record_id"]
        rule = rules.get(rid, {})
        judged = hand.get(rid)
        if judged is not None:
            c = judged.current
            cats, coded_by, why = list(c.categories), c.coder, {x: f"hand:{c.coder}@{c.time}" for x in c.categories}
        else:
            cats, coded_by, why = sorted(rule, key=lambda c: order.get(c, 99)), RULE, rule
        yield {"record_id": rid, "reason": r["reason"], "categories": cats, "coded_by": coded_by,
               "source": json.loads(r["source"]), "register": r["register"], "township": r["township"],
               "month": r["month"], "gender": r["gender"], "age": r["age"], "age_band": r["age_band"],
               "why": why, "rule_categories": sorted(rule, key=lambda c: order.get(c, 99)),
               "judgements": None if judged is None else {k: v for k, v in judged.as_json().items() if k != "record_id"}}


def require_run(arch: Archive) -> None:
    ensure_schema(arch)
    if arch.catalog.execute("SELECT 1 FROM code_records LIMIT 1").fetchone() is None:
        raise UserError(f"{arch.root}: nothing is coded yet. Run `exhibit records extract` and then "
                        "`exhibit code run` first.")
