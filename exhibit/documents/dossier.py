"""The dossier of one exhibit: its anatomy, format findings, file forensics, versions and references in one
object, for `exhibit dossier ID --json`, the web viewer and the evidentiary annex of a rendered report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exhibit.archive import Archive, Exhibit
from exhibit.documents import anatomy as read_anatomy
from exhibit.documents import findings as format_findings
from exhibit.documents.anatomy import Anatomy
from exhibit.documents.refs import References, references
from exhibit.documents.standard import Finding

NOTE = ("Findings describe the document and the file, never a person; none is a verdict of forgery. Each "
        "says what was observed, where, and why it matters, and is informational until a person judges it.")


@dataclass(frozen=True)
class Dossier:
    exhibit: Exhibit
    anatomy: Anatomy
    findings: tuple[Finding, ...]      # format checks and shared document numbers
    forensics: tuple[Any, ...]         # exhibit.documents.forensics.Finding
    versions: tuple[Any, ...]          # exhibit.documents.versions.Similar
    references: References

    def as_json(self) -> dict[str, Any]:
        return {"id": self.exhibit.id, "sha256": self.exhibit.sha256, "path": self.exhibit.path,
                "title": self.exhibit.title, "note": NOTE,
                "anatomy": self.anatomy.as_json(self.exhibit.id),
                "findings": [f.as_json() for f in self.findings],
                "forensics": [f.as_json() for f in self.forensics],
                "versions": [v.as_json() for v in self.versions],
                "references": self.references.as_json()}


def dossier(arch: Archive, seq: int) -> Dossier:
    from exhibit.documents import forensics, versions

    return Dossier(arch.exhibit(seq), read_anatomy(arch, seq), tuple(format_findings(arch, seq)),
                   tuple(forensics.findings(arch, seq)), tuple(versions.similar(arch, seq)),
                   references(arch, seq))
