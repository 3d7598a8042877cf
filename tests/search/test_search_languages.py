"""Per-script matching: Chinese sequences, traditional/simplified, widths, Latin folding, Uyghur ULY, IDs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from search_helpers import add_exhibit, new_archive

from exhibit.archive import Archive
from exhibit.search import SearchResult, search

NOTICE = "مېنىڭ ئاكام ھەسەن ئابلەت 2017-يىلى تۇتۇلدى\nئۇنىڭ ھازىر قەيەردە ئىكەنلىكىنى بىلمەيمىز"


@pytest.fixture(scope="module")
def arch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    a = new_archive(tmp_path_factory.mktemp("search") / "archive")
    add_exhibit(a, "documents/together.pdf", ["一、实行积分管理制度。", "学员押送至培训中心"])
    add_exhibit(a, "documents/apart.pdf", ["实行积分制度，加强日常管理。", "积分，管理"])
    add_exhibit(a, "documents/traditional.pdf", ["對學員實行積分考核"])
    add_exhibit(a, "documents/fullwidth.txt", ["编号ＡＢＣ１２３号"], media_type="text/plain")
    add_exhibit(a, "documents/ocr_spaced.png", ["一 体 化\n联合作战平台"], source="ocr", media_type="image/png")
    add_exhibit(a, "testimonies/en.txt", ["My sister Aygül was taken in 2017."], lang="en", media_type="text/plain")
    add_exhibit(a, "scans/uyghur_notice.png", [NOTICE], lang="ug", source="ocr", media_type="image/png")
    add_exhibit(a, "registers/list.xlsx", [], rows=[
        ["姓名", "身份证号", "地址"],
        ["买买提·吐尔逊", "653222198501011234", "墨玉县"],
        ["阿依古丽", "653222199203034321", "和田县"],
        ["Tursun", "650102198001011111", "乌鲁木齐"],
    ], media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    yield a
    a.close()


def paths(res: SearchResult) -> list[str]:
    return [h.path for h in res.hits]


def test_chinese_sequence_does_not_match_its_words_apart(arch: Archive) -> None:
    res = search(arch, "积分管理")
    assert paths(res) == ["documents/together.pdf"]
    assert res.hits[0].page == 1
    assert "«积分管理»" in res.hits[0].snippet
    # each word alone is on both pages, so the exclusion above is about the sequence
    assert set(paths(search(arch, "积分 管理"))) >= {"documents/together.pdf", "documents/apart.pdf"}


def test_one_character_query(arch: Archive) -> None:
    res = search(arch, "押")
    assert paths(res) == ["documents/together.pdf"]
    assert res.hits[0].page == 2
    assert "«押»" in res.hits[0].snippet


def test_traditional_and_simplified_match_each_other(arch: Archive) -> None:
    assert "documents/traditional.pdf" in paths(search(arch, "积分考核"))
    assert "documents/together.pdf" in paths(search(arch, "積分管理"))
    hit = next(h for h in search(arch, "学员").hits if h.path == "documents/traditional.pdf")
    assert "«學員»" in hit.snippet  # the page is quoted as written


def test_full_width_and_half_width_fold(arch: Archive) -> None:
    assert paths(search(arch, "ABC123")) == ["documents/fullwidth.txt"]
    assert paths(search(arch, "ａｂｃ１２３")) == ["documents/fullwidth.txt"]


def test_spaces_and_line_breaks_between_han_characters_do_not_break_a_sequence(arch: Archive) -> None:
    assert paths(search(arch, "一体化联合作战平台")) == ["documents/ocr_spaced.png"]


def test_latin_case_and_diacritics_fold_and_fuzzy_terms(arch: Archive) -> None:
    for q in ("Aygül", "aygul", "AYGUL"):
        assert paths(search(arch, q)) == ["testimonies/en.txt"], q
    assert paths(search(arch, "Aygal")) == []
    assert paths(search(arch, "Aygal~1")) == ["testimonies/en.txt"]
    assert paths(search(arch, "Aigal~1")) == []
    assert paths(search(arch, "Aigal~2")) == ["testimonies/en.txt"]


def test_uly_query_finds_arabic_script_and_arabic_query_finds_it_too(arch: Archive) -> None:
    res = search(arch, '"hesen ablet"')
    assert paths(res) == ["scans/uyghur_notice.png"]
    assert "«ھەسەن»" in res.hits[0].snippet
    assert paths(search(arch, "ھەسەن")) == ["scans/uyghur_notice.png"]
    assert paths(search(arch, "Hésen")) == ["scans/uyghur_notice.png"]  # ULY é folds like any diacritic


def test_id_numbers_whole_and_by_prefix(arch: Archive) -> None:
    res = search(arch, "653222198*")
    assert [(h.sheet, h.row) for h in res.hits] == [("Sheet1", 2)]
    assert "«653222198501011234»" in res.hits[0].snippet
    assert res.hits[0].page is None
    assert {h.row for h in search(arch, "653222*").hits} == {2, 3}
    assert search(arch, "653222198501011234").total == 1
    assert search(arch, "65322219850101").total == 0  # a digit string is one word


def test_hits_carry_the_contract_keys(arch: Archive) -> None:
    res = search(arch, "积分", limit=2)
    assert res.total == 4  # together p1, apart p1 and p2, traditional p1
    assert len(res.hits) == 2
    for h in res.as_json()["hits"]:
        assert {"id", "sha256", "path", "page", "sheet", "row", "snippet", "score"} <= set(h)
        assert h["id"].startswith("EX-") and len(h["sha256"]) == 64
        assert "<mark>" in h["snippet_html"]
    assert search(arch, "积分", limit=2, offset=2).hits[0].score <= res.hits[1].score


def test_grouping_by_exhibit(arch: Archive) -> None:
    res = search(arch, "积分 OR 押", group=True)
    ids = [h.id for h in res.hits]
    assert len(ids) == len(set(ids)) == res.total_exhibits == 3
    together = next(h for h in res.hits if h.path == "documents/together.pdf")
    assert together.matches is not None and together.matches.count == 2 and together.matches.pages == (1, 2)


def test_facets_count_hits(arch: Archive) -> None:
    f = search(arch, "积分 OR 653222198* OR 一体化", facets=True).facets
    # 积分: 4 pdf pages; 653222198*: 1 row; 一体化: 1 OCR page
    assert f["folder"] == {"documents": 5, "registers": 1}
    assert f["ocr"] == {"text": 5, "ocr": 1}
    assert f["media_type"]["application/pdf"] == 4
    assert f["lang"] == {"zh": 6}
