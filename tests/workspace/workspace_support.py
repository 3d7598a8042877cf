"""Generators for the workspace tests: invented words, and a small cache holding them in a PDF, a scan and a
register (never the sample corpus's strings)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exhibit.archive import Archive

SYLLABLES = ("ka", "zo", "ri", "mu", "te", "val", "dor", "nik", "sha", "pe", "lun", "gra", "ost", "ve")


def word(rng: random.Random, n: int = 3) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(n))


def sentence(rng: random.Random, n: int = 6) -> str:
    return " ".join(word(rng) for _ in range(n))


@dataclass(frozen=True)
class Cache:
    root: Path
    pdf: str                        # path of the text PDF
    pdf_lines: list[list[str]]      # its lines, per page
    scan: str                       # path of the scanned PNG (OCR)
    scan_lines: list[str]
    marker: str                     # a word on page 2 of the PDF only
    register: str                   # path of a CSV register of invented people
    people: list[Any]               # exhibit.demo.people.Person, in row order


def make_cache(root: Path, rng: random.Random) -> Cache:
    from exhibit.demo.files import platform_csv, scanned_notice_png, text_pdf
    from exhibit.demo.people import platform_people

    marker = word(rng, 4)
    pages = [[sentence(rng) for _ in range(5)] for _ in range(3)]
    pages[1][2] = f"{sentence(rng, 3)} {marker} {sentence(rng, 3)}"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "report.pdf").write_bytes(text_pdf(pages, "report", cjk=False))
    scan_lines = ["NOTICE " + word(rng).upper(), *(sentence(rng, 4) for _ in range(3))]
    (root / "scans").mkdir()
    (root / "scans" / "notice.png").write_bytes(scanned_notice_png(scan_lines, seed=rng.randrange(1000)))
    for k in range(3):
        (root / "docs" / f"memo_{k}.txt").write_text(f"{sentence(rng)}\n{sentence(rng)}\n", encoding="utf-8")
    people = platform_people(rng, 8)
    (root / "registers").mkdir()
    (root / "registers" / "list.csv").write_bytes(platform_csv(people))
    return Cache(root, "docs/report.pdf", pages, "scans/notice.png", scan_lines, marker, "registers/list.csv", people)


def seq_of(arch: Archive, path: str) -> int:
    for ex in arch.exhibits():
        if path in ex.path_names:
            return ex.seq
    raise AssertionError(f"{path} not in the archive")


ROLES = ("viewer", "investigator", "admin")


def add_users(root: Path, names: dict[str, str]) -> dict[str, str]:
    """Accounts {name: role}; {name: password}."""
    from exhibit.web import accounts

    pw: dict[str, str] = {}
    with Archive.open(root) as arch:
        for name, role in names.items():
            pw[name] = accounts.generate_password()
            accounts.add_user(arch, name, role, pw[name], actor="pytest")
    return pw
