"""Coding records in an archive: rules, hand judgements that win and last, custody, listing, counts, export."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from exhibit import coding
from exhibit.archive import Archive, custody
from exhibit.errors import UserError

LS_KEYS = {"record_id", "reason", "categories", "coded_by", "source"}


def test_rules_code_every_demo_reason_as_the_generator_planted_it(coded_archive: Archive,
                                                                   demo_records: list[dict[str, Any]]) -> None:
    got = {r["record_id"]: r for r in coding.ls(coded_archive)}
    assert len(got) == len(demo_records)
    for rec in demo_records:
        r = got[rec["record_id"]]
        assert set(r["categories"]) == set(rec["expected_categories"]), rec["reason"]
        assert r["coded_by"] == "rule" and LS_KEYS <= set(r)
        assert r["source"] == rec["source"]
        assert all(why.startswith(("keyword:", "pattern:")) for why in r["why"].values())


def test_run_lists_uncoded_reasons_most_frequent_first(tmp_path: Path, demo_records: list[dict[str, Any]],
                                                      catalog_url: str | None) -> None:
    arch = Archive.init(tmp_path / "a", catalog_url)
    recs = [*demo_records,
            *({**demo_records[0], "record_id": f"u{k}", "reason": "村委会推荐"} for k in range(3)),
            {**demo_records[0], "record_id": "u9", "reason": "年龄偏大"},
            {**demo_records[0], "record_id": "u10", "reason": ""}]
    res = coding.run(arch, records=recs)
    top = res["uncoded_reasons"]
    assert top[0]["reason"] == "村委会推荐" and top[0]["records"] >= 3
    assert [t["records"] for t in top] == sorted((t["records"] for t in top), reverse=True)
    assert "年龄偏大" in {t["reason"] for t in top}
    assert res["no_reason"] == 1
    assert res["records"] == len(recs)
    assert [r["record_id"] for r in coding.ls(arch, no_reason=True)] == ["u10"]
    assert {r["record_id"] for r in coding.ls(arch, uncoded=True)} >= {"u0", "u1", "u2", "u9"}


def test_a_hand_judgement_wins_over_the_rules_and_survives_later_runs(
        coded_archive: Archive, demo_records: list[dict[str, Any]]) -> None:
    rec = demo_records[0]
    rid = rec["record_id"]
    res = coding.set_codes(coded_archive, rid, ["petitioning", "untrustworthy"], coder="alice", note="second look")
    assert res["coded_by"] == "alice"
    for _ in range(2):
        coding.run(coded_archive, records=demo_records)
        r = next(x for x in coding.ls(coded_archive) if x["record_id"] == rid)
        assert set(r["categories"]) == {"petitioning", "untrustworthy"}
        assert r["coded_by"] == "alice"
        assert set(r["rule_categories"]) == set(rec["expected_categories"])  # the rules' view is kept
    events = [e for e in coded_archive.custody_events() if e.event == "coding_judgement"]
    assert len(events) == 1
    ev = events[0]
    assert ev.actor == "alice" and ev.time.endswith("Z")
    assert ev.details["record_id"] == rid and set(ev.details["categories"]) == {"petitioning", "untrustworthy"}
    assert ev.details["note"] == "second look"
    assert custody.broken_links(coded_archive.catalog) == []
    # a later judgement by another coder is in force; the earlier one is kept, and the view says both
    res2 = coding.set_codes(coded_archive, rid, ["none"], coder="bob")
    assert res2["previous"]["coder"] == "alice"
    r = next(x for x in coding.ls(coded_archive) if x["record_id"] == rid)
    assert r["categories"] == [] and r["coded_by"] == "bob"
    assert [x["record_id"] for x in coding.ls(coded_archive, coded_by="bob")] == [rid]
    view = r["judgements"]
    assert view["judgements"] == 2 and view["disagreement"] is True
    assert [h["coder"] for h in view["history"]] == ["alice", "bob"] and view["wins"]["coder"] == "bob"
    assert view["summary"].startswith(f"latest of 2 judgements; by bob at {res2['time']}; earlier: ")
    assert "alice" in view["summary"] and res2["current"] == {"record_id": rid, **view}
    # the same coder changing their mind is history, not a disagreement
    coding.set_codes(coded_archive, demo_records[1]["record_id"], ["petitioning"], coder="carol")
    coding.set_codes(coded_archive, demo_records[1]["record_id"], ["none"], coder="carol")
    (only,) = coding.judgements(coded_archive, demo_records[1]["record_id"])
    assert only["judgements"] == 2 and only["disagreement"] is False and only["categories"] == []
    assert [d["record_id"] for d in coding.judgements(coded_archive, disagreements=True)] == [rid]


@pytest.mark.parametrize(("cats", "message"), [
    (["no_such_category"], "not a category"), ([], "one or more categories"), (["none", "petitioning"], "alone")])
def test_hand_coding_refuses_unknown_categories(coded_archive: Archive, demo_records: list[dict[str, Any]],
                                                cats: list[str], message: str) -> None:
    with pytest.raises(UserError, match=message):
        coding.set_codes(coded_archive, demo_records[0]["record_id"], cats, coder="alice")


def test_hand_coding_refuses_an_unknown_record(coded_archive: Archive) -> None:
    with pytest.raises(UserError, match="no such record"):
        coding.set_codes(coded_archive, "R-nope", ["petitioning"], coder="alice", records=[])


@pytest.mark.parametrize("by", ["township", "register", "month", "gender", "age_band"])
def test_every_count_is_backed_by_the_records_ls_lists(coded_archive: Archive, by: str) -> None:
    res = coding.counts(coded_archive, by)
    assert res["by"] == by and res["records"] == sum(res["group_records"].values())
    assert res["cells"]
    for cell in res["cells"]:
        if cell["category"] in ("uncoded", "no_reason"):
            continue
        listed = list(coding.ls(coded_archive, cell["category"], **{by: cell["group"]}))
        assert len(listed) == cell["count"], cell
        assert cell["ls"].startswith(f"exhibit code ls {cell['category']} --{by.replace('_', '-')} ")
    for row in res["rows"]:
        assert row["total"] == sum(row["groups"].values())


def test_counts_by_township_month_gender_and_age_band_match_the_register(
        coded_archive: Archive, demo_records: list[dict[str, Any]]) -> None:
    town = coding.counts(coded_archive, "township")
    assert set(town["groups"]) == {r["source"]["sheet"] for r in demo_records}
    month = coding.counts(coded_archive, "month")
    assert set(month["groups"]) == {r["cells"]["入学时间"][:7].replace(".", "-") for r in demo_records}
    gender = coding.counts(coded_archive, "gender")
    assert gender["group_records"] == {g: sum(r["gender"] == g for r in demo_records) for g in ("F", "M")}
    ages = coding.counts(coded_archive, "age")
    assert ages["by"] == "age_band" and "unknown" not in ages["groups"]
    plain = coding.counts(coded_archive)
    fp = next(r for r in plain["rows"] if r["category"] == "family_planning")
    assert fp["total"] == sum("family_planning" in r["expected_categories"] for r in demo_records)
    with pytest.raises(UserError, match="cannot count by"):
        coding.counts(coded_archive, "name")


def test_export_is_pseudonymised_by_default_and_an_identified_one_needs_a_purpose(
        coded_archive: Archive, demo_records: list[dict[str, Any]], tmp_path: Path) -> None:
    res = coding.export(coded_archive, tmp_path / "coded.csv", records=demo_records, actor="carol")
    text = (tmp_path / "coded.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == res["rows"] == len(demo_records)
    for rec in demo_records:
        assert rec["name"] not in text and rec["id_number"] not in text
    assert all(r["name"].startswith("P-") for r in rows)
    with pytest.raises(UserError, match="--purpose"):
        coding.export(coded_archive, tmp_path / "id.json", "json", identified=True, records=demo_records)
    coding.export(coded_archive, tmp_path / "id.json", "json", identified=True, purpose="court filing X",
                  records=demo_records, actor="carol")
    data = json.loads((tmp_path / "id.json").read_text(encoding="utf-8"))
    assert {d["name"] for d in data} == {r["name"] for r in demo_records}
    exports = [e for e in coded_archive.custody_events() if e.event == "exported"]
    assert [e.details["identified"] for e in exports] == [False, True]
    assert exports[1].details["purpose"] == "court filing X" and exports[1].actor == "carol"


def test_nothing_to_list_before_a_run(tmp_path: Path, catalog_url: str | None) -> None:
    arch = Archive.init(tmp_path / "empty", catalog_url)
    with pytest.raises(UserError, match="nothing is coded yet"):
        list(coding.ls(arch))
    with pytest.raises(UserError, match="no person records"):
        coding.run(arch, records=[])


def test_cli_draws_the_same_sample_for_the_same_seed_and_names_unknown_coders(coded_archive: Archive) -> None:
    from typer.testing import CliRunner

    from exhibit.cli.main import app

    root = str(coded_archive.root)

    def ls(*extra: str) -> list[str]:
        res = CliRunner().invoke(app, ["code", "ls", "--archive", root, "--json", *extra], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        return [r["record_id"] for r in json.loads(res.stdout)]

    a, b, c = ls("--sample", "5", "--seed", "3"), ls("--sample", "5", "--seed", "3"), ls("--sample", "5", "--seed", "4")
    assert a == b and len(a) == 5 and a != c
    assert len(ls("--limit", "2")) == 2
    res = CliRunner().invoke(app, ["code", "agreement", "ann", "ben", "--archive", root])
    assert isinstance(res.exception, UserError) and "ann" in str(res.exception)


def _code_in_process(root: str, record_id: str, categories: list[str], coder: str, barrier: Any) -> None:
    with Archive.open(Path(root)) as arch:
        barrier.wait()
        coding.set_codes(arch, record_id, categories, coder=coder, note=f"{coder}'s reading")


def test_two_coders_coding_one_record_at_once_are_both_kept(coded_archive: Archive,
                                                            demo_records: list[dict[str, Any]]) -> None:
    import multiprocessing

    rec = demo_records[2]
    other = next(c for c in coding.store.current_codebook(coded_archive).ids() if c not in rec["expected_categories"])
    ctx = multiprocessing.get_context("spawn")  # each coder in a process of its own, with its own connection
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_code_in_process, args=(str(coded_archive.root), rec["record_id"], cats, coder, barrier))
             for cats, coder in ((list(rec["expected_categories"]) or ["none"], "ann"), ([other], "ben"))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    (view,) = coding.judgements(coded_archive, rec["record_id"])
    assert view["judgements"] == 2 and {h["coder"] for h in view["history"]} == {"ann", "ben"}
    winner = view["history"][-1]
    assert view["wins"]["coder"] == winner["coder"] and view["categories"] == winner["categories"]
    assert f"by {winner['coder']} at {winner['time']}" in view["summary"] and view["disagreement"] is True
    listed = next(r for r in coding.ls(coded_archive) if r["record_id"] == rec["record_id"])
    assert listed["coded_by"] == winner["coder"] and listed["categories"] == winner["categories"]
    events = [e for e in coded_archive.custody_events() if e.event == "coding_judgement"]
    assert [e.seq for e in events] == [h["custody_seq"] for h in view["history"]]
    assert custody.broken_links(coded_archive.catalog) == []
    # agreement still compares each coder's own judgement, not the merged view
    res = coding.agreement(coded_archive, "ann", "ben")
    assert res["items"] == 1 and res["disagreements"] == [rec["record_id"]]


def test_an_archive_coded_before_the_port_opens_keeps_its_judgements_and_copies(
        tmp_path: Path, demo_records: list[dict[str, Any]], postgres_server: str) -> None:
    """Tables an older exhibit made by script (no template recorded): opened, they are used as they are, and
    once the store has run its `ensure` the catalog copy carries them to PostgreSQL."""
    from pg_support import new_database

    from exhibit.archive.engine import SqliteCatalog
    from exhibit.archive.move import copy_catalog
    from exhibit.coding import store

    root = tmp_path / "old"
    Archive.init(root).close()
    raw = SqliteCatalog(root / "catalog.sqlite").raw  # what the store wrote before the port: raw sqlite3, `?`
    raw.executescript(store.SCHEMA.format(**SqliteCatalog._DDL))
    raw.execute("INSERT INTO code_records(record_id, ordinal, reason, register, township, month, gender, age_band) "
                "VALUES (?,?,?,?,?,?,?,?)", ("R-old", 1, "", "r", "t", "m", "F", "unknown"))
    raw.execute("INSERT INTO code_hand(record_id, coder, categories, time, note, custody_seq) VALUES (?,?,?,?,?,?)",
                ("R-old", "olga", "[]", "2024-01-01T00:00:00Z", "before the port", 1))
    raw.close()
    with Archive.open(root) as arch:
        (old,) = coding.judgements(arch)
        assert old["history"][0]["coder"] == "olga" and old["history"][0]["note"] == "before the port"
        coding.set_codes(arch, "R-old", [store.current_codebook(arch).ids()[0]], coder="pavel")
        copy_catalog(arch, new_database(postgres_server), actor="pytest")
    with Archive.open(root) as arch:
        (view,) = coding.judgements(arch)
        assert arch.dialect.value == "postgresql"
        assert [h["coder"] for h in view["history"]] == ["olga", "pavel"] and view["disagreement"] is True
