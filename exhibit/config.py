"""One configuration object, built explicitly and passed in: limits, languages, parallelism."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# Chinese (simplified), Uyghur (Arabic script), English: the languages of the leaks this archive is for.
DEFAULT_OCR_LANGS = "chi_sim+uig+eng"


@dataclass(frozen=True)
class Limits:
    """Expansion limits for containers and images; reaching one marks the exhibit `expansion_limit`."""

    # A million-row register's sheet XML is several hundred MB: the byte limits are set above what real
    # registers reach, and the ratio limit is what stops a bomb (its zeros compress 1000:1).
    member_bytes: int = 4 * 1024 * 1024 * 1024  # largest single member we inflate
    total_bytes: int = 16 * 1024 * 1024 * 1024  # all members of one top-level container together
    ratio: float = 200.0                        # uncompressed / compressed, per member
    depth: int = 8                              # nesting of containers
    members: int = 50_000                       # members per container
    # Members of a top-level file and the containers inside it together: zips whose entries all point at
    # one inner zip multiply the members by each level (issue 13, "fan-out"), which `members` cannot see.
    total_members: int = 500_000
    # Columns per table row (Excel's own maximum is 16,384): one CSV line of ten million columns would
    # otherwise be held whole in memory before the cell limit could apply.
    columns: int = 16_384
    # Cells an HTML table's colspan/rowspan may add by repeating a cell (a 10 KB page of spans of 1,000
    # made 1.6 GiB): beyond it, cells keep their text once.
    span_cells: int = 1_000_000
    image_pixels: int = 89_478_485              # Pillow's own default MAX_IMAGE_PIXELS (and PDF pages rendered for OCR)
    # Containment by mechanism (issue 13, part "contain"): limits the worker process and the ingest driver
    # enforce whatever the format, behind the per-format guards above. Each has an `exhibit ingest` option.
    # An ordinary ingest of the dev cache with OCR peaks at 1.7 GB of address space (0.93 GB resident) per
    # worker: 8 GiB leaves room for a million-row sheet and OCR of a page at the pixel limit.
    memory_bytes: int = 8 * 1024 * 1024 * 1024  # address space per worker process (RLIMIT_AS)
    cpu_seconds: int = 600                      # CPU time per top-level file, members included
    wall_seconds: int = 900                     # wall-clock time per top-level file, members included
    scratch_bytes: int = 16 * 1024 * 1024 * 1024  # scratch disk per top-level file (its work folder, any one file)
    pages: int = 100_000                        # pages kept per exhibit
    chars: int = 256 * 1024 * 1024              # characters of page text kept per exhibit
    rows: int = 10_000_000                      # table rows kept per exhibit (all its tables together)
    cells: int = 200_000_000                    # table cells kept per exhibit (all its tables together)


@dataclass(frozen=True)
class Config:
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    spark: str | None = None  # a Spark master URL (`local[2]`, `spark://host:7077`): parse on Spark, not in local workers
    ocr_langs: str = DEFAULT_OCR_LANGS
    ocr: bool = True
    ocr_presence: bool = True  # images OCR'd only where a text-presence pass finds text (ocr.presence)
    passwords: tuple[str, ...] = ()
    custodian: str | None = None
    source: str | None = None
    limits: Limits = field(default_factory=Limits)


def default_archive_path() -> Path:
    """`--archive` default per the product contract: $EXHIBIT_ARCHIVE, else ./exhibit-archive."""
    return Path(os.environ.get("EXHIBIT_ARCHIVE") or "exhibit-archive")
