"""Archive.feed: what the search index reads of the catalog (marks, changes, pages and rows to index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from exhibit.archive import Archive, Page, PageSource
from exhibit.archive.feed import Mark
from exhibit.config import Config
from exhibit.ingest import ingest


@pytest.fixture
def arch(tmp_path: Path) -> Archive:
    src = tmp_path / "leak"
    (src / "notes").mkdir(parents=True)
    (src / "notes" / "a.txt").write_text("收押人数 上报\n", encoding="utf-8")
    (src / "notes" / "b.txt").write_text("积分管理\n", encoding="utf-8")
    (src / "list.csv").write_text("姓名,编号\n买买提,1\n阿依古丽,2\n", encoding="utf-8")
    a = Archive.init(tmp_path / "archive")
    ingest(a, [src], Config(jobs=1, ocr=False, source="leak-1"))
    return a


def seq_of(arch: Archive, path: str) -> int:
    return next(ex.seq for ex in arch.exhibits() if path in ex.path_names)


def test_the_mark_moves_with_each_change_and_each_new_path(arch: Archive, tmp_path: Path) -> None:
    feed = arch.feed
    start = feed.mark()
    assert start.change > 0 and start.path == 3
    assert feed.changed_since(Mark(0, 0), start) == {ex.seq for ex in arch.exhibits()}
    assert feed.changed_since(start, start) == set()

    a = seq_of(arch, "notes/a.txt")
    with arch.transaction():
        arch.replace_pages(a, [Page(1, "新的文字", PageSource.OCR)])
    after = feed.mark()
    assert after.covers(start) and not start.covers(after)
    assert feed.changed_since(start, after) == {a}

    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "b-again.txt").write_text("积分管理\n", encoding="utf-8")  # the same bytes under a new path
    ingest(arch, [copy], Config(jobs=1, ocr=False))
    assert feed.mark().path == after.path + 1
    assert seq_of(arch, "notes/b.txt") in feed.changed_since(after, feed.mark())


def test_counts_pages_and_rows_of_all_or_some_exhibits(arch: Archive) -> None:
    feed = arch.feed
    csv = seq_of(arch, "list.csv")
    rows = sum(t.row_count for t in arch.tables(csv))
    assert rows >= 2
    assert feed.exhibit_count() == 3
    pages = sum(len(arch.pages(ex.seq)) for ex in arch.exhibits())
    assert feed.unit_count() == pages + rows
    assert feed.unit_count({seq_of(arch, "notes/a.txt")}) == 1
    assert feed.unit_count(set()) == 0


def test_streams_pages_and_rows_in_exhibit_order(arch: Archive) -> None:
    feed = arch.feed
    seqs = [ex.seq for ex in arch.exhibits()]
    pages = [p for batch in feed.pages(None, batch=1) for p in batch]
    assert [(p.exhibit_seq, p.number) for p in pages] == sorted((p.exhibit_seq, p.number) for p in pages)
    assert {p.text.strip() for p in pages} >= {"收押人数 上报", "积分管理"}
    a = seq_of(arch, "notes/a.txt")
    assert [p.text.strip() for batch in feed.pages([a]) for p in batch] == ["收押人数 上报"]

    csv = seq_of(arch, "list.csv")
    rows = [r for batch in feed.rows(seqs) for r in batch]
    assert {r.exhibit_seq for r in rows} == {csv}
    table = arch.tables(csv)[0]
    assert [r.number for r in rows] == [r.number for r in arch.table_rows(table.id)]
    first = feed.row(table.id, rows[0].number)
    assert first == next(iter(arch.table_rows(table.id)))
    assert feed.row(table.id, 10_000) is None


def test_facts_carry_what_every_indexed_unit_is_filtered_on(arch: Archive) -> None:
    feed = arch.feed
    a = seq_of(arch, "notes/a.txt")
    facts = feed.facts([a])
    assert list(facts) == [a]
    ex = arch.exhibit(a)
    f = facts[a]
    assert (f.media_type, f.status, f.lang, f.first_received) == (ex.media_type, str(ex.status), ex.lang,
                                                                   ex.first_received)
    assert f.paths == (("notes/a.txt", "leak-1"),)
    assert set(feed.facts()) == {e.seq for e in arch.exhibits()}
    assert feed.facts([]) == {}


def test_a_hit_reads_one_page_without_its_meta(arch: Archive) -> None:
    feed = arch.feed
    a = seq_of(arch, "notes/a.txt")
    page = arch.page(a, 1)
    assert page is not None
    text = feed.page_text(a, 1)
    assert text is not None and (text.text, text.source, text.lang) == (page.text, str(page.source), page.lang)
    assert feed.page_text(a, 2) is None


def test_the_sample_of_page_texts_is_repeatable(arch: Archive) -> None:
    feed = arch.feed
    sample = feed.sample_texts(10)
    assert sample and sample == feed.sample_texts(10)
    assert len(feed.sample_texts(1)) == 1
