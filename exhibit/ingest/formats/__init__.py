"""Format ingestors: one small module per format, each an `Ingestor` with a score; the best one wins.

The contract (modelled on Aleph's ingest-file): a class with MEDIA_TYPES, EXTENSIONS and SCORE and one
method `ingest(path, ctx) -> Extraction`. Expected failures are raised as exhibit.errors.FileProblem
subclasses (CorruptFile, Encrypted, EmptyFile, LimitExceeded, ...); the pipeline records them on the
exhibit. An ingestor never writes outside `ctx.workdir`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Protocol

from exhibit.config import Limits
from exhibit.ingest.types import Extraction


@dataclass
class IngestContext:
    """What an ingestor may use: limits, passwords to try, OCR languages, a private scratch folder,
    and the container nesting depth of the file being read."""

    workdir: Path
    limits: Limits = field(default_factory=Limits)
    passwords: tuple[str, ...] = ()
    ocr_langs: str = "chi_sim+uig+eng"
    depth: int = 0
    ocr: bool = True
    ocr_cache: Path | None = None  # SQLite file of OCR results keyed by image hash (in the archive folder)
    notes: list[str] = field(default_factory=list)  # e.g. "password used" (never the password itself)


class Ingestor(Protocol):
    MEDIA_TYPES: ClassVar[tuple[str, ...]]
    EXTENSIONS: ClassVar[tuple[str, ...]]
    SCORE: ClassVar[int]

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction: ...
