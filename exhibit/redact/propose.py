"""What to redact on an exhibit: proposals from what its pages carry (records, links, patterns), and the
plan a person confirmed.

A proposal is a string the page carries: a person record's name, ID number or address, a relative named
in the record, another spelling of the name from the record's link cluster, or a match of an ID-number,
phone or address pattern. Nothing here looks at a score of a person: link clusters give spellings, never
a reason to redact one person rather than another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from exhibit.archive import Archive, Exhibit, PageSource
from exhibit.errors import UserError
from exhibit.redact.glyphs import PageGlyphs, fold, from_ocr, from_pdf_page
from exhibit.redact.types import Box, Hidden, HiddenFind, Kind, Origin, Pattern, Plan, Region

PATTERNS: dict[Pattern, tuple[re.Pattern[str], ...]] = {
    # Resident ID numbers: 18 digits (the last may be X) with a plausible birth date, and the old 15.
    Pattern.ID: (re.compile(r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
                            r"\d{3}[\dXx](?![0-9A-Za-z])"),
                 re.compile(r"(?<![0-9])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9])")),
    # Mainland mobiles (with or without +86 and separators) and landlines with their area code.
    Pattern.PHONE: (re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9])"),
                    re.compile(r"(?<![0-9])0\d{2,3}[- ]\d{7,8}(?![0-9])")),
    # Below the township: a village or neighbourhood with its group and house number, a house number, and
    # the Uyghur and Latin forms of a village.
    Pattern.ADDRESS: (re.compile(r"(?<![农乡])[\u4e00-\u9fff]{1,6}(?:村|社区)(?:[0-9一二三四五六七八九十]+"
                                 r"(?:组|小组|队|巷|号|栋|室))*"),
                      re.compile(r"(?<![0-9])\d{1,4}号(?:院|楼)?"),
                      re.compile(r"[\u0600-\u06ff]+ (?:كەنتى|مەھەللىسى)"),
                      re.compile(r"\b\w+ (?:[Vv]illage|[Kk]enti)\b")),
}
MIN_FOLDED = {Kind.NAME: 2, Kind.ID_NUMBER: 6, Kind.ADDRESS: 3, Kind.PHONE: 7, Kind.BOX: 1}
_ID_RUN = re.compile(r"[0-9]{6,}[0-9Xx]?")
PAD = 1.0  # points (or pixels) around each found string: glyph boxes sit tight on the ink


@dataclass(frozen=True)
class Candidate:
    """A string some person record or link cluster carries, to look for on the pages."""

    value: str
    kind: Kind
    origin: Origin
    ref: str


@dataclass(frozen=True)
class Selection:
    """What a person confirmed: record proposals, these patterns, these drawn boxes, on these pages
    (None: all), minus the proposals whose keys are in `skip`."""

    records: bool = False
    patterns: tuple[Pattern, ...] = ()
    boxes: tuple[tuple[int, Box], ...] = ()
    pages: tuple[int, ...] | None = None
    skip: frozenset[str] = field(default_factory=frozenset)


def candidates(arch: Archive) -> list[Candidate]:
    """Names, ID numbers and addresses of every person record and relative, and every spelling in a link
    cluster (a name need not be in this exhibit's register to be on its pages)."""
    from exhibit import link, records

    out: dict[tuple[str, Kind], Candidate] = {}

    def add(value: str | None, kind: Kind, origin: Origin, ref: str) -> None:
        if not value:
            return
        # an ID cell read with its neighbour's text ("653222...678宗教极端") proposes the number, not the reason
        for v in _ID_RUN.findall(value) if kind == Kind.ID_NUMBER else [value]:
            if len(fold(v)) >= MIN_FOLDED[kind]:
                out.setdefault((fold(v), kind), Candidate(v.strip(), kind, origin, ref))

    for r in records.records(arch):
        add(r.name, Kind.NAME, Origin.RECORD, r.record_id)
        add(r.id_number, Kind.ID_NUMBER, Origin.RECORD, r.record_id)
        add(r.id_number_raw, Kind.ID_NUMBER, Origin.RECORD, r.record_id)
        add(r.address, Kind.ADDRESS, Origin.RECORD, r.record_id)
        for m in r.family:
            add(m.get("name"), Kind.NAME, Origin.RECORD, r.record_id)
            add(m.get("id_number"), Kind.ID_NUMBER, Origin.RECORD, r.record_id)
    try:
        clusters = link.clusters(arch)
    except UserError:  # nothing linked yet: the records' own spellings are all there is
        clusters = []
    for c in clusters:
        for member in c.members:
            add(member.name, Kind.NAME, Origin.LINK, c.cluster_id)
            add(member.id_number, Kind.ID_NUMBER, Origin.LINK, c.cluster_id)
    return list(out.values())


def _pdf_or_image(ex: Exhibit) -> str:
    mt = ex.media_type or ""
    if mt == "application/pdf":
        return "pdf"
    if mt.startswith("image/"):
        return "image"
    raise UserError(f"{ex.id} ({ex.path_names[0] if ex.path_names else ex.sha256[:12]}): a {mt or 'file of unknown type'}"
                    " cannot be redacted; exhibit redacts PDFs and images (render a document to PDF and ingest it).")


@contextmanager
def open_pdf(path: Path, label: str) -> Iterator[pymupdf.Document]:
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as e:
        raise UserError(f"{label}: not a readable PDF ({e}); redaction needs a PDF that MuPDF opens.") from e
    try:
        if doc.needs_pass:
            raise UserError(f"{label}: the PDF is encrypted; redaction works on a decrypted copy "
                            "(save one with the password, ingest it, and redact that).")
        yield doc
    finally:
        doc.close()


def page_glyphs(arch: Archive, seq: int, pages: Iterable[int] | None = None) -> dict[int, PageGlyphs]:
    """The positioned text of each page: the PDF text layer, plus OCR boxes where the page was OCR'd."""
    ex = arch.exhibit(seq)
    stored = {p.number: p for p in arch.pages(seq)}
    out: dict[int, PageGlyphs] = {}
    if _pdf_or_image(ex) == "image":
        p = stored.get(1)
        out[1] = from_ocr(p.meta, 1.0, 1.0) if p is not None else PageGlyphs([], [])
        return out
    with open_pdf(arch.blob_path(ex.sha256), ex.id) as doc:
        wanted = list(pages) if pages is not None else list(range(1, doc.page_count + 1))
        for n in wanted:
            if not 1 <= n <= doc.page_count:
                raise UserError(f"{ex.id} has {doc.page_count} pages; there is no page {n}.")
            page = doc[n - 1]
            g = from_pdf_page(page)
            sp = stored.get(n)
            if sp is not None and sp.source == PageSource.OCR and sp.meta.get("width"):
                g.extend(from_ocr(sp.meta, page.rect.width / float(sp.meta["width"]),
                                  page.rect.height / float(sp.meta.get("height") or sp.meta["width"])))
            out[n] = g
    return out


def propose(arch: Archive, seq: int, records: bool = True, patterns: Iterable[Pattern] = tuple(Pattern),
            pages: Iterable[int] | None = None) -> tuple[Region, ...]:
    """Every proposal on the exhibit's pages, page by page in reading order; each region's `value` is the
    string it would remove (shown to the person confirming it, never logged)."""
    glyphs = page_glyphs(arch, seq, pages)
    cands = candidates(arch) if records else []
    pats = tuple(patterns)
    out: list[Region] = []
    seen: set[str] = set()
    for n, g in glyphs.items():
        folded = g.folded
        for c in cands:
            if fold(c.value) not in folded:
                continue
            for boxes in g.find(c.value):
                for b in boxes:
                    _add(out, seen, Region(n, b.padded(PAD), c.kind, c.origin, c.ref, c.value))
        for pat in pats:
            for rx in PATTERNS[pat]:
                for value, boxes in g.find_raw(rx):
                    if len(fold(value)) < MIN_FOLDED[pat.kind]:
                        continue
                    for b in boxes:
                        _add(out, seen, Region(n, b.padded(PAD), pat.kind, Origin.PATTERN, str(pat), value))
    return tuple(out)


def _add(out: list[Region], seen: set[str], r: Region) -> None:
    # a record's ID number is also an ID pattern match: one region, the record's (it came first)
    key = f"{r.page}:{r.box.as_list()}"
    if key not in seen:
        seen.add(key)
        out.append(r)


def plan(arch: Archive, seq: int, selection: Selection) -> Plan:
    """The confirmed regions of `selection` and the proposed strings in the original's hidden places."""
    ex = arch.exhibit(seq)
    kind = _pdf_or_image(ex)
    pages = selection.pages
    if kind == "image":
        pages = (1,)
    glyphs = page_glyphs(arch, seq, pages)
    kept = tuple(glyphs)
    regions = [r for r in propose(arch, seq, selection.records, selection.patterns, kept)
               if r.key not in selection.skip] if (selection.records or selection.patterns) else []
    for n, box in selection.boxes:
        if n not in glyphs:
            raise UserError(f"--box {n}:{','.join(f'{v:g}' for v in box.as_list())}: page {n} is not among the "
                            f"pages redacted ({', '.join(map(str, kept))}).")
        if box.empty:
            raise UserError(f"--box {n}:{','.join(f'{v:g}' for v in box.as_list())} is empty: give x0,y0,x1,y1 "
                            "with x1 > x0 and y1 > y0.")
        text = glyphs[n].text_in(box)
        regions.append(Region(n, box, Kind.BOX, Origin.DRAWN, None, text or None))
    hidden = hidden_finds(arch, ex, selection) if (selection.records or selection.patterns) else []
    return Plan(seq, kept, tuple(regions), tuple(hidden))


def hidden_texts(path: Path, media_type: str) -> list[tuple[Hidden, str]]:
    """The text of the places a redacted copy drops wholesale: metadata, XMP, attachments, annotations and
    form fields, earlier incremental revisions (PDF); EXIF, XMP and comments (images)."""
    out: list[tuple[Hidden, str]] = []
    if media_type.startswith("image/"):
        from PIL import Image

        with Image.open(path) as im:
            exif = im.getexif()
            texts = [str(v) for v in exif.values() if isinstance(v, str | bytes)]
            for ifd in (0x8769, 0x8825):
                texts += [str(v) for v in exif.get_ifd(ifd).values() if isinstance(v, str | bytes)]
            texts += [str(v) for k, v in im.info.items() if k in ("xmp", "comment", "Description", "Author")]
        out.append((Hidden.EXIF, "\n".join(texts)))
        return out
    with open_pdf(path, path.name) as doc:
        meta = doc.metadata or {}
        out.append((Hidden.METADATA, "\n".join(str(v) for v in meta.values() if v) + "\n" + doc.get_xml_metadata()))
        for i in range(doc.embfile_count()):
            info = doc.embfile_info(i)
            data = doc.embfile_get(i)
            out.append((Hidden.ATTACHMENT, "\n".join(str(info.get(k) or "") for k in ("filename", "ufilename", "desc"))
                        + "\n" + _bytes_text(data)))
        for page in (doc.load_page(i) for i in range(doc.page_count)):
            for annot in page.annots() or []:
                out.append((Hidden.ANNOTATION, "\n".join(str(v) for v in annot.info.values() if v)))
            for w in page.widgets() or []:
                out.append((Hidden.ANNOTATION, f"{w.field_name or ''}\n{w.field_value or ''}"))
    out += [(Hidden.REVISION, t) for t in earlier_revision_texts(path)]
    return out


def _bytes_text(data: bytes) -> str:
    """An attachment's text: a PDF's extracted text, else its bytes read as UTF-8, UTF-16 and GB18030."""
    if data[:5] == b"%PDF-":
        try:
            with pymupdf.open(stream=data, filetype="pdf") as d:
                return "\n".join(d.load_page(i).get_text() for i in range(d.page_count))
        except (pymupdf.FileDataError, RuntimeError, ValueError):
            pass
    return "\n".join(data.decode(enc, errors="ignore") for enc in ("utf-8", "utf-16", "gb18030"))


def earlier_revisions(data: bytes) -> list[bytes]:
    """The earlier revisions of an incrementally saved PDF: its bytes up to each %%EOF but the last."""
    ends = [m.end() for m in re.finditer(rb"%%EOF", data)]
    tail = data[ends[-1]:].strip() if ends else b""
    last = ends[-1] if ends and not tail else len(data)
    return [data[:e] for e in ends if e < last]


def earlier_revision_texts(path: Path) -> list[str]:
    out: list[str] = []
    for prefix in earlier_revisions(path.read_bytes()):
        try:
            with pymupdf.open(stream=prefix, filetype="pdf") as d:
                out.append("\n".join(d.load_page(i).get_text() for i in range(d.page_count)))
        except (pymupdf.FileDataError, RuntimeError, ValueError):
            out.append(prefix.decode("latin-1"))  # not a PDF on its own: at least its literal strings
    return out


def hidden_finds(arch: Archive, ex: Exhibit, selection: Selection) -> list[HiddenFind]:
    """Proposed strings (by the selection's kinds) in the original's hidden places."""
    texts = hidden_texts(arch.blob_path(ex.sha256), ex.media_type or "")
    cands = candidates(arch) if selection.records else []
    out: dict[tuple[Hidden, str], HiddenFind] = {}
    for where, text in texts:
        folded = fold(text)
        for c in cands:
            if fold(c.value) in folded:
                out.setdefault((where, c.value), HiddenFind(where, c.kind, c.ref, c.value))
        for pat in selection.patterns:
            for rx in PATTERNS[pat]:
                for m in rx.finditer(text):
                    out.setdefault((where, m.group(0)), HiddenFind(where, pat.kind, str(pat), m.group(0)))
    return list(out.values())
