"""`exhibit search` and `exhibit reindex` on the command line: the JSON contract and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from search_helpers import add_exhibit, new_archive


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "exhibit.cli", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_search_json_reindex_and_errors(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    arch = new_archive(root)
    add_exhibit(arch, "documents/电报.pdf", ["一、严防脱逃。", "三、实行积分管理。"])
    add_exhibit(arch, "registers/名单.xlsx", [], rows=[["买买提", "653222198501011234"]])
    arch.close()

    res = run("search", "积分管理 OR 653222198*", "--json", "--archive", str(root), "--facets")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["total"] == 2
    assert [(h["path"], h["page"], h["sheet"], h["row"]) for h in out["hits"]] == [
        ("documents/电报.pdf", 2, None, None), ("registers/名单.xlsx", None, "Sheet1", 1)]
    for h in out["hits"]:
        assert set(h) >= {"id", "sha256", "path", "page", "sheet", "row", "snippet", "score"}
    assert out["facets"]["folder"] == {"documents": 1, "registers": 1}

    res = run("reindex", "--archive", str(root))
    assert res.returncode == 0, res.stderr
    assert "Indexed 3 pages and rows of 2 exhibits" in res.stderr

    res = run("search", "积分 AND (管理", "--archive", str(root))
    assert res.returncode == 2
    assert "position 7" in res.stderr and "Traceback" not in res.stderr

    res = run("search", "积分", "--archive", str(root), "--limit", "1")
    assert res.returncode == 0
    assert "EX-000001" in res.stdout
    assert "1 hit, showing 1-1" in res.stderr
