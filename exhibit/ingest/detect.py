"""Content-type detection from the bytes (magic numbers, zip and OLE2 directories, text sniffing)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from exhibit.errors import EmptyFile
from exhibit.ingest.formats import charset
from exhibit.ingest.types import Extraction

OCTET = "application/octet-stream"
PDF = "application/pdf"
ZIP = "application/zip"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLS = "application/vnd.ms-excel"
DOC = "application/msword"
PPT = "application/vnd.ms-powerpoint"
OLE = "application/x-ole-storage"
OOXML_ENCRYPTED = "application/x-ooxml-encrypted"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TXT = "text/plain"
HTML = "text/html"
XML = "application/xml"
EML = "message/rfc822"
MBOX = "application/mbox"
# Not a format: the last candidate of every file, read by the fallback ingestor as the printable runs of
# its bytes (what `strings` shows), so that no file ends with nothing findable.
TXT_RUNS = "application/x-exhibit-printable-runs"

# What a file name's extension claims. Used to judge `mislabelled` and, when the content is not
# recognised, to hand the file to the claimed format's ingestor so that it can say "corrupt".
EXTENSION_TYPES: dict[str, str] = {
    ".pdf": PDF, ".zip": ZIP, ".docx": DOCX, ".xlsx": XLSX, ".xlsm": XLSX, ".pptx": PPTX,
    ".xls": XLS, ".doc": DOC, ".ppt": PPT, ".et": XLS, ".wps": DOC, ".dps": PPT, ".csv": CSV, ".tsv": TSV, ".tab": TSV, ".txt": TXT,
    ".text": TXT, ".log": TXT, ".md": TXT, ".html": HTML, ".htm": HTML, ".xhtml": HTML, ".xml": XML,
    ".eml": EML, ".mbox": MBOX, ".mbx": MBOX,
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".tif": "image/tiff", ".tiff": "image/tiff", ".bmp": "image/bmp", ".webp": "image/webp",
    ".gz": "application/gzip", ".tgz": "application/gzip", ".bz2": "application/x-bzip2",
    ".tbz2": "application/x-bzip2", ".xz": "application/x-xz", ".txz": "application/x-xz", ".tar": "application/x-tar",
    ".7z": "application/x-7z-compressed", ".rar": "application/vnd.rar",
    ".cab": "application/vnd.ms-cab-compressed",
}

# (magic bytes at offset 0, media type). Order matters only where prefixes overlap.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"MSCF\x00\x00\x00\x00", "application/vnd.ms-cab-compressed"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_TEXT_FAMILY = {TXT, CSV, TSV, HTML, XML, EML, MBOX}
_SNIFF_BYTES = 64 * 1024

_HEADER_LINE = re.compile(r"^[!-9;-~]+:[ \t]")
_MAIL_HEADERS = {"from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
                 "mime-version", "content-type", "delivered-to", "reply-to", "sender", "x-mailer"}


@dataclass(frozen=True)
class Detected:
    media_type: str
    mislabelled: bool = False
    reason: str | None = None


def detect(path: Path, name: str) -> Detected:
    """The media type of the file at `path` judged from its content; `name` only supplies the claim
    that the content may contradict. Raises EmptyFile for zero bytes."""
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if not head:
        raise EmptyFile(f"{name}: the file has zero bytes")
    ext = PurePosixPath(name.replace("\\", "/")).suffix.lower()
    claimed = EXTENSION_TYPES.get(ext)
    found = sniff(path, head, claimed)
    if found == OCTET:
        # Unknown content: let the claimed format's ingestor judge it (it raises CorruptFile on garbage).
        return Detected(claimed or OCTET)
    if claimed is None or _compatible(found, claimed):
        if found in (CSV, TSV, TXT) and claimed in (CSV, TSV, TXT):
            found = _text_kind(head, claimed)
        return Detected(found)
    return Detected(found, True, f"the name ends in {ext} but the content is {describe(found)}")


# Types whose parser may rightly find nothing (a photo without text, an empty workbook, a zip of folders):
# its empty result is the answer. For the others (unknown bytes, text), nothing means keep looking.
_EMPTY_IS_SUSPECT = {OCTET, TXT, CSV, TSV}


def candidates(path: Path, d: Detected, name: str) -> list[str]:
    """The media types to read a file as, in order, until one yields something (issue 13: detection
    that finds no parser, or a parser that finds nothing, falls back to the next candidate and finally to
    text, never to nothing): the detected type, the type the name claims, plain text when the bytes read
    as text, and last the printable runs of the bytes."""
    out = [d.media_type]
    claimed = EXTENSION_TYPES.get(PurePosixPath(name.replace("\\", "/")).suffix.lower())
    if claimed is not None and claimed not in out:
        out.append(claimed)
    if TXT not in out:
        with open(path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
        if _as_text(head) is not None:
            out.append(TXT)
    out.append(TXT_RUNS)
    return out


def empty_is_an_answer(media_type: str) -> bool:
    """Whether a parser of this type that finds nothing has said all there is (see _EMPTY_IS_SUSPECT)."""
    return media_type not in _EMPTY_IS_SUSPECT


def yields_something(ext: Extraction) -> bool:
    """Whether an extraction holds anything a user can find: text, a table, a member."""
    return bool(ext.children or ext.tables or any(p.text.strip() for p in ext.pages))


def describe(media_type: str) -> str:
    names = {CSV: "CSV text", TSV: "tab-separated text", TXT: "plain text", HTML: "HTML", PDF: "a PDF",
             ZIP: "a zip archive", DOCX: "a Word document (DOCX)", XLSX: "an Excel workbook (XLSX)",
             XLS: "an Excel 97-2003 workbook (XLS)", DOC: "a Word 97-2003 document (DOC)", EML: "an e-mail",
             MBOX: "a mailbox (MBOX)", XML: "XML"}
    return names.get(media_type, media_type)


def _compatible(found: str, claimed: str) -> bool:
    if found == claimed:
        return True
    if found in _TEXT_FAMILY and claimed in _TEXT_FAMILY:
        # A mail saved as .txt or a CSV named .txt is not a contradiction worth flagging.
        return True
    if claimed == ZIP and found in (DOCX, XLSX, PPTX):
        return True
    if claimed == "application/x-tar" and found in ("application/gzip", "application/x-bzip2", "application/x-xz"):
        return True
    if found == OLE and claimed in (XLS, DOC, PPT):
        return True
    # Office encrypts a .docx/.xlsx by wrapping it in an OLE2 file: the name is right.
    return found == OOXML_ENCRYPTED and claimed in (DOCX, XLSX, PPTX)


def sniff(path: Path, head: bytes, claimed: str | None = None) -> str:
    """The media type from the first bytes (and for zip/OLE2 from their directory)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(_ZIP_MAGICS):
        return _zip_kind(path)
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(path, claimed)
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head.startswith(b"BM") and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "image/bmp"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "application/x-bzip2"
    if head[257:262] == b"ustar":
        return "application/x-tar"
    if b"%PDF-" in head[:1024]:  # the PDF spec lets a header follow up to 1 KiB of junk
        return PDF
    text = _as_text(head)
    if text is None:
        return OCTET
    return _text_type(text)


def _zip_kind(path: Path) -> str:
    from exhibit.ingest.formats.zip import _declared_entries

    if (_declared_entries(path) or 0) > 200_000:
        return ZIP  # not read here: the zip ingestor refuses a directory that large
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return ZIP  # the zip ingestor reports it as corrupt
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    if "ppt/presentation.xml" in names:
        return PPTX
    return ZIP


def _ole_kind(path: Path, claimed: str | None) -> str:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=False)}
    except (OSError, ValueError, IndexError, KeyError):
        return claimed if claimed in (XLS, DOC, PPT) else OLE
    if "workbook" in streams or "book" in streams:
        return XLS
    if "worddocument" in streams:
        return DOC
    if "powerpoint document" in streams:
        return PPT
    if "encryptedpackage" in streams:
        return OOXML_ENCRYPTED
    return OLE


def _as_text(head: bytes) -> str | None:
    """The sniffed bytes decoded, or None when they look binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[2:].decode("utf-16-le" if head[0] == 0xFF else "utf-16-be", errors="ignore")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if b"\x00" in head:
        return None
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls > max(2, len(head) // 100):
        return None
    decoded = charset.decode_sample(head)
    return decoded


def _text_type(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    low = stripped[:2048].lower()
    if stripped.startswith("From ") and re.match(r"From \S+", stripped):
        lines = stripped.splitlines()[1:8]
        if any(_HEADER_LINE.match(line) for line in lines):
            return MBOX
    if low.startswith(("<!doctype html", "<html")) or re.search(r"<(html|head|body)[\s>]", low):
        return HTML
    if low.startswith("<?xml"):
        return HTML if "<html" in low else XML
    if _looks_like_mail(stripped):
        return EML
    return _text_kind(text.encode("utf-8", errors="ignore"), None)


def _looks_like_mail(text: str) -> bool:
    known = 0
    for line in text.splitlines()[:40]:
        if not line.strip():
            break
        if line[:1] in (" ", "\t"):
            continue
        if not _HEADER_LINE.match(line):
            return False
        if line.split(":", 1)[0].lower() in _MAIL_HEADERS:
            known += 1
    return known >= 2


def _text_kind(head: bytes, claimed: str | None) -> str:
    """CSV, TSV or plain text. A .txt stays text; otherwise delimiters consistent over the lines decide."""
    if claimed == TXT:
        return TXT
    sample = charset.decode_sample(head[:16384]) or ""
    lines = [ln for ln in sample.splitlines()[:30] if ln.strip()]
    if len(lines) > 1 and not sample.endswith("\n"):
        lines = lines[:-1]  # the last line may be cut off by the sample
    if not lines:
        return claimed or TXT
    best, best_score = TXT, 0.0
    for delim, kind in (("\t", TSV), (",", CSV), (";", CSV), ("|", CSV)):
        counts = [_count_outside_quotes(ln, delim) for ln in lines]
        if counts[0] == 0:
            continue
        same = sum(1 for c in counts if c == counts[0]) / len(counts)
        if (len(lines) == 1 and claimed in (CSV, TSV)) or (len(lines) > 1 and same >= 0.8):
            score = same * counts[0]
            if score > best_score:
                best, best_score = kind, score
    if best == TXT and claimed in (CSV, TSV):
        return claimed
    return best


def _count_outside_quotes(line: str, delim: str) -> int:
    n, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delim and not quoted:
            n += 1
    return n
