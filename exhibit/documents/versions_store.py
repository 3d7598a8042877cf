"""The tables of forensics and versions (documents_versions_*, documents_findings_*) and all their SQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from exhibit.archive import Archive
from exhibit.archive.feed import Mark

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents_versions_mark (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    change  INTEGER NOT NULL,
    path    INTEGER NOT NULL
);
-- One MinHash signature per exhibit with enough text (uint32 hash values, num_perm of them).
CREATE TABLE IF NOT EXISTS documents_versions_signatures (
    exhibit_seq INTEGER PRIMARY KEY,
    shingles    INTEGER NOT NULL,
    hashvalues  {blob} NOT NULL
);
-- Every pair the LSH found at sync whose estimated similarity reaches the stored floor; a < b.
CREATE TABLE IF NOT EXISTS documents_versions_pairs (
    a           INTEGER NOT NULL,
    b           INTEGER NOT NULL,
    similarity  REAL NOT NULL,
    PRIMARY KEY (a, b)
) {without_rowid};
CREATE INDEX IF NOT EXISTS documents_versions_pairs_b ON documents_versions_pairs(b);
-- The revisions of a PDF saved incrementally: byte range of each and the exhibit it was extracted as.
CREATE TABLE IF NOT EXISTS documents_findings_revisions (
    exhibit_seq INTEGER NOT NULL,
    number      INTEGER NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    derived_seq INTEGER,
    PRIMARY KEY (exhibit_seq, number)
) {without_rowid};
-- Exhibits whose bytes were examined for revisions (whatever was found).
CREATE TABLE IF NOT EXISTS documents_findings_examined (
    exhibit_seq INTEGER PRIMARY KEY,
    revisions   INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class Revision:
    """One revision of an incrementally saved PDF: bytes [start, end) of the file were added by it;
    the revision as a whole is bytes [0, end)."""

    number: int
    start: int
    end: int
    sha256: str
    derived_seq: int | None


class VersionsStore:
    """The documents_versions_* and documents_findings_* tables of one archive."""

    def __init__(self, arch: Archive) -> None:
        self.db = arch.catalog
        self.db.ensure(SCHEMA)

    # -- the sync mark --------------------------------------------------------------------------
    def mark(self) -> Mark:
        r = self.db.execute("SELECT change, path FROM documents_versions_mark WHERE id=1").fetchone()
        return Mark(0, 0) if r is None else Mark(int(r[0]), int(r[1]))

    def set_mark(self, mark: Mark) -> None:
        self.db.execute("INSERT INTO documents_versions_mark(id, change, path) VALUES (1, :c, :p) "
                        "ON CONFLICT (id) DO UPDATE SET change=excluded.change, path=excluded.path",
                        {"c": mark.change, "p": mark.path})

    # -- signatures -----------------------------------------------------------------------------
    def put_signatures(self, rows: Iterable[tuple[int, int, np.ndarray]]) -> None:
        self.db.executemany("INSERT INTO documents_versions_signatures(exhibit_seq, shingles, hashvalues) "
                            "VALUES (:s,:n,:h) ON CONFLICT (exhibit_seq) DO UPDATE SET "
                            "shingles=excluded.shingles, hashvalues=excluded.hashvalues",
                            [{"s": s, "n": n, "h": hv.astype(np.uint32).tobytes()} for s, n, hv in rows])

    def drop(self, seqs: Iterable[int]) -> None:
        """Forget the signatures and pairs of exhibits about to be signed again."""
        ids = [{"s": int(s)} for s in seqs]
        self.db.executemany("DELETE FROM documents_versions_signatures WHERE exhibit_seq=:s", ids)
        self.db.executemany("DELETE FROM documents_versions_pairs WHERE a=:s", ids)
        self.db.executemany("DELETE FROM documents_versions_pairs WHERE b=:s", ids)

    def signatures(self, batch: int = 20000) -> Iterator[list[tuple[int, np.ndarray]]]:
        cur = self.db.execute("SELECT exhibit_seq, hashvalues FROM documents_versions_signatures ORDER BY exhibit_seq")
        while rows := cur.fetchmany(batch):
            yield [(int(r[0]), np.frombuffer(r[1], dtype=np.uint32)) for r in rows]

    def signature(self, seq: int) -> np.ndarray | None:
        r = self.db.execute("SELECT hashvalues FROM documents_versions_signatures WHERE exhibit_seq=:s",
                            {"s": seq}).fetchone()
        return None if r is None else np.frombuffer(r[0], dtype=np.uint32)

    def signed(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM documents_versions_signatures").fetchone()[0])

    # -- pairs ----------------------------------------------------------------------------------
    def put_pairs(self, pairs: Iterable[tuple[int, int, float]]) -> None:
        self.db.executemany("INSERT INTO documents_versions_pairs(a, b, similarity) VALUES (:a,:b,:s) "
                            "ON CONFLICT (a, b) DO UPDATE SET similarity=excluded.similarity",
                            [{"a": min(a, b), "b": max(a, b), "s": s} for a, b, s in pairs])

    def pairs_of(self, seq: int, threshold: float) -> list[tuple[int, float]]:
        return [(int(r[0]), float(r[1])) for r in self.db.execute(
            "SELECT b, similarity FROM documents_versions_pairs WHERE a=:s AND similarity>=:t "
            "UNION ALL SELECT a, similarity FROM documents_versions_pairs WHERE b=:s AND similarity>=:t",
            {"s": seq, "t": threshold})]

    def pairs(self, threshold: float) -> list[tuple[int, int, float]]:
        return [(int(r[0]), int(r[1]), float(r[2])) for r in self.db.execute(
            "SELECT a, b, similarity FROM documents_versions_pairs WHERE similarity>=:t ORDER BY a, b",
            {"t": threshold})]

    # -- PDF revisions --------------------------------------------------------------------------
    def examined(self, seq: int) -> bool:
        return self.db.execute("SELECT 1 FROM documents_findings_examined WHERE exhibit_seq=:s",
                               {"s": seq}).fetchone() is not None

    def put_revisions(self, seq: int, revisions: list[Revision]) -> None:
        self.db.execute("DELETE FROM documents_findings_revisions WHERE exhibit_seq=:s", {"s": seq})
        self.db.executemany('INSERT INTO documents_findings_revisions(exhibit_seq, number, start, "end", sha256, '
                            "derived_seq) VALUES (:s,:n,:a,:b,:h,:d)",
                            [{"s": seq, "n": r.number, "a": r.start, "b": r.end, "h": r.sha256, "d": r.derived_seq}
                             for r in revisions])
        self.db.execute("INSERT INTO documents_findings_examined(exhibit_seq, revisions) VALUES (:s, :n) "
                        "ON CONFLICT (exhibit_seq) DO UPDATE SET revisions=excluded.revisions",
                        {"s": seq, "n": len(revisions)})

    def revisions(self, seq: int) -> list[Revision]:
        return [Revision(int(r[0]), int(r[1]), int(r[2]), r[3], r[4]) for r in self.db.execute(
            'SELECT number, start, "end", sha256, derived_seq FROM documents_findings_revisions WHERE exhibit_seq=:s '
            "ORDER BY number", {"s": seq})]

    def revision_of(self, derived_seq: int) -> tuple[int, int] | None:
        """(the exhibit, the revision number) that `derived_seq` was extracted from, if it was."""
        r = self.db.execute("SELECT exhibit_seq, number FROM documents_findings_revisions WHERE derived_seq=:d",
                            {"d": derived_seq}).fetchone()
        return None if r is None else (int(r[0]), int(r[1]))
