"""A stub of helper B's forensics module (branch docsb), only so that the dossier runs before B's branch
lands: B's module replaces this file whole."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive


@dataclass(frozen=True)
class Finding:
    code: str
    detail: str
    page: int | None
    evidence: Any

    def as_json(self) -> dict[str, Any]:
        return {"code": str(self.code), "detail": self.detail, "page": self.page, "evidence": self.evidence}


def findings(arch: Archive, seq: int) -> list[Finding]:
    """B's file forensics; none here."""
    return []
