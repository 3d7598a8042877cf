"""Mentions read straight from the dev corpus files (openpyxl/csv), independent of ingest and records."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import pytest


def read_karakax(path: Path) -> list[dict[str, Any]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = list(rows[1])
        for n, row in enumerate(rows[2:], start=3):
            r = dict(zip(header, row, strict=False))
            if not r.get("姓名"):
                continue
            out.append({"unique_id": f"K:{ws.title}:{n}", "kind": "record", "dataset": path.name,
                        "name": r["姓名"], "id_number": r["身份证号"], "gender": r["性别"],
                        "address": f"{ws.title[:-1] if ws.title.endswith('村') else ''}{r['户籍地址']}",
                        "source": {"path": path.name, "sheet": ws.title, "row": n}})
    return out


def read_platform(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="gb18030", newline="") as f:
        return [{"unique_id": f"P:{n}", "kind": "record", "dataset": path.name, "name": r["姓名"],
                 "id_number": r["公民身份号码"], "gender": r["性别"], "address": r["户籍地"],
                 "source": {"path": path.name, "row": n}}
                for n, r in enumerate(csv.DictReader(f), start=2)]


def read_testimonies(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [{"unique_id": r["testimony_id"], "kind": "mention", "dataset": path.name, "name": r["victim_name"],
                 "birth_year": r["birth_year"], "gender": r["gender"], "address": r["hometown"],
                 "source": {"path": path.name, "row": n}}
                for n, r in enumerate(csv.DictReader(f), start=2)]


@pytest.fixture(scope="session")
def corpus_mentions(corpus_dir: Path) -> list[dict[str, Any]]:
    reg = corpus_dir / "registers"
    return (read_karakax(reg / "墨玉县学员花名册_2018.xlsx") + read_platform(reg / "一体化平台推送人员清单.csv")
            + read_testimonies(corpus_dir / "testimonies" / "testimonies.csv"))
