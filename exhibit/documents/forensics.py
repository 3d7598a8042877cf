"""File forensics: what the bytes of a PDF, an Office file or a photo say about how it was made and changed.

Every finding says what was observed, where, and why it matters; none is a verdict of forgery, and all
describe files, never people. Findings are computed from the stored bytes when asked for (nothing to go
stale); only the revisions of incrementally saved PDFs are extracted at sync, as derived exhibits, because
they become exhibits of their own (searchable, citable, signed for versions).
"""

from __future__ import annotations

import io
import json
import mmap
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any

import pymupdf
from PIL import ExifTags, Image, UnidentifiedImageError

from exhibit.archive import Archive, Exhibit, ex_id
from exhibit.archive.writer import IngestWriter, StoredFile
from exhibit.documents import fonts
from exhibit.documents.textdiff import Op, diff_pages
from exhibit.documents.versions_store import Revision, VersionsStore
from exhibit.progress import SILENT, Progress

_MUPDF_ERRORS: tuple[type[Exception], ...] = (RuntimeError, ValueError, pymupdf.mupdf.FzErrorBase)
_IMAGE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, KeyError, TypeError)
PDF = "application/pdf"
OOXML = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation")

OLE = ("application/msword", "application/vnd.ms-powerpoint", "application/vnd.ms-excel")
_OLE_PROPERTIES = ("author", "last_modified_by", "company", "creator", "creation_date", "modification_date")


class FindingCode(StrEnum):
    """What a finding is about; `why` says why it matters (shown with the finding)."""

    PDF_REVISIONS = "pdf_revisions"
    PDF_REVISION_CHANGED_TEXT = "pdf_revision_changed_text"
    PDF_INFO_XMP_DIFFER = "pdf_info_xmp_differ"
    PDF_SOFTWARE = "pdf_software"
    PDF_CONVERTED = "pdf_converted"
    PDF_JAVASCRIPT = "pdf_javascript"
    PDF_FORM = "pdf_form"
    PDF_EMBEDDED_FILES = "pdf_embedded_files"
    FONT_RELEASED_AFTER_DATE = "font_released_after_date"
    CREATED_AFTER_MODIFIED = "created_after_modified"
    DATE_AFTER_RECEIVED = "date_after_received"
    OFFICE_PROPERTIES = "office_properties"
    OFFICE_NO_EDITING_TIME = "office_no_editing_time"
    EXIF_ORIGINAL_VS_MODIFIED = "exif_original_vs_modified"
    EXIF_GPS_TIME_DIFFERS = "exif_gps_time_differs"
    FILENAME_TIME_DIFFERS = "filename_time_differs"
    CAMERA_DIFFERS_IN_BATCH = "camera_differs_in_batch"
    EDITING_SOFTWARE = "editing_software"
    THUMBNAIL_DIFFERS = "thumbnail_differs"

    @property
    def why(self) -> str:
        return _WHY[self]


_WHY: dict[FindingCode, str] = {
    FindingCode.PDF_REVISIONS: "a PDF saved incrementally keeps every earlier state of itself: what it said "
                               "before each save can be read again (each is extracted as an exhibit)",
    FindingCode.PDF_REVISION_CHANGED_TEXT: "the text changed between two saves of the same file: the earlier "
                                           "wording is part of the evidence",
    FindingCode.PDF_INFO_XMP_DIFFER: "a PDF carries its metadata twice (Info dictionary and XMP); tools that "
                                     "edit one and not the other leave them disagreeing",
    FindingCode.PDF_SOFTWARE: "the programs that made and wrote the file, to compare with what the issuing "
                              "office is known to use",
    FindingCode.PDF_CONVERTED: "a PDF made from another format keeps only what was shown: the original's "
                               "properties and structure are not in it",
    FindingCode.PDF_JAVASCRIPT: "scripts in a PDF can change what is shown or call out when it is opened",
    FindingCode.PDF_FORM: "form fields can be filled in after the document was made",
    FindingCode.PDF_EMBEDDED_FILES: "files inside the PDF are exhibits of their own and may be earlier drafts",
    FindingCode.FONT_RELEASED_AFTER_DATE: "a font cannot have set a document before the font was released",
    FindingCode.CREATED_AFTER_MODIFIED: "a file cannot be modified before it was created: a clock, a "
                                        "conversion or an edit of the metadata set one of them",
    FindingCode.DATE_AFTER_RECEIVED: "a date after the cache was received cannot be the file's own: a clock "
                                     "was wrong or the metadata was written later",
    FindingCode.OFFICE_PROPERTIES: "who the software says wrote and last saved the file, with which template "
                                   "and for how long: to compare with the document's claimed origin",
    FindingCode.OFFICE_NO_EDITING_TIME: "saved several times with no editing time is what a program or a "
                                        "conversion writes, not a person typing",
    FindingCode.EXIF_ORIGINAL_VS_MODIFIED: "the picture was written again after it was taken (edited, "
                                           "re-saved or its metadata changed)",
    FindingCode.EXIF_GPS_TIME_DIFFERS: "the satellite clock (UTC) and the camera clock should differ by a "
                                       "time-zone offset; other gaps mean one of them was changed",
    FindingCode.FILENAME_TIME_DIFFERS: "phones and apps name a photo after the moment it was taken; a name "
                                       "and EXIF that disagree mean a copy, a rename or an edited date",
    FindingCode.CAMERA_DIFFERS_IN_BATCH: "photos said to come from one source and one device that name "
                                         "another camera may come from elsewhere",
    FindingCode.EDITING_SOFTWARE: "the picture was last written by an editor, not by the camera",
    FindingCode.THUMBNAIL_DIFFERS: "the camera's thumbnail shows a different picture than the image: the "
                                   "image was changed and the thumbnail left as it was",
}


@dataclass(frozen=True)
class Finding:
    """What was observed (`detail`), where (`page`, and `evidence`: the values, byte offsets, other exhibits)."""

    code: FindingCode
    detail: str
    page: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"code": str(self.code), "detail": self.detail, "page": self.page, "evidence": self.evidence,
                "why": self.code.why}


# -- dates ---------------------------------------------------------------------------------------
_ISOISH = re.compile(r"(\d{4})[-:/.](\d{2})[-:/.](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?")


def instant(value: object) -> datetime | None:
    """An ISO 8601, EXIF or PDF (`D:2017...`) date as a datetime (aware when the value has a zone)."""
    if not isinstance(value, str):
        return None
    s = value.strip()
    if s.startswith("D:"):
        m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?", s)
        if not m:
            return None
        y, mo, d, h, mi, sec, tz = m.groups()
        s = f"{y}-{mo or '01'}-{d or '01'}T{h or '00'}:{mi or '00'}:{sec or '00'}"
        if tz:
            s += "Z" if tz in "Zz" else tz[:3] + ":" + tz.replace("'", "")[3:5]
    m = _ISOISH.match(s)
    if not m:
        return None
    y, mo, d, h, mi, sec, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))
    except ValueError:
        return None
    if tz:
        if tz == "Z":
            return dt.replace(tzinfo=UTC)
        sign = 1 if tz[0] == "+" else -1
        hh, mm = int(tz[1:3]), int(tz[-2:])
        return dt.replace(tzinfo=UTC) - sign * timedelta(hours=hh, minutes=mm)
    return dt


def _cmp(a: datetime, b: datetime) -> tuple[datetime, datetime]:
    """Two dates made comparable: a date without a zone is taken as UTC (the difference is at most a day)."""
    return a.replace(tzinfo=None) if a.tzinfo is None else a.astimezone(UTC).replace(tzinfo=None), \
        b.replace(tzinfo=None) if b.tzinfo is None else b.astimezone(UTC).replace(tzinfo=None)


def _later(a: datetime, b: datetime, slack: timedelta) -> bool:
    x, y = _cmp(a, b)
    return x - y > slack


# -- PDF revisions -------------------------------------------------------------------------------
_EOF = re.compile(rb"%%EOF[ \t]*(?:\r\n|\r|\n)?")


def revision_ends(data: bytes | mmap.mmap) -> list[int]:
    """Where each revision of a PDF ends (just after its `%%EOF`): an incremental save appends a body, an
    xref section and a trailer ending in `%%EOF` to the bytes before. A linearized file's first `%%EOF`
    closes its first-page section, not a revision, and is skipped."""
    ends = []
    prev = 0
    for m in _EOF.finditer(data):
        if data.rfind(b"startxref", prev, m.start()) >= 0:
            ends.append(m.end())
            prev = m.end()
    if len(ends) > 1 and b"/Linearized" in data[:1024]:
        ends = ends[1:]
    if ends and data[ends[-1]:].strip(b"\x00\r\n\t ") == b"":
        ends[-1] = len(data)
    return ends


def _page_texts(data: bytes) -> list[tuple[int, str]]:
    try:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return [(i + 1, doc.load_page(i).get_text("text", sort=True)) for i in range(doc.page_count)]
    except _MUPDF_ERRORS:
        return []


def extract_revisions(arch: Archive, seqs: Iterable[int], progress: Progress = SILENT) -> None:
    """Find the revisions of the PDFs among `seqs` not examined yet and catalogue each earlier revision
    as an exhibit derived from the file (path `<file's path>/revision-K-of-N.pdf`)."""
    store = VersionsStore(arch)
    for ex in arch.exhibits(list(seqs)):
        if ex.media_type != PDF or store.examined(ex.seq) or store.revision_of(ex.seq) is not None:
            continue
        path = arch.blob_path(ex.sha256)
        if not path.exists() or path.stat().st_size == 0:
            continue
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
            ends = revision_ends(view)  # scanned in place: a PDF of a gigabyte is not read into memory
        revisions: list[Revision] = []
        if len(ends) > 1:
            data = path.read_bytes()
            progress.note(f"{ex.id}: {len(ends)} revisions")
            with arch.custody_batch() as log:
                writer = IngestWriter(arch, "exhibit documents", ex.paths[0].root or "", ex.paths[0].source)
                start = 0
                for k, end in enumerate(ends, 1):
                    if k == len(ends):
                        revisions.append(Revision(k, start, end, ex.sha256, ex.seq))
                        break
                    part = data[:end]
                    sha, size = arch.blobs.put_bytes(part)
                    pages = _page_texts(part)
                    meta = {"revision_of": ex.id, "revision": k, "revisions": len(ends), "bytes": [0, end]}
                    stored = StoredFile(name=f"revision-{k}-of-{len(ends)}.pdf", sha256=sha, size=size,
                                        media_type=PDF, pages=[(n, t, "text", None, "{}") for n, t in pages],
                                        metadata_json=json.dumps(meta), title=ex.title, doc_date=ex.doc_date)
                    written = writer.write_derived(log, stored, f"{ex.path}/{stored.name}", ex.seq)
                    derived = written[0].seq if written else None
                    revisions.append(Revision(k, start, end, sha, derived))
                    start = end
                store.put_revisions(ex.seq, revisions)
        else:
            with arch.transaction():
                store.put_revisions(ex.seq, [])


def _revision_findings(arch: Archive, ex: Exhibit, store: VersionsStore) -> list[Finding]:
    revs = store.revisions(ex.seq)
    if len(revs) < 2:
        return []
    out = [Finding(FindingCode.PDF_REVISIONS,
                   f"the file holds {len(revs)} revisions (saved {len(revs) - 1} times incrementally); they start "
                   f"at bytes {', '.join(str(r.start) for r in revs)}",
                   None, {"revisions": [{"number": r.number, "start": r.start, "end": r.end, "sha256": r.sha256,
                                         "id": ex_id(r.derived_seq) if r.derived_seq else None} for r in revs]})]
    texts = {r.number: ([(p.number, p.text) for p in arch.pages(r.derived_seq)] if r.derived_seq and
                        r.derived_seq != ex.seq else _page_texts(arch.blob_path(ex.sha256).read_bytes()))
             for r in revs}
    for before, after in zip(revs, revs[1:], strict=False):
        d = diff_pages(texts[before.number], texts[after.number])
        changes: list[dict[str, Any]] = []
        for r in d.changed:
            seg = r.right or r.left
            changes.append({"op": str(r.op), "page": seg.page if seg else None,
                            "before": r.left.text if r.left else None, "after": r.right.text if r.right else None})
        if not changes:
            continue
        first = changes[0]
        out.append(Finding(
            FindingCode.PDF_REVISION_CHANGED_TEXT,
            f"revision {after.number} changed {len(changes)} passage(s) of revision {before.number}"
            + (f": “{first['before']}” became “{first['after']}”" if first["op"] == str(Op.CHANGED) else ""),
            first["page"], {"from": ex_id(before.derived_seq) if before.derived_seq else None,
                            "to": ex_id(after.derived_seq) if after.derived_seq else None,
                            "from_revision": before.number, "to_revision": after.number, "changes": changes}))
    return out


# -- PDF structure -------------------------------------------------------------------------------
_XMP_NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
           "xmp": "http://ns.adobe.com/xap/1.0/", "pdf": "http://ns.adobe.com/pdf/1.3/"}
_XMP_FIELDS = (("title", "dc:title"), ("author", "dc:creator"), ("creator", "xmp:CreatorTool"),
               ("producer", "pdf:Producer"), ("creationDate", "xmp:CreateDate"), ("modDate", "xmp:ModifyDate"))
_OFFICE_MAKERS = (("excel", "a spreadsheet (Microsoft Excel)", "cell types, formulas, hidden rows and sheets, "
                   "cell comments and the workbook's properties"),
                  ("calc", "a spreadsheet (LibreOffice Calc)", "cell types, formulas, hidden rows and sheets, "
                   "cell comments and the workbook's properties"),
                  ("et ", "a spreadsheet (WPS Spreadsheets)", "cell types, formulas, hidden rows and sheets"),
                  ("word", "a Word document", "tracked changes, comments, the revision number, editing time, "
                   "author and last-saved-by"),
                  ("writer", "a LibreOffice Writer document", "tracked changes, comments and the document's "
                   "properties"),
                  ("wps", "a WPS Office document", "tracked changes, comments and the document's properties"),
                  ("powerpoint", "a PowerPoint presentation", "speaker notes, hidden slides and the properties"))


def _xmp(xml: str) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return out
    for key, qname in _XMP_FIELDS:
        prefix, local = qname.split(":")
        tag = f"{{{_XMP_NS[prefix]}}}{local}"
        for desc in root.iter(f"{{{_XMP_NS['rdf']}}}Description"):
            value = desc.get(tag)
            el = desc.find(tag)
            if value is None and el is not None:
                li = el.find(f".//{{{_XMP_NS['rdf']}}}li")
                value = (li.text if li is not None else el.text) or ""
            if value and value.strip():
                out[key] = value.strip()
                break
    return out


def _same(key: str, a: str, b: str) -> bool:
    if key in ("creationDate", "modDate"):
        x, y = instant(a), instant(b)
        if x and y:
            p, q = _cmp(x, y)
            return abs(p - q) <= timedelta(seconds=1)
    return a.strip() == b.strip()


def _pages(doc: pymupdf.Document) -> list[pymupdf.Page]:
    return [doc.load_page(i) for i in range(doc.page_count)]


def _pdf_findings(ex: Exhibit, doc: pymupdf.Document, claimed: datetime | None) -> list[Finding]:
    out: list[Finding] = []
    info = {k: v for k, v in (doc.metadata or {}).items() if v}
    xmp = _xmp(doc.get_xml_metadata() or "")
    differ = {k: {"info": info.get(k), "xmp": xmp.get(k)} for k, _ in _XMP_FIELDS
              if k in xmp and k in info and not _same(k, info[k], xmp[k])}
    if xmp and differ:
        out.append(Finding(FindingCode.PDF_INFO_XMP_DIFFER,
                           f"Info and XMP disagree on {', '.join(differ)}", None, {"fields": differ}))
    creator, producer = info.get("creator", ""), info.get("producer", "")
    if creator or producer:
        out.append(Finding(FindingCode.PDF_SOFTWARE,
                           f"created with {creator or 'an unnamed program'}, written by "
                           f"{producer or 'an unnamed program'}",
                           None, {"creator": creator or None, "producer": producer or None}))
    made = f"{creator} {producer}".lower() + " "
    for needle, what, lost in _OFFICE_MAKERS:
        if needle in made:
            out.append(Finding(FindingCode.PDF_CONVERTED,
                               f"made from {what}: the PDF keeps the text as shown, not the {lost}", None,
                               {"creator": creator or None, "producer": producer or None}))
            break
    js, forms = [], 0
    for xref in range(1, doc.xref_length()):
        try:
            obj = doc.xref_object(xref, compressed=False)
        except _MUPDF_ERRORS:
            continue
        if "/JS" in obj or "/JavaScript" in obj:
            js.append(xref)
    if js:
        out.append(Finding(FindingCode.PDF_JAVASCRIPT, f"JavaScript in {len(js)} object(s)", None, {"xrefs": js}))
    for page in _pages(doc):
        widgets = list(page.widgets() or [])
        if widgets:
            forms += len(widgets)
            out.append(Finding(FindingCode.PDF_FORM, f"{len(widgets)} form field(s) on page {page.number + 1}",
                               page.number + 1, {"fields": [{"name": w.field_name, "value": w.field_value}
                                                            for w in widgets][:50]}))
    if not forms and doc.is_form_pdf:
        out.append(Finding(FindingCode.PDF_FORM, "the document declares an interactive form", None, {}))
    if doc.embfile_count():
        names = [doc.embfile_info(i).get("filename") for i in range(doc.embfile_count())]
        out.append(Finding(FindingCode.PDF_EMBEDDED_FILES, f"{len(names)} embedded file(s): {', '.join(map(str, names))}"
                           " (each is an exhibit under this one)", None, {"files": names}))
    if claimed is not None:
        late: dict[str, tuple[int, list[int]]] = {}
        for page in _pages(doc):
            for f in page.get_fonts(full=False):
                fam = fonts.family_of(f[3])
                if fam and fam[1] > claimed.year:
                    late.setdefault(fam[0], (fam[1], []))[1].append(page.number + 1)
        for fam_name, (year, pages) in late.items():
            out.append(Finding(FindingCode.FONT_RELEASED_AFTER_DATE,
                               f"set in {fam_name}, first released in {year}, but dated {claimed.date().isoformat()}",
                               pages[0], {"font": fam_name, "released": year, "claimed_date": claimed.isoformat(),
                                          "pages": sorted(set(pages))}))
    return out


# -- Office --------------------------------------------------------------------------------------
_OOXML_NS = {"cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
             "dc": "http://purl.org/dc/elements/1.1/", "dcterms": "http://purl.org/dc/terms/",
             "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"}
_CORE_XML = (("author", "dc:creator"), ("last_modified_by", "cp:lastModifiedBy"), ("revision", "cp:revision"),
             ("created", "dcterms:created"), ("modified", "dcterms:modified"), ("last_printed", "cp:lastPrinted"))
_APP_XML = (("application", "ep:Application"), ("app_version", "ep:AppVersion"), ("company", "ep:Company"),
            ("template", "ep:Template"), ("total_editing_minutes", "ep:TotalTime"), ("manager", "ep:Manager"))


def office_properties(data: bytes) -> dict[str, str]:
    """Core (docProps/core.xml) and app (docProps/app.xml) properties of an OOXML package, as written."""
    out: dict[str, str] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for part, fields in (("docProps/core.xml", _CORE_XML), ("docProps/app.xml", _APP_XML)):
                try:
                    root = ET.fromstring(zf.read(part)[:1_000_000])
                except (KeyError, ET.ParseError):
                    continue
                for key, qname in fields:
                    prefix, local = qname.split(":")
                    el = root.find(f"{{{_OOXML_NS[prefix]}}}{local}")
                    if el is not None and el.text and el.text.strip():
                        out[key] = el.text.strip()
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}
    return out


def _office_findings(props: dict[str, str]) -> list[Finding]:
    if not props:
        return []
    out = [Finding(FindingCode.OFFICE_PROPERTIES,
                   "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in props.items()), None, dict(props))]
    minutes, revision = props.get("total_editing_minutes"), props.get("revision")
    if minutes is not None and minutes.isdigit() and int(minutes) == 0 and revision and revision.isdigit() \
            and int(revision) > 1:
        out.append(Finding(FindingCode.OFFICE_NO_EDITING_TIME,
                           f"revision {revision} with a total editing time of 0 minutes", None,
                           {"revision": int(revision), "total_editing_minutes": 0}))
    return out


# -- images --------------------------------------------------------------------------------------
_EDITORS = ("photoshop", "gimp", "lightroom", "snapseed", "meitu", "美图", "picsart", "pixelmator", "paint.net",
            "affinity", "capture one", "acdsee", "luminar", "facetune", "光影魔术手", "photoscape", "canva")
_NAME_TIME = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?:[ _T\-]?(\d{2})[-_.:h]?(\d{2})[-_.:m]?"
                        r"(\d{2}))?(?!\d)")
_NAME_EPOCH_MS = re.compile(r"(?:mmexport|wx_camera_|IMG_)?(1\d{12})(?!\d)")


@dataclass(frozen=True)
class _Photo:
    make: str | None
    model: str | None
    software: str | None
    original: datetime | None
    modified: datetime | None
    offset: str | None
    gps: datetime | None
    thumbnail: bytes | None


def _photo(data: bytes) -> tuple[_Photo, Image.Image] | None:
    try:
        im = Image.open(io.BytesIO(data))
        exif = im.getexif()
    except _IMAGE_ERRORS:
        return None

    def text(v: object) -> str | None:
        if isinstance(v, bytes):
            v = v.decode("utf-8", "replace")
        s = str(v).replace("\x00", "").strip() if v is not None else ""
        return s or None

    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    except _IMAGE_ERRORS:
        sub, gps_ifd, ifd1 = {}, {}, {}
    gps = None
    try:
        if 29 in gps_ifd and 7 in gps_ifd:
            h, m, s = (float(x) for x in gps_ifd[7])
            d = datetime.strptime(str(gps_ifd[29])[:10], "%Y:%m:%d")
            gps = (d + timedelta(hours=h, minutes=m, seconds=s)).replace(tzinfo=UTC)
    except (TypeError, ValueError, ZeroDivisionError):
        gps = None
    thumb = None
    raw = im.info.get("exif")
    if isinstance(raw, bytes) and 513 in ifd1 and 514 in ifd1:
        tiff = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
        off, n = int(ifd1[513]), int(ifd1[514])
        thumb = tiff[off:off + n] or None
    return _Photo(text(exif.get(271)), text(exif.get(272)), text(exif.get(305)), instant(text(sub.get(36867))),
                  instant(text(exif.get(306))), text(sub.get(36881)), gps, thumb), im


def _dhash(im: Image.Image) -> int:
    small = im.convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    px = small.tobytes()
    return sum(1 << i for i in range(64) if px[(i // 8) * 9 + i % 8] > px[(i // 8) * 9 + i % 8 + 1])


def name_time(name: str) -> tuple[datetime, bool] | None:
    """A timestamp in a file name (`IMG_20180314_102231.jpg`, `mmexport1521000000000.jpg`) and whether it
    has a time of day."""
    stem = PurePosixPath(name).name
    m = _NAME_EPOCH_MS.search(stem)
    if m:
        return datetime.fromtimestamp(int(m.group(1)) / 1000, UTC), True
    m = _NAME_TIME.search(stem)
    if not m:
        return None
    y, mo, d, h, mi, s = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0)), h is not None
    except ValueError:
        return None


def _image_findings(ex: Exhibit, photo: _Photo, im: Image.Image, batch: list[tuple[int, str | None, str | None]],
                    ) -> list[Finding]:
    out: list[Finding] = []
    taken = photo.original or photo.modified
    if photo.original and photo.modified and abs(photo.modified - photo.original) > timedelta(seconds=60):
        out.append(Finding(FindingCode.EXIF_ORIGINAL_VS_MODIFIED,
                           f"taken {photo.original.isoformat()} (DateTimeOriginal), written {photo.modified.isoformat()}"
                           " (DateTime)", 1, {"DateTimeOriginal": photo.original.isoformat(),
                                              "DateTime": photo.modified.isoformat()}))
    if photo.gps and photo.original:
        local = photo.original.replace(tzinfo=UTC)
        gap = local - photo.gps
        minutes = gap.total_seconds() / 60
        offset = None
        if photo.offset and re.fullmatch(r"[+-]\d{2}:\d{2}", photo.offset):
            sign = 1 if photo.offset[0] == "+" else -1
            offset = sign * (int(photo.offset[1:3]) * 60 + int(photo.offset[4:6]))
        off_by = abs(minutes - offset) if offset is not None else min(abs(minutes - q * 15) for q in range(-56, 57))
        if abs(minutes) > 14 * 60 + 5 or off_by > 5:
            out.append(Finding(FindingCode.EXIF_GPS_TIME_DIFFERS,
                               f"GPS time {photo.gps.isoformat()} and camera time {photo.original.isoformat()} differ "
                               f"by {minutes:+.0f} minutes, which is not a time-zone offset", 1,
                               {"gps_utc": photo.gps.isoformat(), "DateTimeOriginal": photo.original.isoformat(),
                                "OffsetTimeOriginal": photo.offset, "minutes": round(minutes, 1)}))
    if taken:
        for path in ex.path_names:
            nt = name_time(path)
            if nt is None:
                continue
            when, has_time = nt
            a, b = _cmp(when, taken)
            # names made from UTC epochs may be a time zone away from the camera's local clock
            slack = timedelta(hours=14) if when.tzinfo else timedelta(minutes=2) if has_time else timedelta(days=1)
            if (has_time and abs(a - b) > slack) or (not has_time and a.date() != b.date()):
                out.append(Finding(FindingCode.FILENAME_TIME_DIFFERS,
                                   f"the name {PurePosixPath(path).name} says {when.replace(tzinfo=None).isoformat()}, "
                                   f"EXIF says {taken.isoformat()}", 1,
                                   {"path": path, "name_time": when.isoformat(), "exif_time": taken.isoformat()}))
                break
    if photo.software and any(e in photo.software.lower() for e in _EDITORS):
        out.append(Finding(FindingCode.EDITING_SOFTWARE, f"EXIF Software: {photo.software}", 1,
                           {"Software": photo.software}))
    if photo.thumbnail:
        try:
            with Image.open(io.BytesIO(photo.thumbnail)) as th:
                th.load()
                dist = bin(_dhash(th) ^ _dhash(im)).count("1")
                ratio = (th.width / th.height) / (im.width / im.height)
        except _IMAGE_ERRORS:
            dist, ratio = 64, 1.0
        if dist > 20 or not 0.8 < ratio < 1.25:
            out.append(Finding(FindingCode.THUMBNAIL_DIFFERS,
                               f"the embedded thumbnail differs from the image ({dist} of 64 bits of their "
                               "difference hashes differ)", 1, {"dhash_distance": dist,
                                                                 "aspect_ratio_ratio": round(ratio, 3)}))
    cams = [(mk, md) for s, mk, md in batch if s != ex.seq and (mk or md)]
    if len(cams) >= 2:
        usual, n = Counter(cams).most_common(1)[0]
        mine = (photo.make, photo.model)
        if n * 2 > len(cams) and mine != usual:
            said = " ".join(x for x in mine if x) or "no camera"
            out.append(Finding(FindingCode.CAMERA_DIFFERS_IN_BATCH,
                               f"{said}, where {n} of the other {len(cams)} photos of its folder name "
                               f"{' '.join(x for x in usual if x)}", 1,
                               {"camera": {"make": photo.make, "model": photo.model},
                                "batch_camera": {"make": usual[0], "model": usual[1]}, "batch_size": len(batch),
                                "others": [ex_id(s) for s, _, _ in batch if s != ex.seq][:50]}))
    return out


# -- the findings of an exhibit ------------------------------------------------------------------
_METADATA_DATES = ("creation_date", "modification_date", "last_printed", "datetime")


class Forensics:
    """Findings of many exhibits with what they share (batches of photos) worked out once."""

    def __init__(self, arch: Archive) -> None:
        self.arch = arch
        self.store = VersionsStore(arch)
        self._batches: dict[tuple[str, str], list[tuple[int, str | None, str | None]]] | None = None

    def _batch(self, ex: Exhibit) -> list[tuple[int, str | None, str | None]]:
        if self._batches is None:
            self._batches = {}
            for other in self.arch.exhibits():
                if (other.media_type or "").startswith("image/") and other.paths:
                    meta = self.arch.metadata(other.seq)
                    key = (other.paths[0].source, str(PurePosixPath(other.path).parent))
                    self._batches.setdefault(key, []).append(
                        (other.seq, meta.get("camera_make"), meta.get("camera_model")))
        return self._batches.get((ex.paths[0].source, str(PurePosixPath(ex.path).parent)), []) if ex.paths else []

    def findings(self, seq: int) -> list[Finding]:
        ex = self.arch.exhibit(seq)
        meta = self.arch.metadata(seq)
        out: list[Finding] = []
        dates = {k: d for k in _METADATA_DATES if (d := instant(meta.get(k))) is not None}
        data: bytes | None = None
        if ex.media_type == PDF or ex.media_type in OOXML or (ex.media_type or "").startswith("image/"):
            path = self.arch.blob_path(ex.sha256)
            data = path.read_bytes() if path.exists() else None
        if data is not None and ex.media_type == PDF:
            out.extend(_revision_findings(self.arch, ex, self.store))
            claimed = dates.get("creation_date") or instant(ex.doc_date)
            try:
                with pymupdf.open(stream=data, filetype="pdf") as doc:
                    if not doc.needs_pass:
                        out.extend(_pdf_findings(ex, doc, claimed))
            except _MUPDF_ERRORS:
                pass
        elif data is not None and ex.media_type in OOXML:
            props = office_properties(data)
            out.extend(_office_findings(props))
            for key, name in (("created", "creation_date"), ("modified", "modification_date")):
                if key in props and (d := instant(props[key])) is not None:
                    dates.setdefault(name, d)
        elif ex.media_type in OLE:
            # Word 97-2003 and friends: the ingestor read the SummaryInformation stream into the metadata
            props = {k: str(meta[k]) for k in _OLE_PROPERTIES if meta.get(k) not in (None, "")}
            out.extend(_office_findings(props))
        elif data is not None:
            got = _photo(data)
            if got is not None:
                photo, im = got
                with im:
                    out.extend(_image_findings(ex, photo, im, self._batch(ex)))
        created, modified = dates.get("creation_date"), dates.get("modification_date")
        if created and modified and _later(created, modified, timedelta(seconds=60)):
            out.append(Finding(FindingCode.CREATED_AFTER_MODIFIED,
                               f"created {created.isoformat()}, after its modification {modified.isoformat()}",
                               None, {"creation_date": created.isoformat(), "modification_date": modified.isoformat()}))
        received = instant(min((p.received for p in ex.paths), default=ex.first_received))
        if received:
            late = {k: d.isoformat() for k, d in dates.items() if _later(d, received, timedelta(days=1))}
            if late:
                out.append(Finding(FindingCode.DATE_AFTER_RECEIVED,
                                   f"{', '.join(k.replace('_', ' ') for k in late)} after the file was received "
                                   f"({received.isoformat()})", None, {"dates": late, "received": received.isoformat()}))
        return out


def findings(arch: Archive, seq: int) -> list[Finding]:
    """What the file's bytes and metadata say about how it was made and changed (see docs/forensics.md)."""
    return Forensics(arch).findings(seq)
