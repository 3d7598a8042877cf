"""Shared fixtures: the dev corpus, its truth.json, and an archive with the corpus ingested once per run."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CORPUS = Path(os.environ.get("EXHIBIT_DEV_CORPUS", REPO.parent / "shared" / "corpus" / "dev"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The sample leak cache (the folder holding documents/, registers/, scans/ ...)."""
    return CORPUS / "cache"


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    with open(CORPUS / "truth.json", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def dev_archive(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """An archive with the whole dev cache ingested (OCR included), shared by every test that only reads.
    Tests that write to an archive copy it first (`copy_archive`)."""
    from exhibit.archive import Archive
    from exhibit.config import Config
    from exhibit.ingest import ingest

    root = tmp_path_factory.mktemp("dev") / "archive"
    arch = Archive.init(root)
    pw = json.loads((CORPUS / "truth.json").read_text(encoding="utf-8"))["encrypted_password"]
    ingest(arch, [corpus_dir], Config(jobs=2, passwords=tuple(pw.values()), custodian="pytest"))
    arch.close()
    return root


@pytest.fixture()
def copy_archive(dev_archive: Path, tmp_path: Path) -> Path:
    """A private writable copy of the dev archive."""
    import shutil

    dest = tmp_path / "archive"
    shutil.copytree(dev_archive, dest)
    return dest


@pytest.fixture(scope="session")
def _dev_templates(dev_archive: Path) -> dict[str, Path]:
    """The dev archive on each engine, made once, never opened by a test: `engine_archive` clones them."""
    return {"sqlite": dev_archive}


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_archive(request: pytest.FixtureRequest, _dev_templates: dict[str, Path],
                   tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    """A private writable copy of the dev archive, with its catalog on SQLite or on PostgreSQL."""
    from pg_support import writable_copy

    return writable_copy(request, _dev_templates, tmp_path_factory, tmp_path / "archive")


@pytest.fixture()
def browser() -> Iterator[Any]:
    """Debian chromium through Playwright (tests/browser_support.py has its arguments)."""
    from browser_support import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def shots(tmp_path: Path) -> Iterator[Any]:
    """shoot(page, name): a full-page screenshot under the test's tmp dir, copied to test-artifacts/screenshots/."""
    import shutil

    folder = tmp_path / "screenshots"
    folder.mkdir()

    def shoot(page: Any, name: str) -> Path:
        p = folder / f"{name}.png"
        page.screenshot(path=str(p), full_page=True)
        return p

    yield shoot
    dest = ARTIFACTS / "screenshots"
    dest.mkdir(parents=True, exist_ok=True)
    for p in folder.iterdir():
        shutil.copy(p, dest / p.name)


# -- the catalog engines -----------------------------------------------------------------------------
# A real PostgreSQL for the tests of team mode: Debian's server binaries, a cluster in a temporary folder,
# loopback only, on a free port, trusted local logins (it is reachable from this machine only, for as long
# as the test session runs), stopped and removed at the end.
def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_server() -> Any:
    """The base URL (postgresql://postgres@127.0.0.1:PORT) of a PostgreSQL started for this session."""
    import shutil
    import subprocess
    import tempfile

    bindir = _pg_bin()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries are missing: `apt-get install postgresql` (scripts/setup-system.sh)")
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="exhibit-pg-"))
    if os.geteuid() == 0:  # the server refuses to run as root: run it as the postgres account
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data, port = folder / "data", _free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C.UTF-8"], check=True, capture_output=True)
    opts = f"-c listen_addresses=127.0.0.1 -c port={port} -k {folder} -c fsync=off -c max_connections=200"
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(folder / "log"),
                    "-w", "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest) -> str | None:
    """The catalog a test's archive is made with: None (SQLite in the folder) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return None
    from pg_support import new_database

    return new_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_catalog_url(request: pytest.FixtureRequest) -> str | None:
    """As `catalog_url`, one per test module and engine (for an archive the module's tests share)."""
    if request.param == "sqlite":
        return None
    from pg_support import new_database

    return new_database(request.getfixturevalue("postgres_server"))
