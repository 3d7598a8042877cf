"""Format ingestors: one small module per format, each an `Ingestor` with a score; the best one wins.

The contract (modelled on Aleph's ingest-file): a class with MEDIA_TYPES, EXTENSIONS and SCORE and one
method `ingest(path, ctx) -> Extraction`. Expected failures are raised as exhibit.errors.FileProblem
subclasses (CorruptFile, Encrypted, EmptyFile, LimitExceeded, ...); the pipeline records them on the
exhibit. An ingestor never writes outside `ctx.workdir`.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import inspect
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import ClassVar, Protocol

from exhibit.config import DEFAULT_OCR_LANGS, Limits
from exhibit.ingest.types import Extraction


@dataclass
class ExpansionBudget:
    """Bytes inflated so far out of a top-level container's `Limits.total_bytes`, and members extracted
    out of its `Limits.total_members`. The pipeline hands the same budget to the contexts of nested
    containers so that the limits hold across the whole tree (a fan-out of zips multiplies members by
    each level); without one, each container counts against a budget of its own. `seen` holds the
    SHA-256 of every file of the tree already read: the same bytes met again are not read again."""

    total: int
    used: int = 0
    total_members: int = 500_000
    members: int = 0
    seen: set[str] = field(default_factory=set)


@dataclass
class IngestContext:
    """What an ingestor may use: limits, passwords to try, OCR languages, a private scratch folder,
    and the container nesting depth of the file being read."""

    workdir: Path
    limits: Limits = field(default_factory=Limits)
    passwords: tuple[str, ...] = ()
    ocr_langs: str = DEFAULT_OCR_LANGS
    depth: int = 0
    ocr: bool = True
    ocr_presence: bool = True  # images: a text-presence pass decides whether to OCR (ocr.presence)
    ocr_cache: Path | None = None  # SQLite file of OCR results keyed by image hash (in the archive folder)
    notes: list[str] = field(default_factory=list)  # e.g. "password used" (never the password itself)
    budget: ExpansionBudget | None = None  # shared by nested containers when the pipeline passes it on

    def expansion_budget(self) -> ExpansionBudget:
        """The budget containers count inflated bytes against (created on first use)."""
        if self.budget is None:
            self.budget = ExpansionBudget(self.limits.total_bytes, total_members=self.limits.total_members)
        return self.budget


def mark_traversal(ext: Extraction, traversal: list[str]) -> None:
    """Record members whose names tried to escape the extraction folder on the container (zip, tar)."""
    if not traversal:
        return
    ext.metadata["path_traversal"] = traversal
    if ext.status == "ok":
        ext.status = "path_traversal"
        ext.reason = "members named to escape the extraction folder: " + "; ".join(traversal[:5])


class Ingestor(Protocol):
    MEDIA_TYPES: ClassVar[tuple[str, ...]]
    EXTENSIONS: ClassVar[tuple[str, ...]]
    SCORE: ClassVar[int]

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction: ...


# The format modules, imported only when choose() is first called (no work at import time).
_MODULES = ("pdf", "docx", "doc", "xlsx", "xls", "text", "html", "email", "zip", "tar", "archives", "xml", "office", "fallback", "image")


@functools.cache
def ingestors() -> list[type[Ingestor]]:
    """Every available ingestor class, found once per process (it is asked for every file)."""
    found: list[type[Ingestor]] = []
    for name in _MODULES:
        module = importlib.import_module(f"exhibit.ingest.formats.{name}")
        for value in vars(module).values():
            if (isinstance(value, type) and value.__module__ == module.__name__
                    and hasattr(value, "SCORE") and hasattr(value, "MEDIA_TYPES") and hasattr(value, "ingest")):
                found.append(value)
    # Ingestors of other packages (part "contain" of issue 13: how its tests add a parser no one foresaw):
    # an installed distribution names an Ingestor class in the entry-point group "exhibit.ingestors".
    for entry in importlib.metadata.entry_points(group=PLUGIN_GROUP):
        found.append(entry.load())
    return found


PLUGIN_GROUP = "exhibit.ingestors"


_UNKNOWN = "application/octet-stream"  # detect.OCTET (detect imports this module)


def choose(media_type: str, name: str) -> Ingestor:
    """The ingestor with the highest SCORE for this media type (the extension only breaks ties and
    places files whose content was not recognised); the fallback keeps metadata only."""
    ext = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    best: tuple[int, int, type[Ingestor]] | None = None
    family = media_type.split("/", 1)[0] + "/*"
    for cls in ingestors():
        if media_type in cls.MEDIA_TYPES:
            rank = 2
        elif family in cls.MEDIA_TYPES:
            rank = 1
        elif media_type == _UNKNOWN and ext in cls.EXTENSIONS:
            rank = 1  # content not recognised (a plugin's own format): the extension places it
        elif "*/*" in cls.MEDIA_TYPES:
            rank = 0
        else:
            continue
        key = (rank * 1000 + cls.SCORE, 1 if ext in cls.EXTENSIONS else 0, cls)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None:
        raise LookupError(f"no ingestor for {media_type}")  # unreachable while fallback.py exists
    cls = best[2]
    # The ingestor sees only the blob, whose path has neither the file's name nor its extension: an
    # ingestor that reads several related types (CSV/TSV/TXT, EML/MBOX) or names what it finds after
    # the file (a CSV's table) asks for them in its constructor.
    wanted = inspect.signature(cls).parameters
    kwargs = {k: v for k, v in (("media_type", media_type), ("name", name)) if k in wanted}
    return cls(**kwargs)
