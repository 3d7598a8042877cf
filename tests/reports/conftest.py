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
