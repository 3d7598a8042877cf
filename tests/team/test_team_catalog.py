"""Both catalog engines, the same contract: init, ingest, ls, show, search, verify, and custody that
cannot be rewritten, on SQLite in the folder and on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from team_helpers import make_archive, run, run_json, text_files

from exhibit.archive import Archive, catalog_url_of
from exhibit.archive.engine import Dialect


@pytest.fixture(scope="module")
def catalog_url(module_catalog_url: str | None) -> str | None:
    return module_catalog_url


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, catalog_url: str | None,
            truth: dict[str, Any]) -> Path:
    """One archive per engine for the module; a test that alters it puts it back."""
    return make_archive(tmp_path_factory.mktemp("team") / "archive", corpus_dir, catalog_url, truth)


def test_init_records_which_catalog_the_archive_uses(archive: Path, catalog_url: str | None) -> None:
    assert catalog_url_of(archive) == catalog_url
    assert (archive / "catalog.sqlite").exists() is (catalog_url is None)
    with Archive.open(archive) as arch:
        assert arch.dialect is (Dialect.POSTGRESQL if catalog_url else Dialect.SQLITE)


def test_every_text_file_of_the_cache_is_an_exhibit_with_its_hash_and_path(archive: Path,
                                                                             truth: dict[str, Any]) -> None:
    by_sha = {e["sha256"]: e for e in run_json("ls", "--archive", str(archive))}
    for path, f in text_files(truth).items():
        assert f["sha256"] in by_sha, path
        assert any(p.endswith(path.split("/", 1)[1]) for p in by_sha[f["sha256"]]["paths"]), path


def test_show_gives_the_pages_truth_counts(archive: Path, truth: dict[str, Any]) -> None:
    for path, f in text_files(truth).items():
        if "pages" not in f:
            continue
        doc = run_json("show", f["sha256"][:12], "--archive", str(archive))
        assert len(doc["pages"]) == f["pages"], path
        assert {e["event"] for e in doc["custody"]} >= {"received", "stored", "extracted"}, path


def test_search_finds_each_phrase_of_a_text_file_on_its_page(archive: Path, truth: dict[str, Any]) -> None:
    files = text_files(truth)
    phrases = [p for p in truth["phrases"] if p["file"] in files and "page" in p and not p.get("ocr")]
    assert phrases
    for p in phrases:
        hits = run_json("search", p["query"], "--archive", str(archive), "--limit", "50")["hits"]
        want = files[p["file"]]["sha256"]
        assert any(h["sha256"] == want and h["page"] == p["page"] for h in hits), p


def test_verify_passes_and_a_flipped_blob_byte_fails_it(archive: Path) -> None:
    first = run_json("verify", "--archive", str(archive))
    assert first["ok"] is True and first["exhibits"] > 0
    sha = next(e["sha256"] for e in run_json("ls", "--archive", str(archive)) if e["size"] > 100)
    blob = archive / "blobs" / sha[:2] / sha[2:4] / sha
    blob.chmod(0o644)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 1
    blob.write_bytes(bytes(data))
    try:
        res = run("verify", "--json", "--archive", str(archive))
        assert res.returncode == 1
        assert "altered" in res.stdout and sha in res.stdout
    finally:  # the module's other tests share the archive
        data[len(data) // 2] ^= 1
        blob.write_bytes(bytes(data))


def test_a_second_ingest_of_the_same_files_adds_nothing(archive: Path, corpus_dir: Path) -> None:
    before = run_json("ls", "--archive", str(archive))
    res = run("ingest", str(corpus_dir / "documents"), "--archive", str(archive), "--no-ocr", "--json")
    assert res.returncode == 0, res.stderr
    assert run_json("ls", "--archive", str(archive)) == before
    assert run_json("verify", "--archive", str(archive))["ok"] is True


def test_the_custody_log_refuses_an_update_and_a_delete(archive: Path) -> None:
    with Archive.open(archive) as arch:
        cat = arch.catalog
        errors: tuple[type[BaseException], ...] = (psycopg.Error,) if arch.dialect is Dialect.POSTGRESQL else (
            __import__("sqlite3").Error,)
        for sql in ("UPDATE custody SET actor = 'someone else' WHERE seq = 1", "DELETE FROM custody WHERE seq = 1"):
            with pytest.raises(errors, match="append-only"):
                with cat.transaction():
                    cat.execute(sql)
        assert arch.custody_events()[0].actor == "pytest"


def test_a_capability_command_runs_the_same_on_either_engine(archive: Path, catalog_url: str | None) -> None:
    """Once only the core ran on PostgreSQL and `records extract` refused there; now it runs on both, and
    leaves the archive verifying with its exhibits as they were."""
    before = run_json("verify", "--archive", str(archive))["exhibits"]
    res = run("records", "extract", "--json", "--archive", str(archive))
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    after = run_json("verify", "--archive", str(archive))
    assert after["ok"] is True and after["exhibits"] == before
