"""Fixtures for the workspace tests: a small archive made by the tests (a text PDF, a scan, a register)
whose words are generated, so that nothing matches by accident."""

from __future__ import annotations

import random
import shutil
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


@pytest.fixture()
def ws_archive(ws_base: Path, tmp_path: Path) -> Path:
    """A private writable copy of the workspace archive."""
    dest = tmp_path / "archive"
    shutil.copytree(ws_base, dest)
    return dest
