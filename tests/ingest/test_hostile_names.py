"""Names as data (issue 13): hostile file and member names are catalogued with their exact bytes and a
readable form, print inert in every command, and links are listed, never followed."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hostile.gen_names import (
    TERMINAL_UNSAFE,
    HostileName,
    make_folder,
    make_links,
    make_tar,
    make_zip,
    name_classes,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.ingest import Summary, ingest
from exhibit.ingest.names import UNKNOWN, of_bytes
from exhibit.text.display import for_page, for_terminal

UNSAFE_OUTPUT = set(TERMINAL_UNSAFE) - {"\n"}


def _exhibit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "exhibit.cli", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="strict", timeout=300)


def _ingest(root: Path, paths: list[Path]) -> Summary:
    with Archive.open(root, create=True) as arch:
        return ingest(arch, paths, Config(jobs=1, ocr=False, custodian="pytest"))


def _exact_paths(root: Path) -> dict[bytes, tuple[str, str | None]]:
    """Every catalogued path as its exact original bytes -> (readable path, encoding)."""
    with sqlite3.connect(root / "catalog.sqlite") as db:
        rows = db.execute("SELECT path, path_bytes, path_encoding FROM paths").fetchall()
    return {(raw if raw is not None else path.encode("utf-8")): (path, enc) for path, raw, enc in rows}


def _assert_inert(text: str) -> None:
    raw = [f"U+{ord(c):04X}" for c in text if c in UNSAFE_OUTPUT]
    assert not raw, f"raw control or bidi characters reached the terminal: {raw[:10]}"


@pytest.fixture(scope="module")
def hostile_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[bytes, bytes], Summary]:
    """Every class of hostile name as files on disk, in a zip and in a tar, ingested once."""
    work = tmp_path_factory.mktemp("names")
    cache = work / "cache"
    names = name_classes()
    made = make_folder(cache, names)
    expected = {raw: content for raw, content in made.items()}
    for raw, content in make_zip(cache / "members.zip", names).items():
        expected[b"members.zip/" + raw] = content
    for raw, content in make_tar(cache / "members.tar", names).items():
        expected[b"members.tar/" + raw] = content
    root = work / "archive"
    summary = _ingest(root, [cache])
    return root, cache, expected, summary


def test_every_hostile_name_is_catalogued_with_its_exact_bytes_and_a_readable_path(
        hostile_archive: tuple[Path, Path, dict[bytes, bytes], Summary]) -> None:
    root, _, expected, summary = hostile_archive
    exact = _exact_paths(root)
    for raw in expected:
        # A member whose name had to be made safe keeps its original bytes; every other path is exact.
        assert raw in exact or any(k.startswith(raw.split(b"/", 1)[0]) and
                                   k.endswith(raw.rsplit(b"/", 1)[-1]) for k in exact), raw
    for path, enc in exact.values():
        path.encode("utf-8")  # valid Unicode: no surrogate left
        assert "\ufffd" not in path
        assert enc in (None, "gb18030", "big5", UNKNOWN) or "+" in enc or enc == "utf-8"
    readable = {p for p, _ in exact.values()}
    for n in name_classes():
        if n.expect_text is not None:
            assert n.expect_text in readable
            assert f"members.zip/{n.expect_text}" in readable and f"members.tar/{n.expect_text}" in readable
    assert summary.new_exhibits == len(set(expected.values())) + 2  # every content, and the two containers


def test_undecodable_bytes_are_shown_escaped_and_recorded_in_custody(
        hostile_archive: tuple[Path, Path, dict[bytes, bytes], Summary]) -> None:
    root, _, _, _ = hostile_archive
    exact = _exact_paths(root)
    unknown = [(raw, p) for raw, (p, enc) in exact.items() if enc == UNKNOWN]
    assert unknown
    for _, p in unknown:
        assert "\\x" in p
    with Archive.open(root) as arch:
        events = [ev.as_json() for e in arch.exhibits() for ev in arch.custody_events(e.sha256)]
    hexes = {ev["details"].get("path_bytes") for ev in events if ev["event"] == "received"}
    assert {raw.hex() for raw, _ in unknown} <= hexes


def test_ls_show_and_the_summary_print_every_name_inert(
        hostile_archive: tuple[Path, Path, dict[bytes, bytes], Summary], tmp_path: Path) -> None:
    root, cache, _, _ = hostile_archive
    ls = _exhibit("ls", "--archive", str(root))
    assert ls.returncode == 0, ls.stderr
    _assert_inert(ls.stdout + ls.stderr)
    ls_json = _exhibit("ls", "--json", "--archive", str(root))
    assert ls_json.returncode == 0, ls_json.stderr
    _assert_inert(ls_json.stdout)
    items: list[dict[str, Any]] = json.loads(ls_json.stdout)
    assert items
    for e in items[::2]:  # every other exhibit: each `show` is a process of its own
        shown = _exhibit("show", e["id"], "--text", "--archive", str(root))
        assert shown.returncode == 0, shown.stderr
        _assert_inert(shown.stdout + shown.stderr)
    # the summary of an ingest with problems: a zip whose hostile members are flagged, and links
    again = tmp_path / "again"
    make_folder(again, name_classes(seed=99))
    make_links(again, tmp_path / "outside")
    res = _exhibit("ingest", str(again), "--archive", str(tmp_path / "a2"), "--no-ocr", "--jobs", "1")
    assert res.returncode == 0, res.stderr
    _assert_inert(res.stdout + res.stderr)
    assert "link" in res.stderr + res.stdout


def test_verify_passes_on_the_archive_of_hostile_names(
        hostile_archive: tuple[Path, Path, dict[bytes, bytes], Summary]) -> None:
    root, _, _, _ = hostile_archive
    res = _exhibit("verify", "--json", "--archive", str(root))
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["ok"]


def test_links_on_the_command_line_and_inside_folders_are_listed_alike_and_never_followed(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "real.txt").write_text("real file\n")
    targets = make_links(cache, tmp_path / "outside")
    named = tmp_path / "named-link"
    named.symlink_to(tmp_path / "outside")
    summary = _ingest(tmp_path / "archive", [cache, named, cache / "to-file"])
    links = {p["path"]: p for p in summary.problems if p["status"] == "link"}
    for name, target in targets.items():
        shown = for_terminal(f"{cache}/{name}")
        assert shown in links or f"{cache}/{name}" in links, (name, links.keys())
        entry = links.get(f"{cache}/{name}") or links[shown]
        assert entry["target"] == target and entry["id"] is None and target in (entry["reason"] or "")
    assert links[str(named)]["target"] == str(tmp_path / "outside")
    assert str(cache / "to-file") in links  # a file link named on the command line: listed, not followed
    assert summary.new_exhibits == 1  # real.txt only: nothing outside the cache was catalogued
    assert json.dumps(summary.as_json())  # and the --json summary carries them


def test_an_archive_made_before_path_bytes_gains_the_columns_on_open(tmp_path: Path) -> None:
    root = tmp_path / "old"
    Archive.init(root).close()
    with sqlite3.connect(root / "catalog.sqlite") as db:
        db.execute("ALTER TABLE paths DROP COLUMN path_bytes")
        db.execute("ALTER TABLE paths DROP COLUMN path_encoding")
    Archive.open(root).close()
    with sqlite3.connect(root / "catalog.sqlite") as db:
        cols = {r[1] for r in db.execute("PRAGMA table_info(paths)")}
    assert {"path_bytes", "path_encoding"} <= cols


def test_a_docx_media_part_named_to_leave_the_package_is_flagged_path_traversal(tmp_path: Path) -> None:
    import docx

    from exhibit.ingest.formats import IngestContext
    from exhibit.ingest.formats.docx import DocxIngestor

    path = tmp_path / "doc.docx"
    d = docx.Document()
    d.add_paragraph("body text")
    d.save(str(path))
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("word/media/../../../escape\u009b.png", b"\x89PNG not really")
    work = tmp_path / "w"
    work.mkdir()
    ext = DocxIngestor().ingest(path, IngestContext(workdir=work))
    flagged = [c for c in ext.children if c.status == "path_traversal"]
    assert flagged and ".." not in flagged[0].name.split("/")
    assert ext.status == "path_traversal"


def test_the_web_name_filter_shows_controls_and_bidi_as_marks() -> None:
    from exhibit.web.app import templates

    env = templates().env
    for n in name_classes():
        html = env.from_string("<li>{{ p|name }}</li>").render(p=n.raw.decode("utf-8", errors="surrogateescape"))
        _assert_inert(html)
        assert "<script" not in html


# -- properties over names -------------------------------------------------------------------------
_names = st.binary(min_size=1, max_size=48).filter(lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b".."))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(_names)
def test_any_name_bytes_give_a_readable_form_and_stay_recoverable(raw: bytes) -> None:
    name = of_bytes(raw)
    name.text.encode("utf-8")  # valid Unicode
    assert (name.raw if name.raw is not None else name.text.encode("utf-8")) == raw
    assert (name.raw is None) == (name.encoding is None)
    _assert_inert(for_terminal(name.text))
    _assert_inert(for_page(name.text))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_any_text_is_inert_for_the_terminal(s: str) -> None:
    shown = for_terminal(s)
    _assert_inert(shown)
    shown.encode("utf-8")
    if not any(c in UNSAFE_OUTPUT or "\ud800" <= c <= "\udfff" for c in s) and "\n" not in s:
        assert shown == s  # a harmless name is shown as it is


@settings(derandomize=True, max_examples=3, deadline=None)
@given(st.lists(_names, min_size=1, max_size=6, unique=True))
def test_any_member_names_in_a_zip_are_catalogued_with_their_bytes(tmp_path_factory: pytest.TempPathFactory,
                                                                   raws: list[bytes]) -> None:
    work = tmp_path_factory.mktemp("hz")
    cache = work / "cache"
    cache.mkdir()
    made = make_zip(cache / "h.zip", [HostileName(r, "hypothesis") for r in raws])
    root = work / "archive"
    summary = _ingest(root, [cache])
    assert summary.by_status  # the ingest finished
    exact = _exact_paths(root)
    for path, _ in exact.values():
        path.encode("utf-8")
    contents = set(made.values())
    assert summary.new_exhibits == len(contents) + 1
    for raw in made:
        # Every member is a path, found by its original bytes unless the name had to be made safe
        # (a leading '/', '..', '\\' or controls), when the catalogued path is different and still there.
        if b"\\" not in raw and not any(b < 0x20 or b == 0x7F for b in raw) and raw not in (b".", b".."):
            assert b"h.zip/" + raw in exact or any(k.startswith(b"h.zip/") for k in exact)
