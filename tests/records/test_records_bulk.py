"""The bulk reading of a register (SQL, one or two processes) gives what the Python reading gives, row by row."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from scratch import add_exhibit, add_table, make_archive  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from exhibit.archive import Archive  # noqa: E402
from exhibit.checks import check  # noqa: E402
from exhibit.records import bulk, extract, iter_records  # noqa: E402
from exhibit.records.read import _Readers  # noqa: E402
from exhibit.records.store import locate  # noqa: E402

GIVEN = ["买买提", "艾力", "吐尔逊", "阿依古丽", "热娜古丽", "米热古丽"]


def _id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def _row(i: int) -> list[tuple[str, str, str | None]]:
    """Row i of a register with every kind of cell the bulk reading must settle or hand to Python."""
    male = i % 2 == 1
    idn = _id(f"653222{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{i % 100:02d}{1 if male else 2}")
    name = f"{GIVEN[i % 6]}·{GIVEN[(i // 6) % 6]}"
    gender, age = ("男" if male else "女"), str(2018 - 1950 - i % 50)
    id_cell: tuple[str, str, str | None] = (idn, "s", None)
    k = i % 40
    if k == 1:
        idn = idn[:17] + ("0" if idn[17] != "0" else "1")                         # bad check digit
        id_cell = (idn, "s", None)
    elif k == 2:
        id_cell = (idn[:15] + "000", "n", str(float(idn[:15] + "000")))           # stored as a number
    elif k == 3:
        id_cell = ("".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in idn), "s", None)  # full width
    elif k == 4:
        id_cell = (f" {idn[:6]} {idn[6:14]} {idn[14:]} ", "s", None)              # spaced
    elif k == 5:
        id_cell = (idn[:17] + "x", "s", None)                                     # lower-case x
    elif k == 6:
        name = f" {name}\n"                                                       # line break
    elif k == 7:
        name = f"·{name}"                                                         # stray dot
    elif k == 8:
        gender = "male" if male else "Female"                                     # English gender
    elif k == 9:
        age = f" {age}岁"                                                         # age with a unit
    elif k == 10:
        age = "058"                                                               # leading zero
    elif k == 11:
        id_cell = (_id("65322219840229001"), "s", None)                           # 29 February, leap year
    elif k == 12:
        id_cell = (_id("65322219830229001"), "s", None)                           # 29 February, no leap year
    elif k == 13:
        id_cell = (_id("11010119800101001"), "s", None)                           # one ID, two names
        name = GIVEN[i % 6]
    elif k == 14:
        return [(str(i), "s", None), ("", "", None), ("", "", None), ("", "", None), ("", "", None)]  # blank
    elif k == 15:
        return [("合计", "s", None), ("", "", None), ("", "", None), ("", "", None), (str(i), "s", None)]
    elif k == 16:
        return [("序号", "s", None), ("姓名", "s", None), ("性别", "s", None), ("年龄", "s", None),
                ("身份证号", "s", None)]                                          # the header again
    return [(str(i), "s", None), (name, "s", None), (gender, "s", None), (age, "s", None), id_cell]


def _archive(root: Path, n: int, catalog_url: str | None = None) -> Archive:
    arch = make_archive(root, catalog_url)
    seq = add_exhibit(arch, "花名册.xlsx")
    head = [("序号", "s", None), ("姓名", "s", None), ("性别", "s", None), ("年龄", "s", None), ("身份证号", "s", None)]
    rows = [(1, [("学员花名册（2018年6月）", "s", None)]), (2, head)]
    add_table(arch, seq, "Sheet1", [*rows, *((i + 2, _row(i)) for i in range(1, n + 1))], "sheet")
    return arch


def _result(arch: Archive) -> tuple[list[dict[str, Any]], list[tuple[str, list[str]]]]:
    recs = list(iter_records(arch))
    anomalies = [(a["record_id"], a["codes"]) for a in check(arch).as_json()["anomalies"]]
    return recs, anomalies


N = 1200


@pytest.fixture(scope="module")
def one_process(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], list[tuple[str, list[str]]]]:
    arch = _archive(tmp_path_factory.mktemp("one") / "a", N)
    assert bulk.split_point(_reader(arch)) is None
    extract(arch)
    out = _result(arch)
    arch.close()
    return out


def _reader(arch: Archive) -> Any:
    from exhibit.records.extract import detect_table
    from exhibit.records.interpret import RowReader, exhibit_info

    table = arch.tables()[0]
    ex = exhibit_info(arch, table.exhibit_seq, {})
    return RowReader(arch, ex, table, detect_table(arch, table, ex, None, None))


def test_every_stored_row_reads_as_python_reads_it(tmp_path: Path, catalog_url: str | None) -> None:
    """The SQL expressions settle a row only where they agree with RowReader.core, the reference reading (on
    PostgreSQL every row is read by it)."""
    arch = _archive(tmp_path / "a", N, catalog_url)
    extract(arch)
    readers = _Readers(arch)
    rows = arch.catalog.execute("SELECT r.table_id, r.name, r.id_number, r.gender, r.age, t.cells FROM records r "
                                "JOIN table_rows t ON t.table_id = r.table_id AND t.number = r.table_row").fetchall()
    from orjson import loads as _loads

    total = header = other = 0
    for tid, name, idn, gender, age, cells in rows:
        assert (name, idn, gender, age) == readers.get(tid).core(_loads(cells))
    if catalog_url is None:
        # most rows were settled in SQL (a row read in Python is marked suspect), so the comparison tests SQL
        assert arch.catalog.execute("SELECT COUNT(*) FROM records WHERE suspect IS NULL").fetchone()[0] > N * 2 // 3
    for r in arch.catalog.execute("SELECT t.cells FROM table_rows t LEFT JOIN records r ON r.table_id = t.table_id "
                                  "AND r.table_row = t.number WHERE r.table_row IS NULL"):
        first = _loads(r[0])[0][0]
        total += first == "合计"
        header += first == "序号"
        other += first not in ("合计", "序号")
    assert (total, header, other) == (N // 40, N // 40 + 1, N // 40 + 1)  # headers and title counted once more
    arch.close()


def test_two_processes_store_what_one_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture,
                                             one_process: tuple[list[dict[str, Any]], list[tuple[str, list[str]]]]
                                             ) -> None:
    monkeypatch.setattr(bulk, "PARALLEL_ROWS", 100)
    arch = _archive(tmp_path / "a", N)
    assert bulk.split_point(_reader(arch)) is not None
    with caplog.at_level(logging.WARNING, logger="exhibit.records.bulk"):
        extract(arch)
    assert not caplog.records  # the second process did its half
    got = _result(arch)
    assert got == one_process
    recs, anomalies = got
    codes = {c for _, cs in anomalies for c in cs}
    assert {"bad_checksum", "float_mangled", "impossible_date", "duplicate_id"} <= codes
    assert locate(arch, recs[-1]["record_id"]) is not None
    assert not list(arch.tmp_dir.glob("records-*"))  # the scratch file is gone
    arch.close()


@pytest.mark.parametrize("interpreter", ["/bin/false", "/nonexistent/python"])  # exits 1; cannot start
def test_a_failed_second_process_leaves_its_rows_to_the_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, interpreter: str,
        one_process: tuple[list[dict[str, Any]], list[tuple[str, list[str]]]]) -> None:
    monkeypatch.setattr(bulk, "PARALLEL_ROWS", 100)
    monkeypatch.setattr(sys, "executable", interpreter)
    arch = _archive(tmp_path / "a", N)
    with caplog.at_level(logging.WARNING, logger="exhibit.records.bulk"):
        extract(arch)
    assert any("second process" in r.getMessage() for r in caplog.records)
    assert _result(arch) == one_process
    arch.close()


def test_postgresql_stores_what_sqlite_stores(tmp_path: Path, postgres_server: str,
                                              one_process: tuple[list[dict[str, Any]], list[tuple[str, list[str]]]]
                                              ) -> None:
    """The PostgreSQL path (rows read in Python, written by COPY, every record with an ID judged by the checks)
    gives the records and anomalies the SQLite bulk path gives, record IDs included."""
    from pg_support import new_database

    arch = _archive(tmp_path / "a", N, new_database(postgres_server))
    extract(arch)
    assert _result(arch) == one_process
    arch.close()
