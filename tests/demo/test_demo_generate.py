"""The demo cache generator: every promised file, byte-identical per seed, valid IDs except the planted ones."""

from __future__ import annotations

import email
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pymupdf
import pytest
from PIL import Image
from stdnum.cn import ric

from exhibit.demo import generate


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("demo") / "cache"
    return out, generate(out, seed=7)


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_promised_file_is_written(demo: tuple[Path, dict[str, Any]]) -> None:
    out, truth = demo
    on_disk = _digests(out)
    assert set(on_disk) == set(truth["files"])
    assert {k: v["sha256"] for k, v in truth["files"].items()} == on_disk
    suffixes = {Path(p).suffix for p in on_disk}
    assert {".xlsx", ".csv", ".docx", ".pdf", ".png", ".eml", ".zip"} <= suffixes
    assert (out / "broken/empty.docx").stat().st_size == 0


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path,
                                                                    demo: tuple[Path, dict[str, Any]]) -> None:
    out, _ = demo
    again = tmp_path / "again"
    generate(again, seed=7)
    assert _digests(again) == _digests(out)
    other = tmp_path / "other"
    generate(other, seed=8)
    assert _digests(other)["registers/莎车县学员花名册_2018.xlsx"] != _digests(out)["registers/莎车县学员花名册_2018.xlsx"]


def _register_ids(path: Path) -> list[tuple[str, Any]]:
    wb = openpyxl.load_workbook(path)
    ids = []
    for ws in wb:
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0][0] and "花名册" in rows[0][0] and all(v is None for v in rows[0][1:])  # title row
        header = list(rows[1])
        col = header.index("身份证号")
        assert "收押原因" in header
        ids += [(ws.title, r[col]) for r in rows[2:]]
    return ids


def test_register_ids_have_valid_check_digits_except_the_planted_ones(demo: tuple[Path, dict[str, Any]]) -> None:
    out, truth = demo
    ids = _register_ids(out / truth["register"])
    assert len(ids) == len(truth["persons"]) and len({t for t, _ in ids}) >= 3
    planted = {a["id"]: a["type"] for a in truth["anomalies"]}
    assert {"bad_checksum", "age_mismatch", "gender_mismatch", "unknown_region", "duplicate_id",
            "impossible_date", "float_mangled"} <= set(planted.values())
    floats = [v for _, v in ids if isinstance(v, float)]
    assert len(floats) == 1  # the float-mangled one is stored as a number, as Excel would
    for _, v in ids:
        if isinstance(v, float):
            continue
        kind = planted.get(v)
        if kind == "bad_checksum":
            assert not ric.is_valid(v)
        elif kind == "impossible_date":
            assert v[10:14] == "0230" and ric.calc_check_digit(v) == v[17]
        elif kind == "unknown_region":
            assert v.startswith("653199") and ric.calc_check_digit(v) == v[17]
        else:
            assert ric.is_valid(v), v
            assert v.startswith("6531"), v  # Kashgar prefecture codes only (and the planted 653199)


def test_each_format_reads_back(demo: tuple[Path, dict[str, Any]]) -> None:
    out, truth = demo
    csv_text = (out / "registers/平台推送人员清单.csv").read_bytes().decode("gb18030")
    assert "公民身份号码" in csv_text and truth["platform"][0]["name_zh"] in csv_text
    with pytest.raises(UnicodeDecodeError):
        (out / "registers/平台推送人员清单.csv").read_bytes().decode("utf-8")
    fam = docx.Document(str(out / "registers/家庭成员情况表.docx"))
    assert fam.tables[0].rows[0].cells[0].text == "姓名" and len(fam.tables[0].rows) > 10
    zh = pymupdf.open(out / "documents/培训中心管理办法.pdf")
    assert zh.page_count == 2 and "积分制管理" in zh[0].get_text()
    en = pymupdf.open(out / "documents/rules_translation.pdf")
    assert "points system" in en[0].get_text()
    for png in ("scans/情况通报_第1期.png", "scans/uyghur_notice.png"):
        with Image.open(out / png) as im:
            assert im.format == "PNG" and im.width > 800
    msg = email.message_from_bytes((out / "mail/forward_20180620.eml").read_bytes())
    att = [p for p in msg.walk() if p.get_filename()]
    assert len(att) == 1
    assert "说明/情况说明.txt" in zipfile.ZipFile(io.BytesIO(att[0].get_payload(decode=True))).namelist()
    text = (out / "testimonies/testimonies.csv").read_text(encoding="ascii")  # Latin script only
    assert text.startswith("testimony_id,")


def test_nested_zip_member_names_are_gbk_without_the_utf8_flag(demo: tuple[Path, dict[str, Any]]) -> None:
    out, _ = demo
    outer = zipfile.ZipFile(out / "archives/leak_part1.zip")
    inner = zipfile.ZipFile(io.BytesIO(outer.read("inner.zip")))
    for info in inner.infolist():
        assert not info.flag_bits & 0x800
    names = [i.filename.encode("cp437").decode("gbk") for i in inner.infolist()]  # how zipfile mis-decodes
    assert "内部资料/说明.txt" in names


def test_truncated_pdf_is_a_prefix_of_a_real_pdf(demo: tuple[Path, dict[str, Any]]) -> None:
    out, truth = demo
    whole = (out / "documents/培训中心管理办法.pdf").read_bytes()
    cut = (out / "broken/truncated.pdf").read_bytes()
    assert cut.startswith(b"%PDF") and whole.startswith(cut) and len(cut) < len(whole) // 2
    assert truth["hostile"]["broken/truncated.pdf"] == "corrupt"


def test_register_reasons_use_codebook_categories(demo: tuple[Path, dict[str, Any]]) -> None:
    _, truth = demo
    cats = {c for p in truth["persons"] for c in p["reason_categories"]}
    assert len(cats) >= 8
    assert len({p["reason"] for p in truth["persons"]}) >= 15  # varied wording, not one sentence per category
