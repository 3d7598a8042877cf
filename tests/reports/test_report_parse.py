"""The citation parser: Pandoc syntax, locators, quotations before and inside, positions, code ignored."""

from __future__ import annotations

from exhibit.reports import citation_url, parse
from exhibit.reports.citations import Citation


def _cites(text: str) -> list[Citation]:
    return [c for g in parse(text) for c in g.citations]


def test_page_citation_with_quotation_before_it_keeps_line_and_column() -> None:
    text = "# T\n\nThe order: “严防逃跑” [@EX-000012, p. 3].\n"
    [c] = _cites(text)
    assert (c.ref, c.first_page, c.last_page, c.quote, c.quote_source) == ("EX-000012", 3, 3, "严防逃跑", "before")
    line = text.splitlines()[c.line - 1]
    assert line[c.column - 1:].startswith("@EX-000012")


def test_several_citations_in_one_bracket_with_sheet_and_row() -> None:
    [g] = parse("See [@EX-000001, p. 2; @EX-000007, sheet 扎瓦镇, row 14].")
    a, b = g.citations
    assert (a.ref, a.first_page) == ("EX-000001", 2)
    assert (b.ref, b.sheet, b.first_row, b.first_page) == ("EX-000007", "扎瓦镇", 14, None)
    assert a.group == b.group == g.index
    assert b.column > a.column


def test_sha256_prefix_page_ranges_and_locator_spellings() -> None:
    cs = _cites("[@sha256:1a2b3c4d, pp. 3-5] [@1a2b3c4d5e, page 7] [@EX-000003, pages 2–4] [@EX-000003, p.9]")
    assert [(c.ref, c.first_page, c.last_page) for c in cs] == [
        ("sha256:1a2b3c4d", 3, 5), ("1a2b3c4d5e", 7, 7), ("EX-000003", 2, 4), ("EX-000003", 9, 9)]
    assert all(c.is_exhibit for c in cs)


def test_quotation_inside_the_citation_in_each_quote_style() -> None:
    cs = _cites('[@EX-000012, p. 1, quote "严防逃跑; 双门"] [@EX-000012, p. 1, quote “a, b”] '
                "[@EX-000012, quote 「全封闭」]")
    assert [(c.quote, c.quote_source) for c in cs] == [
        ("严防逃跑; 双门", "inline"), ("a, b", "inline"), ("全封闭", "inline")]
    assert cs[2].first_page is None


def test_quotation_before_in_straight_and_corner_quotes() -> None:
    cs = _cites('He wrote "prevent escapes" [@EX-000004, p. 1] and 「双门双锁」[@EX-000003, p. 1].')
    assert [c.quote for c in cs] == ["prevent escapes", "双门双锁"]


def test_quoted_sheet_name_may_hold_a_comma() -> None:
    [c] = _cites('[@EX-000007, sheet "A, B", row 3]')
    assert (c.sheet, c.first_row) == ("A, B", 3)


def test_code_links_and_plain_brackets_are_not_citations() -> None:
    text = ("Example: `[@EX-000001, p. 1]`, a [link](http://x.org), an email [write to a@b.org], "
            "an escaped \\[@EX-000002, p. 1].\n\n```\n[@EX-000003, p. 1]\n```\n\n    [@EX-000004, p. 1]\n\n"
            "Real [@EX-000005, p. 1].\n")
    assert [c.ref for c in _cites(text)] == ["EX-000005"]


def test_bibliography_keys_are_kept_but_not_exhibits() -> None:
    [c] = _cites("As shown [see @zenz2019, p. 4].")
    assert not c.is_exhibit and c.prefix == "see" and c.first_page == 4


def test_unknown_locator_with_a_number_is_a_parse_problem_and_text_suffix_is_not() -> None:
    a, b = _cites("[@EX-000001, pg. 3] [@EX-000001, p. 2, emphasis added]")
    assert a.problems and "pg. 3" in a.problems[0] and a.first_page is None
    assert not b.problems and b.suffix == "emphasis added"


def test_citation_never_spans_a_blank_line() -> None:
    assert _cites("[@EX-000001, p. 1\n\nand more]") == []


def test_elided_quotation_splits_into_parts() -> None:
    [c] = _cites("“严防逃跑……结业须经” [@EX-000001, pp. 1-2]")
    assert c.quote_segments() == ["严防逃跑", "结业须经"]


def test_citation_url_for_the_viewer() -> None:
    page, row = _cites("“严防 逃跑” [@EX-000012, p. 3] [@sha256:1a2b3c4d, sheet 扎瓦镇, row 14]")
    q = "%E4%B8%A5%E9%98%B2%20%E9%80%83%E8%B7%91"  # 严防 逃跑
    assert citation_url(page) == f"/exhibits/EX-000012?page=3&q={q}&hl={q}"
    assert citation_url(row) == "/exhibits/sha256:1a2b3c4d?sheet=%E6%89%8E%E7%93%A6%E9%95%87&row=14"
