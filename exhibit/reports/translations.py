"""Which exhibit translates which: `exhibit translation link EX-A EX-B` records that B translates A.

The links are the reports capability's own table (reports_translations), read and written here only;
what it knows of the exhibits themselves comes from the archive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive, custody, ex_id
from exhibit.archive.engine import Catalog, Dialect
from exhibit.errors import UserError

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports_translations (
    original_seq    INTEGER NOT NULL REFERENCES exhibits(seq),
    translation_seq INTEGER NOT NULL REFERENCES exhibits(seq),
    linked          TEXT NOT NULL,              -- UTC, ISO 8601
    actor           TEXT NOT NULL,
    PRIMARY KEY (original_seq, translation_seq)
);
CREATE INDEX IF NOT EXISTS reports_translations_t ON reports_translations(translation_seq);
"""


@dataclass(frozen=True)
class TranslationLink:
    original: str      # EX-...
    translation: str
    original_sha256: str
    translation_sha256: str
    linked: str
    actor: str

    def as_json(self) -> dict[str, Any]:
        return {"original": self.original, "translation": self.translation,
                "original_sha256": self.original_sha256, "translation_sha256": self.translation_sha256,
                "linked": self.linked, "actor": self.actor}


def ensure(cat: Catalog) -> None:
    cat.ensure(SCHEMA)


def ensure_schema(arch: Archive) -> None:
    ensure(arch.catalog)


def link(arch: Archive, original: str, translation: str, actor: str | None = None) -> tuple[TranslationLink, bool]:
    """Record that `translation` translates `original`; (the link, whether it is new). A new link is a
    custody event `translation_linked` on the translation, naming the original."""
    ensure_schema(arch)
    a, b = arch.resolve(original), arch.resolve(translation)
    if a == b:
        raise UserError(f"{original} and {translation} are the same exhibit; a translation links two exhibits.")
    if arch.catalog.execute("SELECT 1 FROM reports_translations WHERE original_seq = :a AND translation_seq = :b",
                            {"a": b, "b": a}).fetchone():
        raise UserError(f"{ex_id(b)} is already recorded as translated by {ex_id(a)}; "
                        "a pair is linked one way only (original first, then translation).")
    sha_a, sha_b = arch.exhibit(a).sha256, arch.exhibit(b).sha256
    who = actor or custody.os_user()
    new = False
    with arch.transaction() as db:
        if not db.execute("SELECT 1 FROM reports_translations WHERE original_seq = :a AND translation_seq = :b",
                          {"a": a, "b": b}).fetchone():
            db.execute("INSERT INTO reports_translations(original_seq, translation_seq, linked, actor)"
                       " VALUES (:a, :b, :t, :w)", {"a": a, "b": b, "t": custody.utc_now(), "w": who})
            custody.append(db, "translation_linked", sha_b, who,
                           {"translation_of": ex_id(a), "original_sha256": sha_a, "translation": ex_id(b)})
            new = True
    return _get(arch, a, b), new


def _get(arch: Archive, a: int, b: int) -> TranslationLink:
    return _links(arch, arch.catalog.execute("SELECT * FROM reports_translations WHERE original_seq = :a AND "
                                             "translation_seq = :b", {"a": a, "b": b}).fetchall())[0]


def _links(arch: Archive, rows: list[Any]) -> list[TranslationLink]:
    """Links with both exhibits' SHA-256, which the archive knows."""
    sha = {e.seq: e.sha256 for e in arch.exhibits(sorted({r[k] for r in rows
                                                           for k in ("original_seq", "translation_seq")}))}
    return [TranslationLink(ex_id(r["original_seq"]), ex_id(r["translation_seq"]), sha[r["original_seq"]],
                            sha[r["translation_seq"]], r["linked"], r["actor"]) for r in rows]


def links(arch: Archive) -> list[TranslationLink]:
    if not _exists(arch):
        return []
    return _links(arch, arch.catalog.execute(
        "SELECT * FROM reports_translations ORDER BY original_seq, translation_seq").fetchall())


def _exists(arch: Archive) -> bool:
    """Whether any link was ever made; checking a report must not write to the catalog."""
    cat = arch.catalog
    if cat.dialect is Dialect.SQLITE:
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reports_translations'"
    else:
        sql = "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'reports_translations'"
    return cat.execute(sql).fetchone() is not None


def translations_of(arch: Archive, seq: int) -> list[int]:
    if not _exists(arch):
        return []
    return [r[0] for r in arch.catalog.execute(
        "SELECT translation_seq FROM reports_translations WHERE original_seq = :s ORDER BY translation_seq",
        {"s": seq})]


def originals_of(arch: Archive, seq: int) -> list[int]:
    if not _exists(arch):
        return []
    return [r[0] for r in arch.catalog.execute(
        "SELECT original_seq FROM reports_translations WHERE translation_seq = :s ORDER BY original_seq",
        {"s": seq})]
