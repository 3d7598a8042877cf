"""Moving an archive's catalog between engines (SQLite in the folder <-> PostgreSQL), verified, and
recorded as a custody event in both catalogs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exhibit.archive import Archive, catalog, custody, set_catalog_url
from exhibit.archive.engine import (
    Catalog,
    Dialect,
    PostgresCatalog,
    SqliteCatalog,
    is_postgres_url,
    shown_url,
    tables_of,
)
from exhibit.archive.verify import manifest
from exhibit.errors import UserError

# The core tables in the order their keys reference each other, each with the key that orders a copy.
CORE = (("exhibits", "seq"), ("paths", "id"), ("pages", "exhibit_seq, number"), ("tables", "id"),
        ("table_rows", "table_id, number"), ("changes", "seq"), ("custody", "seq"), ("settings", "key"),
        ("ingest_seen", "root, path, source"))
# Derived tables a sync rebuilds from the core ones on the new catalog: not copied.
_DERIVED_PREFIXES = ("documents_", "search_", "sqlite_")
_BATCH = 2000


@dataclass(frozen=True)
class Moved:
    """What a catalog copy did and what its verification found."""

    source: str
    target: str
    counts: dict[str, int]
    manifest_sha256: str
    custody_head: str | None
    custody_events: int

    def as_json(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "counts": self.counts, "manifest_sha256": self.manifest_sha256,
                "custody_head": self.custody_head, "custody_events": self.custody_events, "verified": True}


def _tables(cat: Catalog) -> list[str]:
    if cat.dialect is Dialect.SQLITE:
        sql = "SELECT name FROM sqlite_master WHERE type='table'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return sorted(r[0] for r in cat.execute(sql))


def _parts(cat: Catalog) -> list[tuple[str, list[str]]]:
    """The capability schemas the catalog holds (Catalog.ensure), oldest first, each with its tables in
    the order its DDL creates them (so that a table comes after the tables it references)."""
    out = []
    for r in cat.execute("SELECT template FROM schema_parts ORDER BY added, sha256"):
        out.append((r[0], tables_of(r[0])))
    return out


def _not_copied(cat: Catalog, parts: list[tuple[str, list[str]]]) -> list[str]:
    """Tables with rows that neither the core nor a recorded capability schema makes (an archive from before
    schemas were recorded, or a table made by hand): a copy would leave them behind, so it refuses instead."""
    known = {t for t, _ in CORE} | {t for _, tables in parts for t in tables} | {"schema_parts"}
    out = []
    for t in _tables(cat):
        if t in known or t.startswith(_DERIVED_PREFIXES):
            continue
        if cat.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone():
            out.append(t)
    return out


def _columns(cat: Catalog, table: str) -> list[str]:
    if cat.dialect is Dialect.SQLITE:
        return [r[1] for r in cat.execute(f'PRAGMA table_info("{table}")')]
    return [r[0] for r in cat.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                      "current_schema() AND table_name = :t ORDER BY ordinal_position", {"t": table})]


def _copy_rows(src: Catalog, dest: Catalog, table: str, order: str | None) -> None:
    # Columns both sides have: a `{row_id}` column exists on PostgreSQL only, and the target numbers its own.
    have = set(_columns(dest, table))
    cols = [c for c in _columns(src, table) if c in have]
    quoted = ", ".join(f'"{c}"' for c in cols)
    cur = src.execute(f'SELECT {quoted} FROM "{table}"' + (f" ORDER BY {order}" if order else ""))
    while rows := cur.fetchmany(_BATCH):
        dest.executemany(f'INSERT INTO "{table}"({quoted}) VALUES ({", ".join(":c" + str(i) for i in range(len(cols)))})',
                         [{f"c{i}": bytes(v) if isinstance(v, memoryview) else v for i, v in enumerate(r)}
                          for r in rows])


def _target(root: Path, to: str) -> Catalog:
    if is_postgres_url(to):
        return PostgresCatalog(to)
    if to in ("sqlite", f"sqlite:///{root / 'catalog.sqlite'}"):
        path = root / "catalog.sqlite"
        if path.exists():
            raise UserError(f"{path} exists already: move it aside (it may be an earlier catalog) and copy again.")
        return SqliteCatalog(path)
    raise UserError(f"{to}: give postgresql://USER@HOST/DB, or `sqlite` for catalog.sqlite in the archive folder.")


def copy_catalog(arch: Archive, to: str, actor: str | None = None) -> Moved:
    """Copy the core catalog of `arch` to `to`, verify the copy, record the move in both catalogs and point
    the archive at the new one. The old SQLite file, if that was the source, is kept as catalog.sqlite.moved."""
    src = arch.catalog
    if src.dialect is Dialect.POSTGRESQL and is_postgres_url(to) or src.dialect is Dialect.SQLITE and not is_postgres_url(to):
        raise UserError(f"{arch.root}: the catalog is on {src.dialect} already; copy to the other engine.")
    parts = _parts(src)
    left = _not_copied(src, parts)
    if left:
        raise UserError(f"{arch.root}: the catalog holds {', '.join(left)}, which no recorded schema makes, so a "
                        "catalog copy would leave them behind; nothing was copied. Open the archive with the "
                        "command that made them once (it records its schema), then copy again.")
    who = actor or custody.os_user()
    dest = _target(arch.root, to)
    try:
        catalog.create(dest)
        if dest.execute("SELECT 1 FROM exhibits LIMIT 1").fetchone() or \
                dest.execute("SELECT 1 FROM custody LIMIT 1").fetchone():
            raise UserError(f"{to}: this catalog is not empty; copy into an empty database.")
        for template, _ in parts:  # outside the transaction: SQLite's executescript commits first
            dest.ensure(template)
        with dest.transaction():
            for table, key in CORE:
                cur = src.execute(f"SELECT * FROM {table} ORDER BY {key}")
                while rows := cur.fetchmany(_BATCH):
                    cols = list(rows[0].keys())
                    dest.executemany(f"INSERT INTO {table}({', '.join(cols)}) VALUES "
                                     f"({', '.join(':' + c for c in cols)})",
                                     [dict(zip(cols, (bytes(v) if isinstance(v, memoryview) else v for v in r),
                                               strict=True)) for r in rows])
            for _, tables in parts:
                for table in tables:
                    if not table.startswith(_DERIVED_PREFIXES):
                        _copy_rows(src, dest, table, _row_key(src, table))
            catalog.sync_keys(dest)
        moved = _verify(arch, dest, to, [t for _, ts in parts for t in ts if not t.startswith(_DERIVED_PREFIXES)])
        details = {**moved.as_json()}
        with src.transaction():
            custody.append(src, "catalog_copied", None, who, details)
        with dest.transaction():
            custody.append(dest, "catalog_copied", None, who, details)
    finally:
        dest.close()
    arch.catalog.close()
    if src.dialect is Dialect.SQLITE:
        old = arch.root / "catalog.sqlite"
        for suffix in ("", "-wal", "-shm"):
            part = old.with_name(old.name + suffix)
            if part.exists():
                part.rename(old.with_name(f"catalog.sqlite.moved{suffix}"))
    set_catalog_url(arch.root, to if is_postgres_url(to) else None)
    return moved


def _row_key(cat: Catalog, table: str) -> str | None:
    """The order that keeps insertion order: SQLite scans a table in rowid (or key) order by itself; a
    PostgreSQL `{row_id}` table is ordered by its identity column."""
    if cat.dialect is Dialect.POSTGRESQL and "id" in _columns(cat, table):
        return '"id"'
    return None


def _verify(arch: Archive, dest: Catalog, to: str, capability_tables: list[str]) -> Moved:
    """Counts, manifest hash and custody chain of the copy against the source; raises on any difference."""
    src = arch.catalog
    counts: dict[str, int] = {}
    for table in [t for t, _ in CORE] + capability_tables:
        a = int(src.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        b = int(dest.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
        if a != b:
            raise UserError(f"{to}: the copy of {table} has {b} rows, the source {a}; the archive still uses "
                            "its old catalog.")
        counts[table] = a
    digest, _ = manifest(arch)
    copied = Archive(arch.root, dest)
    if manifest(copied)[0] != digest:
        raise UserError(f"{to}: the copy's manifest hash differs from the source's; the archive still uses its "
                        "old catalog.")
    broken = custody.broken_links(dest)
    if broken:
        raise UserError(f"{to}: the copied custody chain breaks at event {broken[0].seq}; the archive still uses "
                        "its old catalog.")
    head = src.execute("SELECT hash FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
    dhead = dest.execute("SELECT hash FROM custody ORDER BY seq DESC LIMIT 1").fetchone()
    if (head and head[0]) != (dhead and dhead[0]):
        raise UserError(f"{to}: the copied custody chain ends elsewhere than the source's.")
    return Moved(shown_url(src.url), shown_url(to) if is_postgres_url(to) else "sqlite", counts, digest, head[0] if head else None,
                 counts["custody"])
