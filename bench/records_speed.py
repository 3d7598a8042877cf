"""Bench: registers to checked records, against the plain way (openpyxl read-only + stdnum row by row).

    .venv/bin/python bench/records_speed.py --rows 1000000 [--formats xlsx,csv] [--workdir DIR] [--reuse]

With --workdir /tmp/exhibit-records-1m --reuse the generated files are made once and read again by
later runs (a million-row sheet takes about a minute to write).

Generates N register rows as one XLSX sheet and one CSV file (11 columns, like the Karakax list: name,
gender, ethnicity, ID, age, address, date, reason, family, decision), then measures, each phase in its own
process (time and that process's peak memory):

  plain      openpyxl read-only (XLSX) or the csv module (CSV), python-stdnum's cn.ric.validate per row:
             what an analyst's script does. It only validates; it keeps and stores nothing.
  ingest     `exhibit ingest` of the file (the formats reader writes the rows into the catalog): the
             archive's one-time cost, shared by search, records, link and everything else.
  extract    exhibit.records.extract: header detection, every row to a stored record with provenance,
             ID normalised, the SQL test of every ID stored (decoding and family text are done when a
             record is read). A register this long is read by two processes (the machine's second core);
             their CPU time is added up, and the second one's peak memory is printed next to the first's.
  check      exhibit.checks.check: all nine codes, duplicate_id across all records.

The ratio reported is plain / (extract + check): the records capability's own work on rows that are in
the archive. The end-to-end figure (ingest + extract + check) is printed too.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["序号", "姓名", "性别", "民族", "身份证号", "年龄", "户籍地址", "入学时间", "收押原因", "家庭情况", "处理意见"]
GIVEN_M = ["买买提", "艾力", "吐尔逊", "阿不都拉", "依明", "艾买提", "亚森", "玉素甫", "托合提", "克然木"]
GIVEN_F = ["阿依古丽", "热娜古丽", "米热古丽", "祖丽胡玛尔", "帕提古丽", "阿米娜", "热依拉", "玛依拉"]
FATHER = ["吐尔洪", "巴拉提", "艾山", "努尔", "司马义", "吾斯曼", "卡德尔", "麦麦提敏", "肉孜", "居麦"]
TOWNS = ["扎瓦镇", "阔依其乡", "喀拉喀什镇", "喀尔赛乡", "奎牙镇", "托胡拉乡", "英也尔乡", "雅瓦乡", "芒来乡"]
REASONS = ["境外有亲属", "手机使用境外软件", "违反计划生育政策", "持有护照未上交", "参加非法宗教学习", "接听境外电话"]
DECISIONS = ["结业", "继续培训", "移交司法", "暂缓结业", "转入职业技能培训"]
RELATIONS = ["父亲", "母亲", "哥哥", "弟弟", "姐姐", "妹妹", "儿子", "女儿"]
STATUS = ["在校", "在家", "在押", "已判刑", "境外"]


def _check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    c = (12 - sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11) % 11
    return "X" if c == 10 else str(c)


def rows(n: int, seed: int = 7) -> list[list[object]] | object:
    rnd = random.Random(seed)
    for i in range(1, n + 1):
        male = rnd.random() < 0.5
        y, m, d = rnd.randint(1950, 2000), rnd.randint(1, 12), rnd.randint(1, 28)
        seq = rnd.randint(0, 99) * 10 + (rnd.choice([1, 3, 5, 7, 9]) if male else rnd.choice([0, 2, 4, 6, 8]))
        first17 = f"653222{y:04d}{m:02d}{d:02d}{seq:03d}"
        idn = first17 + _check_digit(first17)
        if rnd.random() < 0.01:  # one row in a hundred carries a planted inconsistency
            idn = idn[:17] + ("0" if idn[17] != "0" else "1")
        name = rnd.choice(GIVEN_M if male else GIVEN_F) + "·" + rnd.choice(FATHER)
        family = "；".join(f"{rnd.choice(RELATIONS)}{rnd.choice(GIVEN_M)}·{rnd.choice(FATHER)}（{rnd.choice(STATUS)}）"
                          for _ in range(rnd.randint(0, 3)))
        town = rnd.choice(TOWNS)
        yield [i, name, "男" if male else "女", "维吾尔族", idn, 2018 - y - (m > 6), f"{town}{rnd.randint(1, 25)}村",
               f"2017.{rnd.randint(1, 12):02d}.{rnd.randint(1, 28):02d}", rnd.choice(REASONS), family,
               rnd.choice(DECISIONS)]


def generate(workdir: Path, n: int, formats: list[str], reuse: bool = False) -> dict[str, Path]:
    out: dict[str, Path] = {}
    if reuse:
        found = {f: workdir / f"in-{f}" / f"花名册_2018.{f}" for f in formats}
        if all(p.exists() for p in found.values()):
            return found
    if "csv" in formats:
        p = workdir / "in-csv" / "花名册_2018.csv"
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            w.writerows(rows(n))  # type: ignore[arg-type]
        out["csv"] = p
    if "xlsx" in formats:
        from openpyxl import Workbook

        p = workdir / "in-xlsx" / "花名册_2018.xlsx"
        p.parent.mkdir(parents=True, exist_ok=True)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("名册")
        ws.append(["墨玉县学员花名册（2018年）"])
        ws.append(HEADER)
        for r in rows(n):  # type: ignore[attr-defined]
            ws.append(r)
        wb.save(p)
        out["xlsx"] = p
    return out


# ---- phases, each run in a child process -------------------------------------------------------------

def phase_plain(path: str) -> dict[str, object]:
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    valid = invalid = 0
    if path.endswith(".xlsx"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        it = wb.worksheets[0].iter_rows(values_only=True)
        next(it)
        next(it)
    else:
        f = open(path, encoding="utf-8", newline="")  # noqa: SIM115
        it = csv.reader(f)
        next(it)
    for r in it:
        try:
            ric.validate(str(r[4]))
            valid += 1
        except ValidationError:
            invalid += 1
    return {"valid": valid, "invalid": invalid}


def phase_ingest(path: str, archive: str) -> dict[str, object]:
    from exhibit.archive import Archive
    from exhibit.config import Config, Limits
    from exhibit.ingest import ingest

    arch = Archive.open(Path(archive), create=True)
    # A million-row sheet inflates to more XML than the default expansion limits allow for one member:
    # raised here as a user ingesting such a register would.
    limits = Limits(member_bytes=8 << 30, total_bytes=16 << 30, ratio=5000.0)
    s = ingest(arch, [Path(path)], Config(jobs=1, ocr=False, limits=limits))
    tables = arch.tables()
    arch.close()
    return {"by_status": s.as_json().get("by_status"), "table_rows": sum(t.row_count for t in tables)}


def phase_extract(archive: str) -> dict[str, object]:
    from exhibit.archive import Archive
    from exhibit.records import extract

    arch = Archive.open(Path(archive))
    s = extract(arch)
    arch.close()
    # a long register is read by two processes: the second one's peak memory comes on top of this one's
    helper = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"records": s["records"], "second_process_peak_mb": round(helper)}


def phase_check(archive: str) -> dict[str, object]:
    from exhibit.archive import Archive
    from exhibit.checks import check

    arch = Archive.open(Path(archive))
    r = check(arch)
    arch.close()
    return {"records": r.records, "anomalies": len(r.anomalies)}


def run_phase(*args: str) -> tuple[float, float, dict[str, object], float]:
    """(seconds, peak RSS in MB, result, CPU seconds) of one phase in its own process (CPU includes the
    processes it started and waited for)."""
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, __file__, "--phase", *args], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t
    out = p.stdout.read() if p.stdout else ""
    if status != 0:
        raise SystemExit(f"phase {args[0]} failed ({status})")
    return elapsed, usage.ru_maxrss / 1024, json.loads(out.strip().splitlines()[-1]), usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--formats", default="csv,xlsx")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--reuse", action="store_true", help="reuse input files already generated in --workdir")
    ap.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        fn = {"plain": phase_plain, "ingest": phase_ingest, "extract": phase_extract, "check": phase_check}
        print(json.dumps(fn[a.phase[0]](*a.phase[1:])))
        return
    work = a.workdir or Path(tempfile.mkdtemp(prefix="records-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    formats = a.formats.split(",")
    t = time.perf_counter()
    files = generate(work, a.rows, formats, reuse=a.reuse)
    print(f"generated {a.rows:,} rows as {', '.join(formats)} in {time.perf_counter() - t:.1f} s ({work})")
    for fmt, path in files.items():
        archive = work / f"archive-{fmt}"
        shutil.rmtree(archive, ignore_errors=True)
        plain = run_phase("plain", str(path))
        ing = run_phase("ingest", str(path), str(archive))
        ext = run_phase("extract", str(archive))
        chk = run_phase("check", str(archive))
        if ext[2].get("records") != a.rows:
            print(f"\n{fmt.upper()}: ingest stored {ing[2]}; extract made {ext[2]} records, not {a.rows:,}: "
                  "no ratio computed")
            continue
        ours, ours_cpu = ext[0] + chk[0], ext[3] + chk[3]
        print(f"\n{fmt.upper()}  {a.rows:,} rows")
        for label, (sec, mb, res, cpu) in (("plain (read + stdnum)", plain), ("ingest (catalog)", ing),
                                           ("extract", ext), ("check", chk)):
            print(f"  {label:22s} {sec:8.1f} s wall {cpu:8.1f} s CPU {a.rows / sec:>10,.0f} rows/s  "
                  f"peak {mb:6.0f} MB  {res}")
        print(f"  extract + check        {ours:8.1f} s wall {ours_cpu:8.1f} s CPU  "
              f"ratio plain / (extract+check) = {plain[0] / ours:.1f}x wall, {plain[3] / ours_cpu:.1f}x CPU")
        print(f"  ingest alone           ratio plain / ingest = {plain[0] / ing[0]:.2f}x wall, "
              f"{plain[3] / ing[3]:.2f}x CPU")
        total, total_cpu = ours + ing[0], ours_cpu + ing[3]
        print(f"  ingest+extract+check   {total:8.1f} s wall {total_cpu:8.1f} s CPU  "
              f"ratio plain / end-to-end = {plain[0] / total:.2f}x wall, {plain[3] / total_cpu:.2f}x CPU")
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n(bench driver peak {peak_self:.0f} MB)")
    if not a.keep and a.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
