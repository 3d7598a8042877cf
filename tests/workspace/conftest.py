"""Fixtures for the workspace tests: a small archive made by the tests (a text PDF, a scan, a register)
whose words are generated, so that nothing matches by accident."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from workspace_support import Cache, make_cache

from exhibit.archive import Archive
from exhibit.config import Config


@pytest.fixture(scope="session")
def ws_cache(tmp_path_factory: pytest.TempPathFactory) -> Cache:
    return make_cache(tmp_path_factory.mktemp("ws-cache"), random.Random(18))


@pytest.fixture(scope="session")
def ws_base(tmp_path_factory: pytest.TempPathFactory, ws_cache: Cache) -> Path:
    from exhibit.ingest import ingest

    root = tmp_path_factory.mktemp("ws") / "archive"
    with Archive.init(root) as arch:
        ingest(arch, [ws_cache.root], Config(jobs=1, custodian="pytest"))
    return root


@pytest.fixture(scope="session")
def _ws_templates(ws_base: Path) -> dict[str, Path]:
    """The workspace archive on each engine, made once, never opened by a test: `ws_archive` clones them."""
    return {"sqlite": ws_base}


@pytest.fixture(params=["sqlite", "postgresql"])
def ws_archive(request: pytest.FixtureRequest, _ws_templates: dict[str, Path],
               tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A private writable copy of the workspace archive, with its catalog on SQLite or on PostgreSQL (moved
    there by `catalog copy`, as a team would)."""
    from pg_support import writable_copy

    return writable_copy(request, _ws_templates, tmp_path_factory, tmp_path / "archive")
