"""`exhibit catalog copy` carries the records capability: records, registers, check results and translation links
go SQLite -> PostgreSQL -> SQLite row for row, and `records check` says the same on each engine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from scratch import add_exhibit, add_table, make_archive, text_rows

from exhibit.archive import Archive

ROWS = [["花名册（2018年6月）", None, None, None, None],
        ["序号", "姓名", "性别", "身份证号", "年龄"],
        [1, "买买提·吐尔逊", "男", "653222198108166678", 36],
        [2, "阿依古丽·艾山", "男", "65322219840410202X", 34],
        [3, "吐尔逊·艾力", "男", "6532221984041020", 34],
        [4, "热依拉·买买提", "女", 653222198108166678.0, 36],
        ["合计", "4人", None, None, None]]

# Every table the records, checks and reports capabilities keep, with the columns that order its rows.
TABLES = {"records_registers": "table_id", "records": "table_id, table_row", "records_anomalies": "table_id, table_row",
          "records_meta": "key", "reports_translations": "original_seq, translation_seq",
          "records_mapping_edits": "table_id, at"}
# Columns read: every column, but the key PostgreSQL adds to a table that has no key of its own ({row_id}).
COLUMNS = {"records_mapping_edits": "table_id, at, actor, source, mapping"}


def run(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from exhibit.cli.main import main; main()", *args,
                           "--archive", str(archive)], capture_output=True, text=True, timeout=300)


def _rows(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    with Archive.open(root) as arch:
        return {t: [tuple(r) for r in arch.catalog.execute(f"SELECT {COLUMNS.get(t, '*')} FROM {t} ORDER BY {order}")]
                for t, order in TABLES.items()}


def _checked(root: Path) -> dict[str, Any]:
    out = run(root, "records", "check", "--json")
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def test_catalog_copy_round_trips_records_and_check_results(tmp_path: Path, postgres_server: str) -> None:
    from pg_support import new_database

    from exhibit.reports import link

    root = tmp_path / "archive"
    arch = make_archive(root)
    seq = add_exhibit(arch, "registers/list.xlsx")
    add_table(arch, seq, "名单", text_rows(ROWS))
    other = add_exhibit(arch, "registers/list-en.txt")
    arch.close()
    assert run(root, "records", "extract", "--json").returncode == 0
    on_sqlite = _checked(root)
    assert on_sqlite["anomalies"]  # the copy has check results to carry
    with Archive.open(root) as arch:
        link(arch, f"EX-{seq:06d}", f"EX-{other:06d}", actor="pytest")
    before = _rows(root)
    assert all(before[t] for t in TABLES), {t: len(v) for t, v in before.items()}

    to_pg = run(root, "catalog", "copy", "--to", new_database(postgres_server), "--json")
    assert to_pg.returncode == 0, to_pg.stderr
    with Archive.open(root) as arch:
        assert arch.catalog.dialect == "postgresql"
    assert _rows(root) == before
    assert _checked(root) == on_sqlite
    on_pg = _rows(root)  # checked again: only the time of the check differs
    assert {t: v for t, v in on_pg.items() if t != "records_meta"} == \
        {t: v for t, v in before.items() if t != "records_meta"}

    (root / "catalog.sqlite.moved").rename(tmp_path / "first-catalog.sqlite")
    back = run(root, "catalog", "copy", "--to", "sqlite", "--json")
    assert back.returncode == 0, back.stderr
    with Archive.open(root) as arch:
        assert arch.catalog.dialect == "sqlite"
    assert _rows(root) == on_pg
    assert _checked(root) == on_sqlite
