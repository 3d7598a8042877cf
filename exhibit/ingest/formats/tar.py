"""TAR (plain or gzip/bzip2/xz-compressed) and single compressed files: members as child exhibits, with
the zip ingestor's safe names and expansion limits; links and devices are listed, never followed."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tarfile
import zlib
from pathlib import Path, PurePosixPath
from typing import IO, ClassVar

from exhibit.errors import CorruptFile, LimitExceeded
from exhibit.ingest import names as naming
from exhibit.ingest.formats import IngestContext, charset, mark_traversal
from exhibit.ingest.formats.zip import _unique, safe_name
from exhibit.ingest.types import Child, Extraction

_CHUNK = 1 << 16
_RATIO_FLOOR = 1 << 20
_STREAM_ERRORS = (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError, ValueError)
_COMPRESSED = {"application/gzip": gzip.open, "application/x-bzip2": bz2.open, "application/x-xz": lzma.open}


class TarIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/x-tar", "application/gzip", "application/x-bzip2",
                                              "application/x-xz")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".tar", ".tgz", ".gz", ".bz2", ".xz", ".tbz2", ".txz")
    SCORE: ClassVar[int] = 10

    def __init__(self, media_type: str = "application/x-tar", name: str | None = None) -> None:
        self.media_type = media_type
        self.name = name

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        if ctx.depth >= ctx.limits.depth:
            raise LimitExceeded(f"containers nested {ctx.depth} deep, the depth limit is {ctx.limits.depth}: "
                                "members not extracted")
        try:
            is_tar = tarfile.is_tarfile(path)
        except _STREAM_ERRORS:
            is_tar = False
        opener = _COMPRESSED.get(self.media_type)
        if is_tar:
            ext = _tar(path, ctx)
            if ext.children or ext.status != "ok" or opener is None:
                return ext
            # tarfile takes a block of NUL bytes for the end of an archive: a compressed file whose
            # content starts with NULs "is" an empty tar. A tar of nothing is read as the one file it holds.
            single = _single(path, opener, self.media_type, self.name, ctx)
            single.metadata["read_as"] = {"tried": ["application/x-tar (no member)"],
                                          "read_by": "a single compressed file"}
            return single
        if opener is None:
            raise CorruptFile("not a readable tar archive")
        return _single(path, opener, self.media_type, self.name, ctx)


def _budget_error(name: str, written: int, compressed: int, ctx: IngestContext, total: int) -> str | None:
    """The limit reached with `written` bytes of this member and `total` of this archive, or None."""
    limits = ctx.limits
    budget = ctx.expansion_budget()
    if written > limits.member_bytes:
        return f"member {name!r} inflated past the per-member limit of {limits.member_bytes} bytes; stopped"
    if budget.used + written > budget.total:
        return f"member {name!r} took the container past the total limit of {budget.total} bytes; stopped"
    if total > _RATIO_FLOOR and total > limits.ratio * max(compressed, 1):
        return (f"the archive expands more than {limits.ratio:g}x its compressed size (the ratio limit) "
                f"at member {name!r}; stopped")
    return None


def _copy(src: IO[bytes], dest: Path, name: str, ctx: IngestContext, compressed: int, used: int) -> tuple[int, str | None]:
    """Stream one member to `dest`, counting; (bytes written, the limit reached or None)."""
    written = 0
    with open(dest, "wb") as out:
        while chunk := src.read(_CHUNK):
            written += len(chunk)
            problem = _budget_error(name, written, compressed, ctx, used + written)
            if problem:
                return written, problem
            out.write(chunk)
    return written, None


def _tar(path: Path, ctx: IngestContext) -> Extraction:
    compressed = path.stat().st_size
    ext = Extraction(media_type="application/x-tar")
    taken: set[str] = set()
    traversal: list[str] = []
    skipped: list[str] = []
    used = count = 0
    raw_names: list[bytes] = []
    try:
        # surrogateescape keeps undecodable name bytes, so GBK names can be decoded properly below
        with tarfile.open(path, "r:*", encoding="utf-8", errors="surrogateescape") as tf:
            for member in tf:
                if not member.isfile():
                    if member.issym() or member.islnk() or member.isdev() or member.isfifo():
                        skipped.append(f"{member.name} ({'link' if member.issym() or member.islnk() else 'device'})")
                    continue
                if count >= ctx.limits.members:
                    ext.status = "expansion_limit"
                    ext.reason = f"more than {ctx.limits.members} members (the member-count limit); the rest skipped"
                    break
                budget = ctx.expansion_budget()
                if budget.members >= budget.total_members:
                    ext.status = "expansion_limit"
                    ext.reason = (f"more than {budget.total_members:,} members in this container and the containers "
                                  "inside it together (the total-member limit, --max-total-members); the rest skipped")
                    break
                budget.members += 1
                raw = member.name.encode("utf-8", errors="surrogateescape")
                name, encoding = _name(raw, raw_names)
                safe, why = safe_name(name)
                safe = _unique(naming.shown(safe), taken)
                name = naming.shown(name)
                dest = ctx.workdir / f"member-{count:06d}"
                count += 1
                src = tf.extractfile(member)
                if src is None:
                    continue
                written, problem = _copy(src, dest, safe, ctx, compressed, used)
                used += written
                ctx.expansion_budget().used += written
                if problem:
                    dest.unlink(missing_ok=True)
                    ext.status, ext.reason = "expansion_limit", problem
                    break
                original = None if safe.encode("utf-8") == raw else raw
                child = Child(safe, str(dest), raw_name=original, name_encoding=encoding)
                if why:
                    traversal.append(f"{name!r} ({why}) kept as {safe!r}")
                    child = Child(safe, str(dest), "path_traversal",
                                  f"the member name {name!r} points outside the archive ({why}); kept as {safe!r}",
                                  original, encoding)
                ext.children.append(child)
    except _STREAM_ERRORS as e:
        if not ext.children:
            raise CorruptFile(f"not a readable tar archive: {e}") from e
        ext.status, ext.reason = "corrupt", f"the archive breaks off after {len(ext.children)} members: {e}"
    ext.metadata = {"members": count}
    if skipped:
        ext.metadata["links_not_followed"] = skipped[:100]
    mark_traversal(ext, traversal)
    return ext


def _name(raw: bytes, seen: list[bytes]) -> tuple[str, str | None]:
    """A member name's (text, encoding) by ingest.names; a name that is not UTF-8 is judged together with
    the archive's earlier such names (more text, surer judgement)."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        seen.append(raw)
        return naming.decode(raw, naming.guess(b"\n".join(seen[-50:])))


def _single(path: Path, opener: object, media_type: str, container: str | None, ctx: IngestContext) -> Extraction:
    """A single compressed file (report.csv.gz): the decompressed file as the one child."""
    name = PurePosixPath(container or "file.gz").stem or "file"
    if media_type == "application/gzip":
        name = _gzip_name(path) or name
    safe, _ = safe_name(name)
    dest = ctx.workdir / "member-000000"
    try:
        with opener(path, "rb") as src:  # type: ignore[operator]
            written, problem = _copy(src, dest, safe, ctx, path.stat().st_size, 0)
        ctx.expansion_budget().used += written
    except _STREAM_ERRORS as e:
        dest.unlink(missing_ok=True)
        raise CorruptFile(f"the compressed stream cannot be read: {e}") from e
    if problem:
        dest.unlink(missing_ok=True)
        raise LimitExceeded(problem)
    return Extraction(media_type=media_type, children=[Child(safe, str(dest))], metadata={"members": 1})


def _gzip_name(path: Path) -> str | None:
    """The original file name stored in a gzip header (FNAME), if any."""
    with open(path, "rb") as f:
        head = f.read(10 + 2 + 1024)
    if len(head) < 10 or head[:2] != b"\x1f\x8b" or not head[3] & 0x08:
        return None
    pos = 10
    if head[3] & 0x04:  # FEXTRA
        pos += 2 + int.from_bytes(head[10:12], "little")
    end = head.find(b"\x00", pos)
    if end <= pos:
        return None
    raw = head[pos:end]
    return raw.decode(charset.detect_encoding(raw), errors="replace").replace("\\", "/").rsplit("/", 1)[-1]
