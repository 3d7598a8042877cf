"""A stub of helper B's versions module (branch docsb), only so that documents.sync and the dossier run
before B's branch lands: B's module replaces this file whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive
from exhibit.progress import SILENT, Progress


@dataclass(frozen=True)
class Similar:
    id: str
    similarity: float

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "similarity": self.similarity}


def sync(arch: Archive, progress: Progress = SILENT) -> None:
    """B's signatures at ingest; nothing here."""


def similar(arch: Archive, seq: int, threshold: float | None = None) -> list[Similar]:
    """B's near-duplicates; none here."""
    return []
