"""The query language: boolean logic, filters, and malformed queries reported with their position."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from search_helpers import add_exhibit, new_archive

from exhibit.archive import Archive
from exhibit.errors import QueryError
from exhibit.search import parse, search


@pytest.fixture(scope="module")
def arch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    a = new_archive(tmp_path_factory.mktemp("query") / "archive")
    add_exhibit(a, "documents/telegram.pdf", ["The points system applies to all students.", "结业 考核"],
                lang="en", doc_date="2017-06-01", label="leak-1")
    add_exhibit(a, "documents/speech.docx", ["大数据平台 points"], lang="zh", doc_date="2018-02-01",
                media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                label="leak-2")
    add_exhibit(a, "registers/a/list.csv", [], rows=[["points", "x"]], media_type="text/csv", label="leak-2")
    add_exhibit(a, "scans/notice.png", ["points 通报"], source="ocr", media_type="image/png", doc_date="2019-01-01")
    yield a
    a.close()


def paths(arch: Archive, q: str) -> set[str]:
    return {h.path for h in search(arch, q, limit=50).hits}


ALL = {"documents/telegram.pdf", "documents/speech.docx", "registers/a/list.csv", "scans/notice.png"}


def test_boolean_operators_and_parentheses(arch: Archive) -> None:
    assert paths(arch, "points") == ALL
    assert paths(arch, "points AND 大数据") == {"documents/speech.docx"}
    assert paths(arch, "points 大数据") == {"documents/speech.docx"}  # AND is the default
    assert paths(arch, "大数据 OR 通报") == {"documents/speech.docx", "scans/notice.png"}
    assert paths(arch, "points NOT 大数据") == ALL - {"documents/speech.docx"}
    assert paths(arch, "points -(大数据 OR 通报)") == {"documents/telegram.pdf", "registers/a/list.csv"}
    assert paths(arch, "NOT points") == {"documents/telegram.pdf"}  # its page 2
    assert paths(arch, '"points system"') == {"documents/telegram.pdf"}
    assert paths(arch, '"system points"') == set()
    assert paths(arch, "poin*") == ALL


def test_field_filters(arch: Archive) -> None:
    assert paths(arch, "points type:pdf") == {"documents/telegram.pdf"}
    assert paths(arch, "points type:docx") == {"documents/speech.docx"}
    assert paths(arch, "points type:image") == {"scans/notice.png"}
    assert paths(arch, "points type:spreadsheet") == {"registers/a/list.csv"}
    assert paths(arch, "points path:registers/*") == {"registers/a/list.csv"}
    assert paths(arch, "points path:registers") == {"registers/a/list.csv"}
    assert paths(arch, "points path:documents/*.pdf") == {"documents/telegram.pdf"}
    assert paths(arch, "points source:leak-2") == {"documents/speech.docx", "registers/a/list.csv"}
    assert paths(arch, "points ocr:true") == {"scans/notice.png"}
    assert paths(arch, "points lang:zh") == {"documents/speech.docx", "registers/a/list.csv", "scans/notice.png"}
    assert paths(arch, "points date:[2017-01-01 TO 2018-12-31]") == {"documents/telegram.pdf",
                                                                     "documents/speech.docx"}
    assert paths(arch, "points date:2018") == {"documents/speech.docx"}
    assert paths(arch, "points date:[2018-06-01 TO *]") == {"scans/notice.png"}
    assert paths(arch, "lang:en") == {"documents/telegram.pdf"}  # a filter alone lists what it selects
    assert paths(arch, "10:30") == set()  # not a field: searched as words


@pytest.mark.parametrize(("query", "position"), [
    ('积分 "管理', 3),
    ("(积分 OR 管理", 0),
    ("积分 AND", 3),
    ("OR 积分", 0),
    ("积分 )", 3),
    ("", 0),
    ("date:[2017 TO]", 5),
    ("date:[2017-13-01 TO 2018]", 0),
    ("ocr:maybe", 0),
    ("abc~3", 3),
    ("ab*cd", 2),
    ("()", 0),
    ("lang:", 0),
    ("，。", 0),
])
def test_malformed_queries_raise_query_error_with_position(arch: Archive, query: str, position: int) -> None:
    with pytest.raises(QueryError) as e:
        search(arch, query)
    assert e.value.position == position, str(e.value)
    assert str(e.value)


def test_and_binds_tighter_than_or() -> None:
    tree: Any = parse('a OR (b NOT "c d") lang:zh')
    assert type(tree).__name__ == "Or"
    assert type(tree.children[1]).__name__ == "And"
    assert type(tree.children[1].children[1]).__name__ == "Filter"
