"""What the team-mode tests share: an archive of the dev cache's text files (no OCR) on a given catalog."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pg_support import new_database  # noqa: F401  (the tests import it from here too)

EXHIBIT = [sys.executable, "-m", "exhibit.cli"]
# The folders of the dev cache whose files need no OCR: the tests are about the catalog, not OCR.
TEXT_FOLDERS = ("documents", "registers", "archives", "broken", "mail")


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXHIBIT, *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


def run_json(*args: str) -> Any:
    res = run(*args, "--json")
    assert res.returncode in (0, 1), res.stderr
    return json.loads(res.stdout)


def make_archive(root: Path, corpus_dir: Path, catalog_url: str | None, truth: dict[str, Any]) -> Path:
    """`exhibit init [--catalog URL]` and an ingest of the text folders, through the command line."""
    init = ["init", "--archive", str(root)] + (["--catalog", catalog_url] if catalog_url else [])
    res = run(*init)
    assert res.returncode == 0, res.stderr
    pw = [a for p in truth["encrypted_password"].values() for a in ("--password", p)]
    res = run("ingest", *(str(corpus_dir / f) for f in TEXT_FOLDERS), "--archive", str(root), "--no-ocr",
              "--jobs", "2", "--custodian", "pytest", *pw)
    assert res.returncode == 0, res.stderr
    return root


def text_files(truth: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """truth.json's files in the text folders, by path."""
    return {p: f for p, f in truth["files"].items() if p.split("/", 1)[0] in TEXT_FOLDERS}


