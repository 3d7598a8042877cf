"""E-mail (EML) and mailboxes (MBOX): headers as metadata, the body as a page, attachments and
messages as child exhibits."""

from __future__ import annotations

import mimetypes
import re
from email import policy
from email.errors import MessageError
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any, ClassVar

from exhibit.errors import CorruptFile, LimitExceeded
from exhibit.ingest.formats import IngestContext, charset
from exhibit.ingest.types import Child, Extraction, Page

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_RAW_NAME = re.compile(r"""\b(?:file)?name\s*=\s*(["']?)([^"';]+)\1""", re.I)
_ADDRESS_HEADERS = ("from", "to", "cc", "bcc", "reply-to", "sender")


class EmailIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("message/rfc822", "application/mbox")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".eml", ".mbox", ".mbx")
    SCORE: ClassVar[int] = 10

    def __init__(self, media_type: str = "message/rfc822") -> None:
        self.media_type = media_type

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        if ctx.depth >= ctx.limits.depth:
            raise LimitExceeded(f"containers nested {ctx.depth} deep, the depth limit is {ctx.limits.depth}: "
                                "attachments not extracted")
        if self.media_type == "application/mbox":
            return _mbox(path, ctx)
        with open(path, "rb") as f:
            try:
                msg = BytesParser(policy=policy.default).parse(f)
            except (MessageError, ValueError, LookupError) as e:
                raise CorruptFile(f"not a readable e-mail: {e}") from e
        if not isinstance(msg, EmailMessage) or not msg.keys():
            raise CorruptFile("not a readable e-mail: no headers")
        ext = Extraction(media_type="message/rfc822", metadata=headers(msg))
        ext.pages.append(Page(1, _header_block(ext.metadata) + body_text(msg)))
        taken: set[str] = set()
        for part in _attachments(msg):
            if len(ext.children) >= ctx.limits.members:
                ext.status = "expansion_limit"
                ext.reason = f"more than {ctx.limits.members} attachments (the member limit); the rest skipped"
                break
            ext.children.append(_spool(part, len(ext.children) + 1, taken, ctx))
        return ext


def headers(msg: EmailMessage) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _ADDRESS_HEADERS:
        value = _header(msg, key)
        if value:
            out[key.replace("-", "_")] = value
    subject = _header(msg, "subject")
    if subject:
        out["subject"] = subject
    date = _header(msg, "date")
    if date:
        out["date_header"] = date
        try:
            out["date"] = parsedate_to_datetime(date).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    for key in ("message-id", "in-reply-to", "references", "x-mailer", "user-agent"):
        value = _header(msg, key)
        if value:
            out[key.replace("-", "_")] = value
    return out


def _header(msg: Message, key: str) -> str | None:
    try:
        value = msg.get(key)
    except (ValueError, IndexError, LookupError):  # malformed header the policy cannot fold
        raw = msg.get_all(key, failobj=[])
        value = str(raw[0]) if raw else None
    if value is None:
        return None
    text = str(value)
    if "\ufffd" in text:
        text = _raw_header(msg, key) or text
    if key in _ADDRESS_HEADERS:
        pairs = getaddresses([text])
        if pairs and any(a for _, a in pairs):
            return ", ".join(f"{n} <{a}>" if n else a for n, a in pairs)
    return " ".join(text.split())


def _raw_header(msg: Message, key: str) -> str | None:
    """A header written as raw 8-bit bytes (GBK from a Chinese mail client, not RFC 2047): the parser
    keeps those bytes as surrogates and its policy replaces them; decode them with the detected
    encoding instead."""
    for name, value in msg.raw_items():
        if name.lower() != key or not isinstance(value, str):
            continue
        raw = value.encode("utf-8", errors="surrogateescape")
        try:
            raw.decode("ascii")
            return None
        except UnicodeDecodeError:
            return " ".join(raw.decode(charset.detect_encoding(raw), errors="replace").split())
    return None


def _raw_filename(part: Message) -> str | None:
    for key in ("content-disposition", "content-type"):
        header = _raw_header(part, key)
        m = _RAW_NAME.search(header or "")
        if m:
            return m.group(2)
    return None


def _header_block(meta: dict[str, Any]) -> str:
    lines = [f"{label}: {meta[key]}" for key, label in (("from", "From"), ("to", "To"), ("cc", "Cc"),
                                                        ("subject", "Subject"), ("date_header", "Date"))
             if meta.get(key)]
    return "\n".join(lines) + "\n\n" if lines else ""


def body_text(msg: EmailMessage) -> str:
    """The text a mail reader shows: the plain part, else the HTML part's visible text."""
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
    except (KeyError, LookupError, ValueError):
        body = None
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError, UnicodeError):
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    if not isinstance(content, str):
        return ""
    if "\ufffd" in content:
        # No or a wrong charset declared (GBK sent as "us-ascii"): judge the bytes themselves.
        payload = body.get_payload(decode=True)
        if isinstance(payload, bytes):
            content = charset.decode(payload)[0]
    if body.get_content_subtype() == "html":
        from exhibit.ingest.formats.html import _TextParser

        parser = _TextParser()
        parser.feed(content)
        parser.close()
        return parser.text()
    return content


def _attachments(msg: EmailMessage) -> list[EmailMessage]:
    """Every part that is not the body: attachments, inline images, attached messages (not opened)."""
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
    except (KeyError, LookupError, ValueError):
        body = None
    found: list[EmailMessage] = []

    def visit(part: EmailMessage) -> None:
        if part is body:
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822" and part is not msg:
            found.append(part)
            return
        if part.is_multipart():
            for sub in part.iter_parts():
                visit(sub)  # type: ignore[arg-type]
            return
        if part is msg:
            return
        if part.get_content_maintype() == "text" and part.get_filename() is None and \
                part.get_content_disposition() != "attachment":
            return  # an alternative rendering of the body
        found.append(part)

    visit(msg)
    return found


def _spool(part: EmailMessage, index: int, taken: set[str], ctx: IngestContext) -> Child:
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner_msg = inner[0] if isinstance(inner, list) and inner else inner
        data = inner_msg.as_bytes(policy=policy.default) if isinstance(inner_msg, Message) else b""
        default = f"attachment-{index}.eml"
    else:
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        default = f"attachment-{index}{mimetypes.guess_extension(part.get_content_type()) or '.bin'}"
    if len(data) > ctx.limits.member_bytes:
        raise LimitExceeded(f"attachment {index} has {len(data)} bytes, over the member limit of "
                            f"{ctx.limits.member_bytes}")
    try:
        filename = part.get_filename()  # RFC 2231 and RFC 2047 names decoded by the policy
    except (ValueError, LookupError):
        filename = None
    if filename is None or "\ufffd" in filename:
        filename = _raw_filename(part) or filename
    name = _unique(_safe_name(filename) or default, taken)
    dest = ctx.workdir / f"attachment-{index:05d}"
    dest.write_bytes(data)
    return Child(name=name, path=str(dest))


def _safe_name(name: str | None) -> str:
    """The last path component of an attachment name, without characters no file system takes."""
    if not name:
        return ""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[:200]


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        stem, dot, suffix = name.rpartition(".")
        candidate = f"{stem} ({n}).{suffix}" if dot and stem else f"{name} ({n})"
    taken.add(candidate)
    return candidate


def _mbox(path: Path, ctx: IngestContext) -> Extraction:
    """Split an mbox into its messages, each a child .eml. Written by hand rather than with
    mailbox.mbox because that opens the file for writing when it can and indexes it whole; this reads
    one line at a time and undoes the >From quoting of mboxo/mboxrd."""
    ext = Extraction(media_type="application/mbox")
    out = None
    count = 0
    separators: list[str] = []
    try:
        with open(path, "rb") as f:
            previous_blank = True
            for line in f:
                if line.startswith(b"From ") and previous_blank:
                    if out is not None:
                        out.close()
                    count += 1
                    if count > ctx.limits.members:
                        ext.status = "expansion_limit"
                        ext.reason = f"more than {ctx.limits.members} messages (the member limit); the rest skipped"
                        out = None
                        break
                    dest = ctx.workdir / f"message-{count:06d}.eml"
                    out = open(dest, "wb")  # noqa: SIM115 - closed at the next separator or below
                    ext.children.append(Child(name=f"message-{count:06d}.eml", path=str(dest)))
                    separators.append(line.decode("utf-8", errors="replace").strip())
                    previous_blank = False
                    continue
                previous_blank = line in (b"\n", b"\r\n")
                if out is None:
                    if line.strip():
                        raise CorruptFile("not an mbox: text before the first 'From ' line")
                    continue
                if re.match(rb">+From ", line):
                    line = line[1:]
                out.write(line)
    finally:
        if out is not None:
            out.close()
    if not ext.children:
        raise CorruptFile("not an mbox: no 'From ' separator line")
    ext.metadata = {"messages": count if ext.status == "ok" else count - 1,
                    "first_separator": separators[0] if separators else None}
    return ext
