"""A header no vocabulary foresaw: `records extract` names it, its register and column, and suggests the
mapping line that maps it; that line, in a mapping file, does map it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import gen_registers as gen  # noqa: E402
from scratch import add_file, make_archive  # noqa: E402

from exhibit.archive import Archive  # noqa: E402
from exhibit.records import extract  # noqa: E402

CASES = list(gen.unforeseen_headers())
BASE = gen.Variant("zh", "none", "plain", "filler_zh", "plain", "dots", "csv_utf8")


def _register(i: int, header: str, field: str, people: gen.People) -> gen.Register:
    lang = "zh" if not header.isascii() and not any("\u0600" <= c <= "\u06ff" for c in header) else \
        ("en" if header.isascii() else "ug")
    spelling = {"zh": "zh", "en": "en", "ug": "ug"}[lang]
    reg = gen.build(replace(BASE, spelling=spelling), people, 500 + i)
    col = reg.fields.index(field)
    top = reg.header_rows[0]
    rows = [list(r) for r in reg.rows]
    rows[top][col] = header
    return replace(reg, filename=f"unforeseen_{i:03d}.csv", rows=rows)


@pytest.fixture(scope="module")
def unforeseen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Archive, dict[str, Any], Path]]:
    root = tmp_path_factory.mktemp("unforeseen")
    arch = make_archive(root / "archive")
    people = gen.People(7)
    for i, (header, field) in enumerate(CASES):
        reg = _register(i, header, field, people)
        add_file(arch, gen.write(reg, root), reg.filename, root / "work")
    summary = extract(arch)
    yield arch, {r["path"]: r for r in summary["registers"]}, root
    arch.close()


@pytest.mark.parametrize(("i", "header", "field"), [(i, h, f) for i, (h, f) in enumerate(CASES)],
                         ids=[h for h, _ in CASES])
def test_an_unforeseen_header_is_mapped_or_named_with_the_line_that_maps_it(
        unforeseen: tuple[Archive, dict[str, Any], Path], i: int, header: str, field: str) -> None:
    _, regs, _ = unforeseen
    reg = regs[f"unforeseen_{i:03d}.csv"]
    col = gen.FIELDS.index(field)
    assert reg["status"] == "register"
    if list(reg["columns"].values())[col] == field:
        assert not any(u["column"] == col + 1 for u in reg["unmapped"])
        return
    (u,) = [u for u in reg["unmapped"] if u["column"] == col + 1]
    assert u["header"] == header
    assert reg["path"] in u["message"] and reg["id"] in u["message"] and u["mapping"] in u["message"]
    bare = gen.SPELLINGS["en" if header.isascii() else "zh"].get(field, "")
    if len(header) - len(bare) > 1 and len(bare) > 1:
        # a qualifier before a word the vocabulary knows: the suggestion is that word's field
        assert u["suggestion"] == field, u
    assert u["mapping"] == f"{header}: {u['suggestion'] or 'FIELD'}" or u["mapping"].startswith(f"'{header}'")


def test_the_suggested_lines_in_a_mapping_file_map_every_header(unforeseen: tuple[Archive, dict[str, Any], Path]
                                                                ) -> None:
    arch, regs, root = unforeseen
    lines = [u["mapping"] for r in regs.values() for u in r["unmapped"] if u["suggestion"]]
    assert lines
    m = root / "mapping.yaml"
    m.write_text("headers:\n" + "".join(f"  {line}\n" for line in lines), encoding="utf-8")
    again = {r["path"]: r for r in extract(arch, mapping=m)["registers"]}
    for i, (header, field) in enumerate(CASES):
        reg = again[f"unforeseen_{i:03d}.csv"]
        before = regs[f"unforeseen_{i:03d}.csv"]
        suggested = [u for u in before["unmapped"] if u["header"] == header and u["suggestion"]]
        if suggested:
            assert list(reg["columns"].values())[gen.FIELDS.index(field)] == field
            assert not [u for u in reg["unmapped"] if u["header"] == header]


def test_records_extract_prints_which_header_in_which_register_and_the_line(tmp_path: Path) -> None:
    header, field = next((h, f) for h, f in CASES if f == "age" and not h.isascii())
    root = tmp_path / "archive"
    arch = make_archive(root)
    reg = _register(0, header, field, gen.People(3))
    add_file(arch, gen.write(reg, tmp_path), reg.filename, tmp_path / "work")
    arch.close()
    out = subprocess.run([sys.executable, "-c", "from exhibit.cli.main import main; main()", "records", "extract",
                          "--archive", str(root)], capture_output=True, text=True, timeout=120,
                         env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path.cwd())})
    assert out.returncode == 0, out.stderr
    said = " ".join((out.stdout + out.stderr).split())
    assert header in said and reg.filename in said and f"{header}: age" in said and "--mapping" in said
