"""The command-line contract of product.md: JSON shapes of ls, show and verify; IDs and SHA-256 prefixes;
on both catalog engines (`engine_archive`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

LS_KEYS = {"id", "sha256", "size", "paths", "media_type", "status", "reason", "pages", "parent"}
STATUSES = {"ok", "corrupt", "empty", "encrypted", "mislabelled", "path_traversal", "expansion_limit", "failed"}


def exhibit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "exhibit.cli", *args], capture_output=True, text=True, timeout=300)


def ls(root: Path) -> list[dict[str, Any]]:
    res = exhibit("ls", "--json", "--archive", str(root))
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)  # exactly one JSON document


def test_ls_json_has_the_contract_keys_and_ids_in_ingest_order(engine_archive: Path) -> None:
    items = ls(engine_archive)
    assert items
    for e in items:
        assert LS_KEYS <= e.keys()
        assert re.fullmatch(r"EX-\d{6,}", e["id"]) and re.fullmatch(r"[0-9a-f]{64}", e["sha256"])
        assert e["status"] in STATUSES
        assert e["parent"] is None or re.fullmatch(r"EX-\d{6,}", e["parent"])
        assert all("\\" not in p and not p.startswith("/") for p in e["paths"])
    nums = [int(e["id"][3:]) for e in items]
    assert nums == sorted(nums) and len(set(nums)) == len(nums)


def test_show_takes_an_id_or_a_sha256_prefix_and_gives_custody_and_pages(engine_archive: Path) -> None:
    e = next(x for x in ls(engine_archive) if x["pages"] > 1)
    by_id = json.loads(exhibit("show", e["id"], "--json", "--text", "--archive", str(engine_archive)).stdout)
    by_sha = json.loads(exhibit("show", e["sha256"][:10], "--json", "--archive", str(engine_archive)).stdout)
    assert by_id["sha256"] == by_sha["sha256"] == e["sha256"]
    assert LS_KEYS | {"metadata", "custody"} <= by_id.keys()
    assert [p["number"] for p in by_id["pages"]] == list(range(1, e["pages"] + 1))
    assert all(p["source"] in ("text", "ocr") and isinstance(p["text"], str) for p in by_id["pages"])
    assert "text" not in by_sha["pages"][0]
    events = [c["event"] for c in by_id["custody"]]
    assert events[:2] == ["received", "stored"] and "extracted" in events
    for c in by_id["custody"]:
        assert c["actor"] and c["tool"].startswith("exhibit ") and c["sha256"] == e["sha256"]
        assert re.fullmatch(r"[0-9a-f]{64}", c["prev_hash"])


def test_a_short_or_unknown_reference_is_a_clear_error_not_a_traceback(engine_archive: Path) -> None:
    for ref in ("abc", "EX-999999", "ffffffffffff"):
        res = exhibit("show", ref, "--archive", str(engine_archive))
        assert res.returncode == 2
        assert "Traceback" not in res.stderr and ref in res.stderr


def test_a_missing_archive_says_what_to_do(tmp_path: Path) -> None:
    res = exhibit("ls", "--archive", str(tmp_path / "nowhere"))
    assert res.returncode == 2 and "exhibit init" in res.stderr


def test_the_library_searches_like_the_command_line(engine_archive: Path, truth: dict[str, Any]) -> None:
    # The search API lives in exhibit.search (built on the archive, not the other way round).
    from exhibit.archive import Archive
    from exhibit.search import search

    query = truth["phrases"][1]["query"]
    cli = json.loads(exhibit("search", query, "--json", "--archive", str(engine_archive)).stdout)
    with Archive.open(engine_archive) as arch:
        api = search(arch, query, limit=10)
    assert api.total == cli["total"] > 0
    assert [(h.id, h.page) for h in api.hits] == [(h["id"], h["page"]) for h in cli["hits"]]
