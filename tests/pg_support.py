"""What the PostgreSQL tests share beside the server fixture of tests/conftest.py."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any


def new_database(server: str) -> str:
    """A fresh empty database on the test server, by URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def to_engine(root: Path, engine: str, server: str | None) -> Path:
    """The archive at `root` on `engine`: as it is for "sqlite"; for "postgresql" its catalog moved by
    `catalog copy` (the command a user runs) into a fresh database on `server`."""
    if engine == "sqlite":
        return root
    assert engine == "postgresql" and server, engine
    from exhibit.archive import Archive
    from exhibit.archive.move import copy_catalog

    arch = Archive.open(root)
    try:
        copy_catalog(arch, new_database(server), actor="pytest")
    finally:
        arch.close()
    for old in root.glob("catalog.sqlite.moved*"):
        old.unlink()
    return root


def clone_archive(src: Path, dest: Path) -> Path:
    """A private writable copy of the archive at `src` on its engine: the folder, and for a PostgreSQL
    catalog a new database made from the source's by CREATE DATABASE ... TEMPLATE (the server copies its
    files). Nothing may be connected to the source database meanwhile: clone only from fixtures that no
    test opens."""
    from exhibit.archive import catalog_url_of, set_catalog_url

    shutil.copytree(src, dest)
    url = catalog_url_of(src)
    if url:
        import psycopg

        base, name = url.rsplit("/", 1)
        new = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{new}" TEMPLATE "{name}"')
        set_catalog_url(dest, f"{base}/{new}")
    return dest


def writable_copy(request: Any, templates: dict[str, Path], tmp_path_factory: Any, dest: Path) -> Path:
    """A private writable copy, on the engine `request.param` names, of the archive `templates["sqlite"]`.
    The PostgreSQL template is that archive moved by `catalog copy`, made on first use and kept in
    `templates` (a session fixture's dict that no test opens); each copy is then `clone_archive` of it."""
    engine = request.param
    if engine not in templates:
        root = tmp_path_factory.mktemp(f"template-{engine}") / "archive"
        shutil.copytree(templates["sqlite"], root)
        templates[engine] = to_engine(root, engine, request.getfixturevalue("postgres_server"))
    return clone_archive(templates[engine], dest)
