"""What the search index reads of the catalog: its change marks, the exhibits changed since a mark, and
the pages and rows to index, streamed the way indexing was tuned to read them (see BENCHMARKS.md ## Search).

The queries are the ones search ran itself before the archive owned its catalog, moved unchanged: texts
and cells come as stored (a row's cells as their JSON, a page's meta as its JSON) because parsing every
OCR page's boxes to look for one key cost more than the indexing it fed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from exhibit.archive.types import Cell, Row

if TYPE_CHECKING:
    from exhibit.archive import Archive


@dataclass(frozen=True)
class Mark:
    """How far the catalog has got: its last change (`changes.seq`) and its last path row (`paths.id`).
    An index that has applied everything up to a mark is caught up with a catalog at that mark."""

    change: int
    path: int

    def covers(self, other: Mark) -> bool:
        """Whether everything up to `other` is included in this mark."""
        return self.change >= other.change and self.path >= other.path


@dataclass(frozen=True)
class ExhibitFacts:
    """What every page and row of an exhibit carries into the index as filters and facets."""

    seq: int
    media_type: str | None
    status: str | None
    lang: str | None
    doc_date: str | None
    first_received: str | None
    paths: tuple[tuple[str, str | None], ...]  # (path, --source label), in the order they were received


class PageToIndex(NamedTuple):
    """A page as the indexer reads it (a tuple: hundreds of thousands stream through)."""

    exhibit_seq: int
    number: int
    text: str
    source: str
    lang: str | None
    meta_json: str | None


class RowToIndex(NamedTuple):
    """A table row as the indexer reads it; `cells_json` is the stored [[value, type, raw], ...]."""

    exhibit_seq: int
    table_id: int
    number: int
    cells_json: str


@dataclass(frozen=True)
class PageText:
    """A page's text with where it came from, without its OCR meta (what a search hit shows)."""

    text: str
    source: str
    lang: str | None


def _ids(seqs: Collection[int]) -> str:
    # Exhibit numbers inlined, not bound: they are ints, and the index's batches reach 500 of them.
    return ",".join(str(int(s)) for s in seqs) or "NULL"


class IndexFeed:
    """The catalog as the search index reads it. `Archive.feed` gives one."""

    def __init__(self, arch: Archive) -> None:
        self.db = arch.catalog

    # -- catching up ---------------------------------------------------------------------------
    def mark(self) -> Mark:
        """The catalog's mark now (checked before every search: two max() on primary keys)."""
        r = self.db.execute("SELECT (SELECT COALESCE(max(seq), 0) FROM changes), (SELECT COALESCE(max(id), 0) FROM paths)"
                            ).fetchone()
        return Mark(int(r[0]), int(r[1]))

    def changed_since(self, since: Mark, until: Mark) -> set[int]:
        """The exhibits changed (pages, tables, status) or found under a new path after `since`, up to
        `until`."""
        return {int(r[0]) for r in self.db.execute(
            "SELECT exhibit_seq FROM changes WHERE seq > :c0 AND seq <= :c1 "
            "UNION SELECT exhibit_seq FROM paths WHERE id > :p0 AND id <= :p1",
            {"c0": since.change, "c1": until.change, "p0": since.path, "p1": until.path})}

    def exhibit_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM exhibits").fetchone()[0])

    def unit_count(self, seqs: Collection[int] | None = None) -> int:
        """Pages plus table rows of the given exhibits (of all when None): what indexing will add."""
        ids = "" if seqs is None else _ids(seqs)
        pw = f" WHERE exhibit_seq IN ({ids})" if ids else ""
        tw = f" WHERE exhibit_seq IN ({ids})" if ids else ""
        return int(self.db.execute(f"SELECT (SELECT count(*) FROM pages{pw}) + "
                                   f"(SELECT COALESCE(sum(row_count), 0) FROM tables{tw})").fetchone()[0])

    def sample_texts(self, n: int) -> list[str]:
        """About `n` page texts from exhibits spread over the archive (seeded, so a rebuild is repeatable)."""
        seqs = [r[0] for r in self.db.execute("SELECT DISTINCT exhibit_seq FROM pages")]
        pages = self.db.execute("SELECT count(*) FROM pages").fetchone()[0]
        k = min(len(seqs), max(1, n * len(seqs) // max(pages, 1)) * 2)
        chosen = sorted(random.Random(0).sample(seqs, k))
        return [r[0] for r in self.db.execute(
            f"SELECT text FROM pages WHERE exhibit_seq IN ({','.join(map(str, chosen))}) LIMIT {n}")] if chosen else []

    # -- what to index -------------------------------------------------------------------------
    def facts(self, seqs: Collection[int] | None = None) -> dict[int, ExhibitFacts]:
        """Per exhibit (of `seqs`, or all), its media type, status, language, dates and paths."""
        if seqs is None:
            ex_rows = self.db.execute("SELECT seq, media_type, status, lang, doc_date, first_received FROM exhibits")
            path_rows = self.db.execute("SELECT exhibit_seq, path, source FROM paths ORDER BY id")
        else:
            ids = _ids(seqs)
            ex_rows = self.db.execute("SELECT seq, media_type, status, lang, doc_date, first_received FROM exhibits "
                                      f"WHERE seq IN ({ids})")
            path_rows = self.db.execute(f"SELECT exhibit_seq, path, source FROM paths WHERE exhibit_seq IN ({ids}) "
                                        "ORDER BY id")
        rows = [tuple(r) for r in ex_rows]
        paths: dict[int, list[tuple[str, str | None]]] = {r[0]: [] for r in rows}
        for r in path_rows:
            if r[0] in paths:
                paths[r[0]].append((r[1], r[2]))
        return {r[0]: ExhibitFacts(r[0], r[1], r[2], r[3], r[4], r[5], tuple(paths[r[0]])) for r in rows}

    def pages(self, seqs: Collection[int] | None = None, batch: int = 256) -> Iterator[list[PageToIndex]]:
        """The pages of the given exhibits (all when None) in exhibit and page order, `batch` at a time."""
        where = "" if seqs is None else f" WHERE exhibit_seq IN ({_ids(seqs)})"
        cur = self.db.execute(f"SELECT exhibit_seq, number, text, source, lang, meta FROM pages{where} "
                              "ORDER BY exhibit_seq, number")
        while rows := cur.fetchmany(batch):
            yield [PageToIndex(*r) for r in rows]

    def rows(self, seqs: Collection[int] | None = None, batch: int = 256) -> Iterator[list[RowToIndex]]:
        """The table rows of the given exhibits (all when None) in exhibit and table order, `batch` at a time."""
        twhere = "" if seqs is None else f" WHERE t.exhibit_seq IN ({_ids(seqs)})"
        cur = self.db.execute("SELECT t.exhibit_seq, t.id, tr.number, tr.cells FROM tables t "
                              f"JOIN table_rows tr ON tr.table_id = t.id{twhere} ORDER BY t.exhibit_seq, t.id")
        while rows := cur.fetchmany(batch):
            yield [RowToIndex(*r) for r in rows]

    # -- what a hit shows ----------------------------------------------------------------------
    # One primary-key lookup each: 5x faster than one query of ten ORed pairs, which SQLite plans as a scan
    # of index ranges (and row values `IN (VALUES ...)` as a full scan).
    def page_text(self, seq: int, number: int) -> PageText | None:
        """One page's text, source and language (Archive.page would also parse its OCR meta)."""
        r = self.db.execute("SELECT exhibit_seq, number, text, source, lang FROM pages WHERE exhibit_seq=:s "
                            "AND number=:n", {"s": seq, "n": number}).fetchone()
        return None if r is None else PageText(r[2], r[3], r[4])

    def row(self, table_id: int, number: int) -> Row | None:
        """One table row."""
        r = self.db.execute("SELECT cells FROM table_rows WHERE table_id=:t AND number=:n",
                            {"t": table_id, "n": number}).fetchone()
        return None if r is None else Row(number, tuple(Cell(c[0], c[1], c[2]) for c in json.loads(r[0])))
