"""The records commands as a user runs them: JSON on stdout, mapping files, clear errors, logged exports."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from scratch import add_exhibit, add_table, make_archive, text_rows

ROWS = [["花名册（2018年6月）", None, None, None, None],
        ["序号", "姓名", "性别", "身份证号", "年龄"],
        [1, "买买提·吐尔逊", "男", "653222198108166678", 36],
        [2, "阿依古丽·艾山", "男", "65322219840410202X", 34],
        ["合计", "2人", None, None, None]]


def run(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from exhibit.cli.main import main; main()", *args,
                           "--archive", str(archive)], capture_output=True, text=True, timeout=120)


@pytest.fixture()
def archive(tmp_path: Path, catalog_url: str | None) -> Path:
    root = tmp_path / "archive"
    arch = make_archive(root, catalog_url)
    seq = add_exhibit(arch, "registers/list.xlsx")
    add_table(arch, seq, "名单", text_rows(ROWS))
    arch.close()
    return root


def test_extract_ls_check_print_one_json_document_each(archive: Path) -> None:
    out = run(archive, "records", "extract", "--json")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["records"] == 2
    assert summary["registers"][0]["anomalies"] == {"gender_mismatch": [4]}
    recs = json.loads(run(archive, "records", "ls", "--json").stdout)
    assert [r["source"]["row"] for r in recs] == [3, 4]
    for key in ("record_id", "name", "id_number", "id_number_raw", "gender", "birth_date", "age", "address",
                "reason", "source", "cells", "family"):
        assert key in recs[0]
    assert set(recs[0]["source"]) >= {"id", "path", "sheet", "page", "row"}
    assert json.loads(run(archive, "records", "ls", "--json", "--limit", "1").stdout)[0] == recs[0]
    assert len(json.loads(run(archive, "records", "ls", "--json", "--register", "registers/list.xlsx").stdout)) == 2
    checked = json.loads(run(archive, "records", "check", "--json").stdout)
    assert checked["records"] == 2
    assert [(a["name"], a["codes"]) for a in checked["anomalies"]] == [("阿依古丽·艾山", ["gender_mismatch"])]


def test_show_mapping_prints_a_mapping_file_that_extract_accepts(archive: Path, tmp_path: Path) -> None:
    out = run(archive, "records", "extract", "--show-mapping")
    assert out.returncode == 0 and "身份证号: id_number" in out.stdout
    m = tmp_path / "m.yaml"
    m.write_text(out.stdout.replace("年龄: age", "年龄: null"), encoding="utf-8")
    assert run(archive, "records", "extract", "--mapping", str(m)).returncode == 0
    recs = json.loads(run(archive, "records", "ls", "--json").stdout)
    assert recs[0]["age"] is None and recs[0]["cells"]["年龄"] == "36"


def test_bad_mapping_and_unknown_register_fail_with_a_message_not_a_traceback(archive: Path, tmp_path: Path) -> None:
    m = tmp_path / "bad.yaml"
    m.write_text("tables: [1, 2", encoding="utf-8")
    out = run(archive, "records", "extract", "--mapping", str(m))
    assert out.returncode == 2 and "not valid YAML" in out.stderr and "Traceback" not in out.stderr
    run(archive, "records", "extract")
    out = run(archive, "records", "ls", "--register", "nowhere.xlsx")
    assert out.returncode == 2 and "nowhere.xlsx" in out.stderr


def test_identified_export_without_purpose_is_refused_and_export_is_logged(archive: Path, tmp_path: Path) -> None:
    run(archive, "records", "extract")
    out = run(archive, "records", "export", "--format", "csv", "--identified")
    assert out.returncode == 2 and "--purpose" in out.stderr
    out = run(archive, "records", "export", "--format", "csv")
    assert out.returncode == 0 and "653222198108166678" not in out.stdout and "6532221981" in out.stdout
    shown = json.loads(subprocess.run([sys.executable, "-c", "from exhibit.cli.main import main; main()",
                                       "ls", "--json", "--archive", str(archive)],
                                      capture_output=True, text=True).stdout)
    assert shown  # the archive is intact
    from exhibit.archive import Archive

    with Archive.open(archive) as arch:
        events = [e for e in arch.custody_events() if e.event == "exported"]
    assert len(events) == 1 and events[0].details["pseudonymised"] is True


def test_mapping_edits_are_kept_with_who_and_when_and_the_latest_is_in_force(archive: Path, tmp_path: Path) -> None:
    """Two investigators map the same register differently: both mappings stay in the catalog (appended, with
    actor and time), the records follow the later one, and the JSON says whose it is and that one came before."""
    first = run(archive, "records", "extract", "--actor", "alice", "--json")
    assert first.returncode == 0, first.stderr
    [reg] = json.loads(first.stdout)["registers"]
    assert reg["mapping_edit"]["actor"] == "alice" and reg["mapping_edit"]["earlier_edits"] == 0
    assert reg["mapping_edit"]["source"] == "detected"

    shown = run(archive, "records", "extract", "--show-mapping")
    m = tmp_path / "m.yaml"
    m.write_text(shown.stdout.replace("年龄: age", "年龄: null"), encoding="utf-8")
    second = run(archive, "records", "extract", "--mapping", str(m), "--actor", "bob", "--json")
    assert second.returncode == 0, second.stderr
    [reg] = json.loads(second.stdout)["registers"]
    edit = reg["mapping_edit"]
    assert (edit["actor"], edit["source"], edit["earlier_edits"]) == ("bob", "file", 1)
    assert [e["actor"] for e in edit["earlier"]] == ["alice"] and "latest" in edit["why"]
    assert edit["at"] >= edit["earlier"][0]["at"]
    assert "年龄" in reg["columns"] and reg["columns"]["年龄"] is None  # bob's mapping is the one read with

    # the same mapping again is no new edit: bob's stays in force
    third = run(archive, "records", "extract", "--mapping", str(m), "--actor", "carol", "--json")
    [reg] = json.loads(third.stdout)["registers"]
    assert (reg["mapping_edit"]["actor"], reg["mapping_edit"]["earlier_edits"]) == ("bob", 1)
