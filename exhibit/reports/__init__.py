"""Reports whose every footnote resolves: check exhibit citations in Markdown and render them with an annex."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exhibit.archive import Archive
from exhibit.errors import UserError
from exhibit.reports.citations import Citation, CitationGroup, parse
from exhibit.reports.render import citation_url, prepare, to_html, write_docx, write_pdf
from exhibit.reports.translations import TranslationLink, link, links
from exhibit.reports.verify import CheckedCitation, ReportCheck, Severity, Verdict, check_text

__all__ = ["Citation", "CitationGroup", "CheckedCitation", "ReportCheck", "ReportHasErrors", "Rendered",
           "Severity", "TranslationLink", "Verdict", "check_report", "check_text", "citation_url", "link", "links",
           "parse", "read_report", "render_report"]

FORMATS = ("html", "docx", "pdf")


class ReportHasErrors(UserError):
    """Rendering refused: some citations do not resolve (render with force=True to mark them instead)."""

    def __init__(self, message: str, check: ReportCheck) -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True)
class Rendered:
    out: Path
    format: str
    sha256: str
    check: ReportCheck

    def as_json(self) -> dict[str, Any]:
        return {"out": str(self.out), "format": self.format, "sha256": self.sha256,
                "report_sha256": self.check.sha256, "citations": len(self.check.citations),
                "errors": self.check.errors, "warnings": self.check.warnings}


def read_report(path: Path) -> tuple[str, str]:
    """The report's text and the SHA-256 of its bytes."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such report file.") from None
    except IsADirectoryError:
        raise UserError(f"{path} is a folder; give the report's Markdown file.") from None
    try:
        return data.decode("utf-8"), hashlib.sha256(data).hexdigest()
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); save the report as UTF-8.") from None


def check_report(arch: Archive, path: Path) -> ReportCheck:
    """Check every exhibit citation of the Markdown report at `path`."""
    text, sha = read_report(path)
    return check_text(arch, text, str(path), sha)


def render_report(arch: Archive, path: Path, to: str, out: Path | None = None, force: bool = False,
                  viewer: str | None = None, actor: str | None = None) -> Rendered:
    """Check, then render to html|docx|pdf; records a `report_rendered` custody event with the report's
    and the output's SHA-256. Refuses (ReportHasErrors) when a citation does not resolve, unless `force`,
    which renders such footnotes marked NOT VERIFIED."""
    if to not in FORMATS:
        raise UserError(f"--to {to}: unknown format; choose one of {', '.join(FORMATS)}.")
    text, sha = read_report(path)
    check = check_text(arch, text, str(path), sha)
    if not check.ok and not force:
        raise ReportHasErrors(f"{path}: {check.errors} citation(s) do not check out; fix them "
                              "(`exhibit report check`) or render with --force to mark them NOT VERIFIED.", check)
    out = out or path.with_suffix(f".{to}")
    r = prepare(arch, check.text, check)
    if to == "html":
        out.write_text(to_html(r, viewer=viewer), encoding="utf-8")
    elif to == "docx":
        write_docx(r, out)
    else:
        write_pdf(r, out)
    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    arch.log_event("report_rendered", None, actor, {
        "report": str(path), "report_sha256": check.sha256, "format": to, "out": str(out), "out_sha256": sha,
        "citations": len(check.citations), "errors": check.errors, "warnings": check.warnings,
        "exhibits": [a.id for a in r.annex]})
    return Rendered(out, to, sha, check)
