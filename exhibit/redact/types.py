"""Redaction's typed values: what a region removes, why it was proposed, what verification checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from exhibit.errors import ExhibitError, UserError


class Kind(StrEnum):
    """What a region removes (the redaction log says this, never the value)."""

    NAME = "name"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    ADDRESS = "address"
    BOX = "box"            # a rectangle a person drew


class Origin(StrEnum):
    """Why a region was proposed: what the page carries, never a judgement of the person."""

    RECORD = "record"      # a person record's name, ID number or address (or a relative's name in it)
    LINK = "link"          # another spelling of a record's name, from its link cluster
    PATTERN = "pattern"    # an ID-number, phone or address pattern in the page's text
    DRAWN = "drawn"        # a box a person drew


class Pattern(StrEnum):
    """The patterns `--patterns` may name."""

    ID = "id"
    PHONE = "phone"
    ADDRESS = "address"

    @property
    def kind(self) -> Kind:
        return {Pattern.ID: Kind.ID_NUMBER, Pattern.PHONE: Kind.PHONE, Pattern.ADDRESS: Kind.ADDRESS}[self]

    @classmethod
    def parse(cls, spec: str) -> tuple[Pattern, ...]:
        """"id,phone" -> (ID, PHONE); an unknown name is refused with the ones there are."""
        out: list[Pattern] = []
        for part in (p.strip().lower() for p in spec.split(",")):
            if not part:
                continue
            try:
                out.append(cls(part))
            except ValueError:
                raise UserError(f"--patterns {spec!r}: {part!r} is not a pattern; choose from "
                                f"{', '.join(p.value for p in cls)}.") from None
        return tuple(dict.fromkeys(out))


class Check(StrEnum):
    """The checks a redacted copy passes before it leaves exhibit."""

    PYMUPDF_TEXT = "pymupdf_text"      # PyMuPDF's text extraction of every page
    POPPLER_TEXT = "poppler_text"      # poppler's pdftotext of every page
    OCR = "ocr"                        # OCR of the rendered page (pages with images, or every page)
    RAW_BYTES = "raw_bytes"            # what `strings` finds: the file's bytes in UTF-8, UTF-16, GB18030
    STREAMS = "streams"                # every PDF object and decompressed stream
    METADATA = "metadata"              # document info, XMP, EXIF, comments
    ATTACHMENTS = "attachments"        # embedded files, annotations, form fields, thumbnails
    REVISIONS = "revisions"            # earlier incremental revisions (one %%EOF, one startxref)
    COVERED = "covered"                # every region is filled on the rendered page


class Hidden(StrEnum):
    """Places of the original outside the visible pages that can hold a name: removed wholesale."""

    METADATA = "metadata"
    ATTACHMENT = "attachment"
    ANNOTATION = "annotation"
    REVISION = "revision"
    EXIF = "exif"


@dataclass(frozen=True)
class Box:
    """A rectangle on a page: PDF points from the top left (PyMuPDF's page space), or image pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, x0: float, y0: float, x1: float, y1: float) -> Box:
        return cls(round(min(x0, x1), 2), round(min(y0, y1), 2), round(max(x0, x1), 2), round(max(y0, y1), 2))

    def padded(self, by: float) -> Box:
        return Box.of(self.x0 - by, self.y0 - by, self.x1 + by, self.y1 + by)

    def union(self, other: Box) -> Box:
        return Box.of(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def intersects(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    @property
    def empty(self) -> bool:
        return self.x1 - self.x0 <= 0 or self.y1 - self.y0 <= 0

    def as_list(self) -> list[float]:
        return [self.x0, self.y0, self.x1, self.y1]


@dataclass(frozen=True)
class Region:
    """One place to redact. `value` is the text it removes (kept in memory for verification only: the
    redaction log and the custody event never carry it); `ref` says which record or pattern proposed it."""

    page: int
    box: Box
    kind: Kind
    origin: Origin
    ref: str | None = None
    value: str | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """A stable name for the region, which the web form sends back to confirm it."""
        return f"{self.page}:{self.kind}:{','.join(f'{v:g}' for v in self.box.as_list())}"

    def as_json(self, value: bool = False) -> dict[str, Any]:
        """The redaction log's entry: what kind of thing was removed where; the value only on request
        (a proposal listing for the person confirming it)."""
        out: dict[str, Any] = {"key": self.key, "page": self.page, "box": self.box.as_list(),
                               "kind": str(self.kind), "origin": str(self.origin), "ref": self.ref}
        if value:
            out["value"] = self.value
        return out


@dataclass(frozen=True)
class Secret:
    """A string the copy must not contain, and what it is (for a finding that does not repeat it)."""

    value: str
    kind: Kind
    ref: str | None


@dataclass(frozen=True)
class HiddenFind:
    """A proposed string found outside the visible pages of the original (removed with that place)."""

    where: Hidden
    kind: Kind
    ref: str | None
    value: str = field(repr=False)

    def as_json(self) -> dict[str, Any]:
        return {"where": str(self.where), "kind": str(self.kind), "ref": self.ref}


@dataclass(frozen=True)
class Plan:
    """What a redaction of one exhibit removes: the pages kept, the regions, and the proposed strings
    found in places that are removed wholesale."""

    seq: int
    pages: tuple[int, ...]
    regions: tuple[Region, ...]
    hidden: tuple[HiddenFind, ...] = ()

    def secrets(self) -> tuple[Secret, ...]:
        """The distinct strings the copy must not hold (values too short to search for are left to the
        `covered` check)."""
        seen: dict[str, Secret] = {}
        for r in self.regions:
            if r.value:
                seen.setdefault(r.value, Secret(r.value, r.kind, r.ref))
        for h in self.hidden:
            seen.setdefault(h.value, Secret(h.value, h.kind, h.ref))
        return tuple(seen.values())

    def log(self) -> dict[str, Any]:
        """The redaction log for the report's annex: counts by kind, each region without its value."""
        counts: dict[str, int] = {}
        for r in self.regions:
            counts[str(r.kind)] = counts.get(str(r.kind), 0) + 1
        return {"pages": list(self.pages), "counts": counts, "regions": [r.as_json() for r in self.regions],
                "hidden": [h.as_json() for h in self.hidden]}


@dataclass(frozen=True)
class Finding:
    """Something a check found. `detail` names the kind and the proposing record, never the value."""

    check: Check
    page: int | None
    kind: Kind | None
    ref: str | None
    detail: str

    def as_json(self) -> dict[str, Any]:
        return {"check": str(self.check), "page": self.page, "kind": None if self.kind is None else str(self.kind),
                "ref": self.ref, "detail": self.detail}


@dataclass(frozen=True)
class CheckResult:
    check: Check
    ran: bool                     # False when the check does not apply (no text layer in a JPEG)
    units: int                    # pages, streams or fields looked at
    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_json(self) -> dict[str, Any]:
        return {"check": str(self.check), "ok": self.ok, "ran": self.ran, "units": self.units,
                "findings": [f.as_json() for f in self.findings]}


@dataclass(frozen=True)
class Verification:
    """The result of every check on one file; `ok` only when none found anything."""

    file: str
    sha256: str
    secrets: int
    checks: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for c in self.checks for f in c.findings)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "file": self.file, "sha256": self.sha256, "secrets": self.secrets,
                "checks": [c.as_json() for c in self.checks]}


@dataclass(frozen=True)
class RedactedCopy:
    """A verified redacted copy, stored as a derived exhibit of its original."""

    original: str
    original_sha256: str
    id: str
    sha256: str
    path: str
    out: str | None
    plan: Plan
    verification: Verification

    def as_json(self) -> dict[str, Any]:
        return {"original": self.original, "original_sha256": self.original_sha256, "id": self.id,
                "sha256": self.sha256, "path": self.path, "out": self.out, "log": self.plan.log(),
                "verification": self.verification.as_json()}


class RedactionUnverified(ExhibitError):
    """A redacted copy failed verification: it is not written, and the findings say what remained."""

    status = "failed"

    def __init__(self, message: str, verification: Verification) -> None:
        super().__init__(message)
        self.verification = verification
