"""The archive at a glance and a page at a time: counts by status, paged exhibit and custody lists, the
custody log's head, and direct row lookups in a table (what the web pages and report checks ask for).

These are reads on the core tables, so they live with the catalog; callers get typed objects back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from exhibit.archive import Archive
from exhibit.archive.custody import CustodyEvent, row_to_event
from exhibit.archive.engine import in_list
from exhibit.archive.types import Cell, Exhibit, Row, Status

T = TypeVar("T")


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a longer list: its items, and how many there are in all."""

    items: tuple[T, ...]
    total: int
    page: int                  # 1-based
    size: int


# -- the archive at a glance -------------------------------------------------------------------------
def status_counts(arch: Archive) -> dict[Status, int]:
    """How many exhibits have each status (only the statuses that occur), in status order."""
    return {Status(r["status"]): r["n"] for r in arch.catalog.execute(
        "SELECT status, COUNT(*) AS n FROM exhibits GROUP BY status ORDER BY status")}


def page_total(arch: Archive) -> int:
    """The pages of every exhibit together."""
    return int(arch.catalog.execute("SELECT COALESCE(SUM(page_count), 0) FROM exhibits").fetchone()[0])


def problem_exhibits(arch: Archive, limit: int = 1000) -> list[Exhibit]:
    """The first `limit` exhibits whose status is not ok, in ingest order."""
    seqs = [r[0] for r in arch.catalog.execute("SELECT seq FROM exhibits WHERE status != :st ORDER BY seq LIMIT :k",
                                               {"st": str(Status.OK), "k": limit})]
    return list(arch.exhibits(seqs))


# -- a page at a time --------------------------------------------------------------------------------
def exhibit_page(arch: Archive, page: int, size: int, status: Status | str | None = None) -> Paged[Exhibit]:
    """Exhibits in ingest order, `size` per page, those with `status` only if given."""
    where, args = ("WHERE status=:st", {"st": str(status)}) if status else ("", {})
    total = int(arch.catalog.execute(f"SELECT COUNT(*) FROM exhibits {where}", args).fetchone()[0])
    seqs = [r[0] for r in arch.catalog.execute(f"SELECT seq FROM exhibits {where} ORDER BY seq LIMIT :k OFFSET :o",
                                               {**args, "k": size, "o": (page - 1) * size})]
    return Paged(tuple(arch.exhibits(seqs)), total, page, size)


def custody_page(arch: Archive, page: int, size: int) -> Paged[CustodyEvent]:
    """The custody log newest first, `size` events per page."""
    total = int(arch.catalog.execute("SELECT COUNT(*) FROM custody").fetchone()[0])
    rows = arch.catalog.execute("SELECT * FROM custody ORDER BY seq DESC LIMIT :k OFFSET :o",
                                {"k": size, "o": (page - 1) * size})
    return Paged(tuple(row_to_event(r) for r in rows), total, page, size)


def custody_head(arch: Archive) -> CustodyEvent | None:
    """The latest custody event (its hash vouches for the whole log before it), or None if there is none."""
    r = arch.catalog.execute("SELECT * FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
    return None if r is None else row_to_event(r)


def seqs_by_sha256(arch: Archive, shas: list[str]) -> dict[str, int]:
    """The exhibit number of each of these SHA-256 that is an exhibit (custody events name the bytes)."""
    out: dict[str, int] = {}
    wanted = sorted(set(shas))
    for i in range(0, len(wanted), 500):
        chunk = wanted[i:i + 500]
        marks, args = in_list("h", chunk)
        out.update({r["sha256"]: r["seq"] for r in arch.catalog.execute(
            f"SELECT sha256, seq FROM exhibits WHERE sha256 IN {marks}", args)})
    return out


def sha256_prefix_count(arch: Archive, prefix: str) -> int:
    """How many exhibits' SHA-256 start with `prefix` (lower-case hex): tells an unknown from an ambiguous one."""
    return int(arch.catalog.execute("SELECT count(*) FROM exhibits WHERE sha256 >= :lo AND sha256 < :hi",
                                    {"lo": prefix, "hi": prefix + "g"}).fetchone()[0])


# -- rows of a table, directly -----------------------------------------------------------------------
# A direct lookup: streaming a million-row sheet to test or show a few row numbers would be wasteful.
def row_range(arch: Archive, table_id: int) -> tuple[int, int] | None:
    """The first and last row numbers of a table, or None if it has no rows."""
    r = arch.catalog.execute("SELECT min(number), max(number) FROM table_rows WHERE table_id=:t",
                             {"t": table_id}).fetchone()
    return None if r[0] is None else (int(r[0]), int(r[1]))


def has_row(arch: Archive, table_id: int, number: int) -> bool:
    return arch.catalog.execute("SELECT 1 FROM table_rows WHERE table_id=:t AND number=:n",
                                {"t": table_id, "n": number}).fetchone() is not None


def rows_between(arch: Archive, table_id: int, first: int, last: int) -> list[Row]:
    """The table's rows numbered `first` to `last`, both included, in order (numbers may have gaps)."""
    rs = arch.catalog.execute("SELECT number, cells FROM table_rows WHERE table_id=:t AND number BETWEEN :a AND :b"
                              " ORDER BY number", {"t": table_id, "a": first, "b": last})
    return [Row(r["number"], tuple(Cell(c[0], c[1], c[2]) for c in json.loads(r["cells"]))) for r in rs]


def last_seq(arch: Archive) -> int:
    """The newest exhibit's number (0 for an empty archive): exhibits are numbered in ingest order, so
    what a later ingest added is what lies above an earlier value (the workspace's alerts)."""
    r = arch.catalog.execute("SELECT COALESCE(MAX(seq), 0) FROM exhibits").fetchone()
    return int(r[0])


def last_event(arch: Archive) -> int:
    """The custody log's newest event number (0 for an empty log)."""
    return int(arch.catalog.execute("SELECT COALESCE(MAX(seq), 0) FROM custody").fetchone()[0])


def events_on_exhibits(arch: Archive, after: int, events: Iterable[str]) -> list[tuple[int, int]]:
    """(custody seq, exhibit seq) of each event of these kinds on an exhibit after custody event `after`,
    in log order (what changed an exhibit since someone last looked: the workspace's alerts)."""
    marks, args = in_list("k", sorted(set(events)))
    return [(int(r[0]), int(r[1])) for r in arch.catalog.execute(
        f"SELECT c.seq, e.seq FROM custody c JOIN exhibits e ON e.sha256 = c.exhibit_sha256 "
        f"WHERE c.seq > :after AND c.event IN {marks} ORDER BY c.seq", {**args, "after": after})]
