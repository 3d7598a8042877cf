"""Header detection beyond the sample: synonyms in three languages, titles, merged and two-row headers,
totals and blank rows, any column order, and mapping files where detection cannot know."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scratch import add_exhibit, add_table, make_archive, text_rows

from exhibit.archive import Archive, Page
from exhibit.records import extract, iter_records, registers
from exhibit.records.mapping import load


@pytest.fixture()
def arch(tmp_path: Path) -> Archive:
    return make_archive(tmp_path / "archive")


def _one(arch: Archive, path: str, rows: list[list[Any]], kind: str = "sheet", name: str = "Sheet1",
         meta: dict[str, Any] | None = None, first: int = 1) -> int:
    seq = add_exhibit(arch, path)
    add_table(arch, seq, name, text_rows(rows, first), kind, meta=meta)
    return seq


def _fields(arch: Archive, path: str) -> dict[str, str | None]:
    reg = next(r for r in registers(arch) if r["path"] == path)
    return reg["columns"]


def test_chinese_synonyms_title_rows_blank_rows_totals_and_any_order(arch: Archive) -> None:
    _one(arch, "a.xlsx", [
        ["阿克苏地区 重点人员名单", None, None, None, None, None],
        ["填报单位：某乡派出所", None, None, None, None, None],
        [None, None, None, None, None, None],
        ["推送原因", "人员姓名", "性 别", "公民身份号码", "族别", "户籍所在地"],
        ["境外有亲属", "买买提·吐尔逊", "男", "653222198108166678", "维吾尔族", "墨玉县扎瓦镇7村"],
        [None, None, None, None, None, None],
        ["标签：其他", "阿依古丽·艾山", "女", "65322219840410202X", "维吾尔族", "墨玉县奎牙镇12村"],
        ["小计", "2人", None, None, None, None],
        ["总计", None, None, None, None, None],
    ])
    extract(arch)
    cols = _fields(arch, "a.xlsx")
    assert cols == {"推送原因": "reason", "人员姓名": "name", "性 别": "gender", "公民身份号码": "id_number",
                    "族别": "ethnicity", "户籍所在地": "address"}
    recs = list(iter_records(arch))
    assert [(r["name"], r["source"]["row"]) for r in recs] == [("买买提·吐尔逊", 5), ("阿依古丽·艾山", 7)]
    assert recs[0]["county"] == "墨玉县" and recs[0]["township"] == "扎瓦镇" and recs[0]["village"] == "7村"
    assert recs[1]["reason"] == "标签：其他" and recs[1]["gender"] == "F"
    assert recs[0]["register"]["title"] == "阿克苏地区 重点人员名单"


@pytest.mark.parametrize("headers,expected", [
    (["No.", "Full Name", "Sex", "ID No.", "Date of Birth", "Age", "Address", "Reason", "Status", "Batch"],
     ["seq", "name", "gender", "id_number", "birth_date", "age", "address", "reason", "decision", "batch"]),
    (["تەرتىپ", "ئىسمى", "جىنسى", "مىللىتى", "كىملىك نومۇرى", "يېشى", "ئادرېسى", "سەۋەبى"],
     ["seq", "name", "gender", "ethnicity", "id_number", "age", "address", "reason"]),
    (["编号", "学员姓名", "性别", "民族", "身份证号码（18位）", "出生年月", "现住址", "收押理由", "处置意见",
      "所在培训中心", "收押时间"],
     ["seq", "name", "gender", "ethnicity", "id_number", "birth_date", "address", "reason", "decision",
      "facility", "detained"]),
    (["名字", "身份证", "标签", "推送时间", "推送批次", "家庭成员"],
     ["name", "id_number", "reason", "flagged", "batch", "family"]),
])
def test_header_synonyms_in_english_uyghur_and_chinese(arch: Archive, headers: list[str],
                                                      expected: list[str]) -> None:
    row = ["1", "Mamat Tursun", "M", "653222198108166678", "1981-08-16", "36", "Karakax", "x", "y", "z", "2018-03-15"]
    _one(arch, "h.csv", [headers, row[:len(headers)]], kind="csv")
    extract(arch)
    assert list(_fields(arch, "h.csv").values()) == expected


def test_two_row_header_under_a_merged_cell(arch: Archive) -> None:
    _one(arch, "m.xlsx", [
        ["序号", "姓名", "身份证号", "户籍地址", None, "收押原因"],
        [None, None, None, "乡镇", "村", None],
        [1, "吐尔逊·买买提", "653222198108166678", "扎瓦镇", "7村", "接听境外电话"],
    ], meta={"merged": ["D1:E1", "A1:A2", "B1:B2"]})
    extract(arch)
    cols = _fields(arch, "m.xlsx")
    assert cols["户籍地址/乡镇"] == "township" and cols["户籍地址/村"] == "village"
    r = next(iter_records(arch))
    assert (r["township"], r["village"], r["source"]["row"]) == ("扎瓦镇", "7村", 3)


def test_id_numbers_are_normalised_and_the_original_kept(arch: Archive) -> None:
    _one(arch, "ids.csv", [
        ["姓名", "身份证号"],
        ["甲", "６５３２２２１９８１０８１６６６７８"],
        ["乙", "653222 1984 0410 202x"],
        ["丙", "'653222198108166678"],
        ["丁", " 653222-19810816-6678 "],
    ], kind="csv")
    extract(arch)
    recs = list(iter_records(arch))
    assert [r["id_number"] for r in recs] == ["653222198108166678", "65322219840410202X",
                                              "653222198108166678", "653222198108166678"]
    assert recs[1]["id_number_raw"] == "653222 1984 0410 202x"
    assert recs[0]["id_decoded"]["region"]["name"] == "墨玉县"
    assert recs[0]["id_decoded"]["region"]["prefecture"] == "和田地区"
    assert recs[0]["birth_date"] == "1981-08-16" and recs[0]["birth_date_from"] == "id_number"


def test_a_table_that_is_not_a_register_is_skipped_with_a_reason(arch: Archive) -> None:
    _one(arch, "budget.xlsx", [["项目", "金额", "备注"], ["围墙", "120000", "双门双锁"]])
    s = extract(arch)
    reg = s["registers"][0]
    assert reg["status"] == "skipped" and reg["reason"] and s["records"] == 0


def test_a_register_without_an_id_column_is_named_and_a_mapping_fixes_it(arch: Archive, tmp_path: Path) -> None:
    _one(arch, "list.csv", [["姓名", "性别", "证件"], ["买买提·吐尔逊", "男", "653222198108166678"],
                            ["阿依古丽·艾山", "女", "65322219840410202X"]], kind="csv")
    # "证件" ("papers") is too vague to be taken as the ID column by name, but its values look like IDs
    s = extract(arch)
    assert s["registers"][0]["status"] == "register"
    assert s["registers"][0]["columns"]["证件"] == "id_number"

    arch2 = make_archive(tmp_path / "a2")
    _one(arch2, "list.csv", [["姓名", "性别", "编码"], ["买买提·吐尔逊", "男", "A-1"], ["阿依古丽·艾山", "女", "A-2"]],
         kind="csv")
    s = extract(arch2)
    reg = s["registers"][0]
    assert reg["status"] == "no_id_column" and "--mapping" in reg["reason"] and "姓名" in reg["reason"]
    m = tmp_path / "m.yaml"
    m.write_text("tables:\n- path: list.csv\n  columns:\n    编码: id_number\n", encoding="utf-8")
    s = extract(arch2, mapping=m)
    assert s["registers"][0]["status"] == "register" and s["records"] == 2
    assert [r["id_number"] for r in iter_records(arch2)] == ["A-1", "A-2"]


def test_show_mapping_round_trips_and_a_corrected_mapping_wins(arch: Archive, tmp_path: Path) -> None:
    from exhibit.records.mapping import dump

    _one(arch, "r.csv", [["姓名", "身份证号", "备注", "年龄"], ["甲", "653222198108166678", "境外有亲属", "36"]],
         kind="csv")
    shown = extract(arch, show_mapping=True)
    assert list(iter_records(arch)) == []  # showing stores nothing
    text = dump(shown["mapping"])
    m = tmp_path / "m.yaml"
    m.write_text(text.replace("备注: null", "备注: reason").replace("年龄: age", "年龄: null"), encoding="utf-8")
    load(m)
    extract(arch, mapping=m)
    r = next(iter_records(arch))
    assert r["reason"] == "境外有亲属" and r["age"] is None and r["cells"]["年龄"] == "36"


def test_a_mapping_file_with_an_unknown_field_is_refused_by_name(tmp_path: Path) -> None:
    from exhibit.errors import UserError

    m = tmp_path / "bad.yaml"
    m.write_text("headers:\n  证件: passport_no\n", encoding="utf-8")
    with pytest.raises(UserError, match="passport_no"):
        load(m)


def test_torn_pdf_names_are_taken_whole_from_the_page_text(arch: Archive) -> None:
    seq = add_exhibit(arch, "list.pdf")
    with arch.transaction():
        arch.replace_pages(seq, [Page(1, "序号\n姓名\n赛买提·买合木提\n"), Page(2, "帕丽达·艾买提\n")])
    add_table(arch, seq, "page 1 table 1", text_rows([["序号", "姓名", "身份证号"],
                                                      ["1", "赛买提买合木提\n·", "65322219930910155X"]]), "pdf", page=1)
    # page 2 continues without repeating the header
    add_table(arch, seq, "page 2 table 1", text_rows([["2", "帕丽达艾买提\n·", "653222198202246041"]]), "pdf",
              page=2)
    extract(arch)
    recs = list(iter_records(arch))
    assert [(r["name"], r["source"]["page"], r["source"]["row"]) for r in recs] == [
        ("赛买提·买合木提", 1, 1), ("帕丽达·艾买提", 2, 2)]
    assert recs[0]["cells"]["姓名"] == "赛买提买合木提\n·"  # the evidence as extracted


def test_family_free_text_in_several_forms() -> None:
    from exhibit.records.family import parse

    got = parse("父亲玉素甫·伊布拉音（在校）；弟弟艾买提·吾买尔(已判刑)、妻子：阿依古丽")
    assert [(m["relation"], m["relation_text"], m["name"], m["status"]) for m in got] == [
        ("father", "父亲", "玉素甫·伊布拉音", "在校"), ("brother", "弟弟", "艾买提·吾买尔", "已判刑"),
        ("wife", "妻子", "阿依古丽", None)]
    got = parse("玉素甫·伊布拉音（父亲，在押）")
    assert (got[0]["relation"], got[0]["name"], got[0]["status"]) == ("father", "玉素甫·伊布拉音", "在押")
    got = parse("father: Yusup Ibrahim (in school); sister Aygul Hesen")
    assert [(m["relation"], m["name"], m["status"]) for m in got] == [
        ("father", "Yusup Ibrahim", "in school"), ("sister", "Aygul Hesen", None)]
    got = parse("ئانىسى ئايگۈل ھەسەن (تۇتۇلغان)")
    assert (got[0]["relation"], got[0]["name"], got[0]["status"]) == ("mother", "ئايگۈل ھەسەن", "تۇتۇلغان")
    assert parse("无") == []
    # nothing written is lost: an unreadable part is kept whole
    assert parse("见附件")[0]["text"] == "见附件"


def test_a_plain_list_of_names_is_skipped_with_a_reason_that_says_so(arch: Archive) -> None:
    _one(arch, "attendees.xlsx", [["姓名", "单位", "批次"], ["买买提", "县政法委", "第一批"]])
    reg = extract(arch)["registers"][0]
    assert reg["status"] == "skipped" and "list of names" in reg["reason"] and "--mapping" in reg["reason"]


def test_addresses_in_other_scripts_are_kept_whole() -> None:
    from exhibit.records.values import split_address

    assert split_address("Karakax, Yengiyer") == {"county": None, "township": None, "village": None}
    assert split_address("和田地区墨玉县喀尔赛乡15村") == {"county": "墨玉县", "township": "喀尔赛乡", "village": "15村"}


@pytest.mark.parametrize("text", ["ئىسمى", "كىملىك نومۇرى", "ئابدۇكېرىم توختى", "北屯市", "户籍地址"])
def test_presentation_forms_and_compatibility_ideographs_read_as_what_they_show(text: str) -> None:
    """A PDF text layer gives shaped Arabic (presentation forms) and compatibility ideographs; the value read
    is the plain text, and the header the same header."""
    import unicodedata

    from exhibit.records.values import clean
    from exhibit.records.vocab import field_for_header

    shaped = "".join(_shaped(c) for c in text)
    assert shaped != text or not any("\u0600" <= c <= "\u06ff" for c in text)
    assert clean(shaped) == unicodedata.normalize("NFC", text)
    assert field_for_header(shaped) == field_for_header(text)


def _shaped(c: str) -> str:
    """The isolated presentation form of an Arabic letter, or the compatibility twin of an ideograph, where
    Unicode has one (found by NFKC over the blocks, not listed by hand)."""
    import unicodedata

    for block in (range(0xFE70, 0xFEFD), range(0xFB50, 0xFE00), range(0xF900, 0xFB00)):
        for cp in block:
            ch = chr(cp)
            if unicodedata.normalize("NFKC", ch) == c:
                return ch
    return c
