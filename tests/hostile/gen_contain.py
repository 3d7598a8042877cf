"""Hostile files for containment by mechanism (issue 13, part "contain"): each generator returns the files
of a folder to ingest and what the ingest must make of the hostile one.

Each is a plain function of a seed: `Case.files` maps a relative path to its bytes (an ordinary file
beside the hostile one, so that a test can see the rest of the folder catalogued); `limits` are the
Limits fields to lower so that the case runs in seconds (the CLI option that raises each is in the
reason); `plugin` says the case needs the test-only ingestor of `contain_plugin.py` registered.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

MAGIC = b"EXHIBIT-HOSTILE-TEST "


@dataclass(frozen=True)
class Case:
    name: str                       # the hostile file's path in `files`
    files: dict[str, bytes]
    status: str                     # its expected status
    reason_words: tuple[str, ...]   # words its reason must hold (the limit and the option raising it)
    markers: tuple[str, ...]        # words that must be findable in what was kept of it
    others: tuple[str, ...]         # (path, marker) of the ordinary files, as "path:marker"
    limits: dict[str, int] = field(default_factory=dict)
    plugin: bool = False
    ocr: bool = False


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(5))


def _ordinary(rng: random.Random) -> tuple[dict[str, bytes], tuple[str, ...]]:
    files: dict[str, bytes] = {}
    others: list[str] = []
    for i in range(3):
        w = _word(rng)
        path = f"ordinary/note{i}.txt"
        files[path] = f"通知 {w} 第{i}号\n".encode()
        others.append(f"{path}:{w}")
    return files, tuple(others)


def _plugin_case(seed: int, mode: str, limits: dict[str, int], reason: tuple[str, ...]) -> Case:
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    name = f"odd/{_word(rng)}.hostile"
    files[name] = MAGIC + mode.encode() + b"\n" + bytes(rng.randrange(256) for _ in range(64))
    return Case(name, files, "expansion_limit", reason, (), others, limits, plugin=True)


def memory_hog(seed: int) -> Case:
    """A parser that holds ever more memory (the test sets `memory_bytes` from what it measured)."""
    return _plugin_case(seed, "memory", {}, ("memory limit", "--max-memory-mb"))


def cpu_spinner(seed: int) -> Case:
    return _plugin_case(seed, "cpu", {"cpu_seconds": 2}, ("2 s CPU-time limit", "--max-cpu-seconds"))


def sleeper(seed: int) -> Case:
    return _plugin_case(seed, "sleep", {"wall_seconds": 2}, ("2 s wall-time limit", "--max-seconds"))


def stuck_in_c(seed: int) -> Case:
    """Never gives Python control back: only the main process's watchdog can stop it."""
    return _plugin_case(seed, "stuck-in-c", {"wall_seconds": 2}, ("2 s wall-time limit", "--max-seconds", "killed"))


def scratch_one_file(seed: int) -> Case:
    return _plugin_case(seed, "scratch-one", {"scratch_bytes": 4 * 1024 * 1024},
                        ("scratch-disk limit", "--max-scratch-mb"))


def scratch_many_files(seed: int) -> Case:
    return _plugin_case(seed, "scratch-many", {"scratch_bytes": 4 * 1024 * 1024},
                        ("scratch-disk limit", "--max-scratch-mb"))


def csv_many_cells(seed: int, rows: int = 3000, cols: int = 1000) -> Case:
    """A CSV of millions of cells, streamed by the real CSV reader; the marker is in the first rows."""
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    out = io.StringIO()
    out.write(",".join([marker, *(f"c{j}" for j in range(cols - 1))]) + "\n")
    line = ",".join(str(j % 10) for j in range(cols)) + "\n"
    for _ in range(rows - 1):
        out.write(line)
    name = f"registers/{_word(rng)}.csv"
    files[name] = out.getvalue().encode()
    return Case(name, files, "expansion_limit", ("cell limit", "--max-cells"), (marker,), others,
                {"cells": rows * cols // 3})


def csv_many_rows(seed: int, rows: int = 60_000) -> Case:
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    body = "".join(f"{i},{rng.randrange(10**6)}\n" for i in range(rows))
    name = f"registers/{_word(rng)}.csv"
    files[name] = f"序号,{marker}\n{body}".encode()
    return Case(name, files, "expansion_limit", ("row limit", "--max-rows"), (marker,), others,
                {"rows": rows // 4})


def text_many_chars(seed: int, chars: int = 3_000_000) -> Case:
    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    line = "收押 人员 名单 " * 8 + "\n"
    name = f"documents/{_word(rng)}.txt"
    files[name] = (marker + "\n" + line * (chars // len(line))).encode()
    return Case(name, files, "expansion_limit", ("character limit", "--max-chars"), (marker,), others,
                {"chars": chars // 3})


def pdf_many_pages(seed: int, pages: int = 2000) -> Case:
    """A PDF of thousands of pages of text (the real PDF reader reads them all)."""
    import pymupdf

    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng)
    doc = pymupdf.open()
    for i in range(pages):
        page = doc.new_page(width=200, height=200)
        page.insert_text((20, 40), f"{marker if i == 0 else _word(rng)} page {i + 1}")
    name = f"documents/{_word(rng)}.pdf"
    files[name] = doc.tobytes()
    return Case(name, files, "expansion_limit", ("page limit", "--max-pages"), (marker,), others,
                {"pages": pages // 4})


def pdf_huge_page(seed: int, points: int = 4000) -> Case:
    """A scanned page of `points` x `points` pt: rendered for OCR at 300 dpi it would be 278 million
    pixels for 4000 pt. It must be rendered within Limits.image_pixels and read; the status is ok."""
    import pymupdf
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    files, others = _ordinary(rng)
    marker = _word(rng).upper()
    im = Image.new("L", (1600, 1600), 255)
    draw = ImageDraw.Draw(im)
    draw.text((100, 700), marker, fill=0, font=ImageFont.load_default(size=120))
    png = io.BytesIO()
    im.save(png, format="PNG")
    doc = pymupdf.open()
    page = doc.new_page(width=points, height=points)
    page.insert_image(page.rect, stream=png.getvalue())
    name = f"scans/{_word(rng)}.pdf"
    files[name] = doc.tobytes()
    return Case(name, files, "ok", (), (marker,), others, {"image_pixels": 4_000_000}, ocr=True)


PLUGIN_CASES = (memory_hog, cpu_spinner, sleeper, stuck_in_c, scratch_one_file, scratch_many_files)
REAL_PARSER_CASES = (csv_many_cells, csv_many_rows, text_many_chars, pdf_many_pages, pdf_huge_page)


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Write a case's files (relative path -> bytes) under `folder`."""
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
