"""Fixtures for the reports tests: a writable copy of the dev archive with the telegram's translation linked."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from reports_support import exhibit_by_path, translation_pair

from exhibit.archive import Archive


@pytest.fixture(scope="session")
def reports_archive(dev_archive: Path, tmp_path_factory: pytest.TempPathFactory, truth: dict[str, Any]) -> Path:
    """One writable copy of the dev archive for the reports tests, with the translation pair linked."""
    from exhibit.reports import link

    root = tmp_path_factory.mktemp("reports") / "archive"
    shutil.copytree(dev_archive, root)
    original, translated = translation_pair(truth)
    with Archive.open(root) as arch:
        link(arch, exhibit_by_path(arch, original)["id"], exhibit_by_path(arch, translated)["id"], actor="pytest")
    return root


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine_reports_archive(request: pytest.FixtureRequest, reports_archive: Path,
                           tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`reports_archive` on each engine: as it is, or moved to PostgreSQL by `catalog copy` (which carries the
    translation links: reports_translations is made through Catalog.ensure)."""
    from pg_support import to_engine

    if request.param == "sqlite":
        return reports_archive
    root = tmp_path_factory.mktemp("reports-pg") / "archive"
    shutil.copytree(reports_archive, root)
    return to_engine(root, "postgresql", request.getfixturevalue("postgres_server"))
