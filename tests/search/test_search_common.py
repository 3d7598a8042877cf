"""Four-character Chinese queries over common bigrams read one token (the quad field) and find exactly
what the bigram phrase finds; an index of pages only is searched without the unit filter."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import tantivy
from search_helpers import add_exhibit, new_archive

from exhibit.search import analysis, open_index, rebuild, search
from exhibit.search.index import STATE_FILE
from exhibit.search.query import compile_query

FILLER = "的人民政府工作报告会议决定"  # characters that make the pages' other bigrams


ENGLISH = ["the report of the camp", "Of The camp", "of, the camp", "of 积 the camp", "of\nthe",
           "of training the", "THÉ OF camp", "the of-the", "of " + "x" * 90 + " the", "ofthe camp"]


def _page(rng: random.Random, kind: str) -> str:
    """A page with 积分 and 管理 (both common), next to each other or not, and English words."""
    filler = "".join(rng.choice(FILLER) for _ in range(12)) + " " + rng.choice(ENGLISH) + " "
    return {
        "together": f"{filler}积分管理{filler}",
        "wrapped": f"{filler}积分\n管理{filler}",       # a line wrap between Han characters joins them
        "apart": f"积分{filler}管理{filler}",
        "broken": f"{filler}积分，管理{filler}",        # punctuation breaks the run
        "reversed": f"{filler}管理积分{filler}",
    }[kind]


@pytest.fixture
def common_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, dict[str, int]]:
    # The list is only chosen from 1,000 sampled pages; a small archive here stands for a big one.
    monkeypatch.setattr(analysis, "COMMON_MIN_PAGES", 20)
    rng = random.Random(5)
    arch = new_archive(tmp_path / "a")
    kinds = ["together", "wrapped", "apart", "broken", "reversed"]
    counts = dict.fromkeys(kinds, 0)
    for i in range(12):
        pages = []
        for _ in range(5):
            k = rng.choice(kinds)
            counts[k] += 1
            pages.append(_page(rng, k))
        add_exhibit(arch, f"docs/d{i}.pdf", pages)
    add_exhibit(arch, "sheets/s.xlsx", rows=[["积分管理", "1"], ["管理", "积分"]], media_type="text/csv")
    rebuild(arch)
    return arch, counts


def test_common_bigrams_are_chosen_at_rebuild_and_kept_in_the_state(common_archive: tuple) -> None:
    arch, _ = common_archive
    state = json.loads((arch.index_dir / STATE_FILE).read_text(encoding="utf-8"))
    assert "积分" in state["common_bigrams"] and "管理" in state["common_bigrams"]
    assert {"of", "the"} <= set(state["common_words"])
    assert open_index(arch).common.quad_of("积分管理") == "积分管理"


def test_a_quad_query_finds_exactly_what_the_bigram_phrase_finds(common_archive: tuple) -> None:
    arch, counts = common_archive
    idx = open_index(arch)
    q_quad, _ = compile_query("积分管理", idx.schema, idx.common)
    q_phrase, _ = compile_query("积分管理", idx.schema, None)
    assert "quad" in repr(q_quad) or "field=3" in repr(q_quad)
    assert "PhraseQuery" in repr(q_phrase)
    s = idx.searcher()

    def found(q: tantivy.Query) -> set[tuple[int, int]]:
        res = s.search(q, 1000)
        addrs = [a for _, a in res.hits]
        return set(zip(s.fast_field_values("ex", addrs), s.fast_field_values("page", addrs), strict=True))

    assert found(q_quad) == found(q_phrase)
    res = search(arch, "积分管理", limit=100)
    # every page with the four characters in a row (a line wrap included), plus the one sheet row
    assert res.total == counts["together"] + counts["wrapped"] + 1
    assert all("«" in h.snippet for h in res.hits)


@pytest.mark.parametrize("phrase", ['"of the"', '"the of"', '"THE camp"', '"of the"~1'])
def test_a_pair_query_finds_exactly_what_the_word_phrase_finds(common_archive: tuple, phrase: str) -> None:
    arch, _ = common_archive
    idx = open_index(arch)
    q_pair, _ = compile_query(phrase, idx.schema, idx.common)
    q_phrase, _ = compile_query(phrase, idx.schema, None)
    assert ("PhraseQuery" in repr(q_pair)) == phrase.endswith("~1")  # a slop needs positions
    s = idx.searcher()

    def found(q: tantivy.Query) -> set[tuple[int, int, int]]:
        res = s.search(q, 1000)
        addrs = [a for _, a in res.hits]
        return set(zip(*(s.fast_field_values(f, addrs) for f in ("ex", "page", "row")), strict=True))

    assert found(q_pair) == found(q_phrase)
    assert len(found(q_pair)) > 0


def test_a_catch_up_after_the_rebuild_indexes_quads_with_the_same_list(common_archive: tuple) -> None:
    arch, counts = common_archive
    before = search(arch, "积分管理").total
    add_exhibit(arch, "docs/new.pdf", ["新的积分管理办法", "积分的管理"])
    assert search(arch, "积分管理").total == before + 1
    assert search(arch, "积分管理 path:docs/new.pdf").hits[0].page == 1


def test_pages_only_and_mixed_indexes_count_the_same_units(tmp_path: Path) -> None:
    arch = new_archive(tmp_path / "a")
    add_exhibit(arch, "docs/a.pdf", ["收押人数 上报", "收押 人数"])
    assert search(arch, "收押").total == 2  # pages only: one unfiltered search
    add_exhibit(arch, "sheets/b.xlsx", rows=[["收押", "3"], ["释放", "1"]], media_type="text/csv")
    res = search(arch, "收押")
    assert res.total == 3
    assert {(h.page, h.row) for h in res.hits} == {(1, None), (2, None), (None, 1)}
