"""ZIP: members as child exhibits, names decoded (GBK without the UTF-8 flag), traversal and bombs defused.

Nothing is ever written under a member's own name: each member is streamed into a numbered spool file
inside ctx.workdir, so a name like ../../etc/passwd cannot reach outside it. Inflation is counted chunk by
chunk against the limits (bytes per member, total, ratio, member count, nesting depth) and stops the
moment one is reached; a header's declared size is used only to refuse early, never trusted.

Every member with data is a file, whatever its name: an empty name gets a placeholder (recorded in the
metadata, with the name's bytes kept as empty), a name ending in "/" is a folder only when it holds
nothing. Entries of the central directory that share one local entry are inflated once (the spool file is
hard-linked); entries whose data overlap are caught by the ratio of the whole zip to its own size.
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from exhibit.errors import CorruptFile, LimitExceeded
from exhibit.ingest import names as naming
from exhibit.ingest.formats import ExpansionBudget, IngestContext, mark_traversal
from exhibit.ingest.types import Child, Extraction

_CHUNK = 1 << 16
_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
# Below this many inflated bytes the ratio is not judged: a small, very repetitive file is no bomb.
_RATIO_FLOOR = 1 << 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DRIVE = re.compile(r"^[A-Za-z]:")


class _Stop(Exception):
    """A limit was reached while inflating one member."""

    def __init__(self, reason: str, whole_container: bool) -> None:
        super().__init__(reason)
        self.whole_container = whole_container


class ZipIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/zip", "application/x-zip-compressed")
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".zip",)
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        limits = ctx.limits
        if ctx.depth >= limits.depth:
            raise LimitExceeded(f"containers nested {ctx.depth} deep, the depth limit is {limits.depth}: "
                                "members not extracted")
        declared = _declared_entries(path)
        if declared is not None and declared > 2 * limits.members:
            # zipfile would build the whole directory in memory before any limit could apply.
            raise LimitExceeded(f"the zip declares {declared} entries, over twice the member-count limit of "
                                f"{limits.members}; not opened")
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
            raise CorruptFile(f"not a readable zip archive: {e}") from e
        with zf:
            _check_directory(path, zf)
            infos = [i for i in zf.infolist() if not _is_folder(i)]
            names = decode_names(infos)
            ext = Extraction(media_type="application/zip", metadata={"members": len(infos)})
            if names.encoding:
                ext.metadata["name_encoding"] = names.encoding
            budget = ctx.expansion_budget()
            whole = _Whole(path.stat().st_size, _overlapping(infos))
            if whole.overlaps:
                ext.metadata["overlapping_entries"] = whole.overlaps
            taken: set[str] = set()
            traversal: list[str] = []
            unnamed: list[str] = []
            folder_names: list[str] = []
            spooled: dict[int, Child] = {}  # local entry offset -> the child inflated from it
            for index, info in enumerate(infos):
                if index >= limits.members:
                    ext.status = "expansion_limit"
                    ext.reason = (f"{len(infos)} members, over the member-count limit of {limits.members} "
                                  f"(--max-members); the first {limits.members} were extracted")
                    break
                if budget.members >= budget.total_members:
                    ext.status = "expansion_limit"
                    ext.reason = (f"more than {budget.total_members:,} members in this container and the "
                                  "containers inside it together (the total-member limit, --max-total-members); "
                                  f"the members from {index + 1} of {len(infos)} on were not extracted")
                    break
                budget.members += 1
                name = names.by_info[id(info)]
                if not name.strip("/\\. "):
                    # No name at all (or only slashes and dots): a placeholder the user can read, said to be one.
                    name = f"(unnamed member {index + 1})"
                    unnamed.append(name)
                elif name.endswith(("/", "\\")):
                    folder_names.append(naming.shown(name))
                safe, why = safe_name(name)
                safe = _unique(naming.shown(safe), taken)
                name = naming.shown(name)
                if why:
                    traversal.append(f"{name!r} ({why}) kept as {safe!r}")
                dest = ctx.workdir / f"member-{index:06d}"
                same = spooled.get(info.header_offset)
                if same is not None and same.status is None:
                    # Another directory entry for a local entry already inflated: the same bytes, linked,
                    # not inflated again; counted all the same, as a zip an archiver wrote never does this.
                    whole.inflated += os.stat(same.path).st_size
                    whole.shared += 1
                    try:
                        whole.check(limits.ratio, safe)
                    except _Stop as stop:
                        ext.status, ext.reason = "expansion_limit", str(stop)
                        break
                    os.link(same.path, dest)
                    child = Child(safe, str(dest))
                else:
                    try:
                        child = _extract(zf, info, safe, dest, ctx, budget, whole)
                    except _Stop as stop:
                        dest.unlink(missing_ok=True)
                        ext.status, ext.reason = "expansion_limit", str(stop)
                        if stop.whole_container:
                            break
                        continue
                    spooled[info.header_offset] = child
                if why and child.status is None:
                    child = Child(child.name, child.path, "path_traversal",
                                  f"the member name {name!r} points outside the archive ({why}); "
                                  f"kept as {safe!r}")
                raw = names.raw[id(info)]
                ext.children.append(Child(child.name, child.path, child.status, child.reason,
                                          None if safe.encode("utf-8") == raw else raw,
                                          names.encodings.get(id(info))))
            if unnamed:
                ext.metadata["unnamed_members"] = unnamed
            if folder_names:
                ext.metadata["folder_names_with_data"] = folder_names[:100]
            mark_traversal(ext, traversal)
            return ext


def _is_folder(info: zipfile.ZipInfo) -> bool:
    """A folder entry: a name ending in "/" and no data. (ZipInfo.is_dir fails on an empty name and calls a
    member with data a folder, which would lose it.) An empty deflate stream is 2 bytes."""
    return info.filename.endswith("/") and info.file_size == 0 and info.compress_size <= 2


@dataclass
class _Whole:
    """The zip as a whole: its size on disk, the bytes inflated from it so far, and the entries whose data
    overlap another's (none in a zip an archiver wrote)."""

    size: int
    overlaps: int
    inflated: int = 0
    shared: int = 0  # directory entries that repeat another's local entry

    def check(self, ratio: float, name: str) -> None:
        if self.inflated > _RATIO_FLOOR and self.inflated > ratio * self.size:
            how = (f"{self.overlaps} of its entries overlap (a zip bomb by overlap)" if self.overlaps else
                   f"{self.shared} of its directory entries repeat another's data (a zip bomb by overlap)"
                   if self.shared else "its members together")
            raise _Stop(f"the zip's members expand more than {ratio:g}x the zip's own {self.size:,} bytes ({how}; "
                        f"the ratio limit, --max-ratio): stopped at member {name!r}, the members before it are "
                        "kept", True)


def _overlapping(infos: list[zipfile.ZipInfo]) -> int:
    """How many entries' data start inside an earlier entry's data (entries sharing one local entry are
    not counted: they are inflated once)."""
    spans = sorted({(i.header_offset, i.header_offset + 30 + len(i.orig_filename.encode("utf-8", "surrogateescape"))
                     + i.compress_size) for i in infos})
    n, end, last = 0, -1, -1
    for start, stop in spans:
        if start == last:
            continue
        if start < end:
            n += 1
        end, last = max(end, stop), start
    return n


def _declared_entries(path: Path) -> int | None:
    """The entry count the end-of-directory record declares (zip64-aware), read with zipfile's own
    record parser before it loads the directory; None when there is no readable record."""
    find = getattr(zipfile, "_EndRecData", None)
    if find is None:
        return None
    try:
        with open(path, "rb") as f:
            record = find(f)
    except (OSError, struct.error, zipfile.BadZipFile, ValueError):
        return None
    return int(record[4]) if record else None


def _check_directory(path: Path, zf: zipfile.ZipFile) -> None:
    """A zip cut short has lost its central directory; zipfile then finds the directory of a zip stored
    inside it and would list the inner archive's members as this one's. A file that starts with a local
    header has its first member at offset 0: anything else means the directory is not its own."""
    with open(path, "rb") as f:
        starts_with_member = f.read(4) == b"PK\x03\x04"
    offsets = [i.header_offset for i in zf.infolist()]
    if starts_with_member and offsets and min(offsets) != 0:
        raise CorruptFile("the zip is truncated or damaged: its own central directory is missing (the one "
                          "found belongs to an archive stored inside it)")


class _Names:
    def __init__(self) -> None:
        self.by_info: dict[int, str] = {}      # may hold surrogate-escaped bytes (see ingest.names)
        self.raw: dict[int, bytes] = {}        # each member name's bytes as stored in the zip
        self.encodings: dict[int, str] = {}    # members whose names are not UTF-8: what decoded them
        self.encoding: str | None = None


def decode_names(infos: list[zipfile.ZipInfo]) -> _Names:
    """Member names as the archiver meant them. Without the UTF-8 flag (bit 11) zipfile decodes names
    as cp437; Chinese Windows archivers wrote GBK there. The cp437 text is re-encoded to get the
    original bytes, which are decoded by ingest.names (UTF-8 if valid, else GB18030 or Big5 judged over
    all the archive's unflagged names together, else kept with the undecodable bytes escaped)."""
    out = _Names()
    unflagged: dict[int, bytes] = {}
    for info in infos:
        if info.flag_bits & _UTF8_FLAG:
            out.by_info[id(info)] = info.filename
            out.raw[id(info)] = info.orig_filename.encode("utf-8", errors="surrogateescape")
            continue
        try:
            unflagged[id(info)] = info.orig_filename.encode("cp437")
        except UnicodeEncodeError:
            out.by_info[id(info)] = info.filename
            out.raw[id(info)] = info.orig_filename.encode("utf-8", errors="surrogateescape")
    non_utf8 = [d for d in unflagged.values() if not _is_utf8(d)]
    guessed = naming.guess(b"\n".join(non_utf8)) if non_utf8 else None
    for key, data in unflagged.items():
        out.raw[key] = data
        text, encoding = naming.decode(data, guessed)
        out.by_info[key] = text
        if encoding is not None:
            out.encodings[key] = encoding
            out.encoding = out.encoding or encoding
    return out


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def safe_name(name: str) -> tuple[str, str | None]:
    """(a relative name that stays inside the container, why the original was unsafe or None)."""
    name = _CONTROL.sub("_", name.replace("\\", "/"))
    why = None
    if name.startswith("/"):
        why = "absolute path"
    elif _DRIVE.match(name):
        why = "drive letter"
        name = name[2:]
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        why = why or "'..' in the path"
        parts = [p for p in parts if p != ".."]
    if not parts:
        parts = ["unnamed"]
    if why:
        parts = ["_unsafe", *parts]
    return "/".join(parts), why


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        stem, dot, suffix = name.rpartition(".")
        candidate = f"{stem} ({n}).{suffix}" if dot and "/" not in suffix and stem else f"{name} ({n})"
    taken.add(candidate)
    return candidate


def _extract(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, dest: Path, ctx: IngestContext,
             budget: ExpansionBudget, whole: _Whole | None = None) -> Child:
    limits = ctx.limits
    declared = info.file_size
    if declared > limits.member_bytes:
        raise _Stop(f"member {name!r} declares {declared} bytes, over the per-member limit of "
                    f"{limits.member_bytes}; not inflated", False)
    if declared > _RATIO_FLOOR and declared > limits.ratio * max(info.compress_size, 1):
        raise _Stop(f"member {name!r} would expand {declared / max(info.compress_size, 1):.0f}x "
                    f"({info.compress_size} to {declared} bytes), over the ratio limit of {limits.ratio:g}; "
                    "not inflated", False)
    if budget.used + declared > budget.total:
        raise _Stop(f"member {name!r} would bring the container past the total limit of {budget.total} "
                    "bytes (all its members and nested containers together); it and the members after it "
                    "were not inflated", True)
    if info.flag_bits & _ENCRYPTED_FLAG:
        return _encrypted(zf, info, name, dest, ctx, budget, whole)
    return _inflate(zf, info, name, dest, ctx, budget, None, whole)


def _inflate(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, dest: Path, ctx: IngestContext,
             budget: ExpansionBudget, pwd: bytes | None, whole: _Whole | None = None) -> Child:
    limits = ctx.limits
    written = 0
    try:
        with zf.open(info, pwd=pwd) as src, open(dest, "wb") as out:
            while chunk := src.read(_CHUNK):
                written += len(chunk)
                budget.used += len(chunk)
                if written > limits.member_bytes:
                    raise _Stop(f"member {name!r} inflated past the per-member limit of "
                                f"{limits.member_bytes} bytes; stopped", False)
                if budget.used > budget.total:
                    raise _Stop(f"member {name!r} took the container past the total limit of "
                                f"{budget.total} bytes (--max-total-mb); stopped", True)
                if whole is not None:
                    whole.inflated += len(chunk)
                    whole.check(limits.ratio, name)
                # zipfile keeps the compressed bytes still unread; the ratio is judged on what was
                # consumed so far, so a bomb is caught after about _RATIO_FLOOR bytes, not at the end.
                left = getattr(src, "_compress_left", 0) or 0
                consumed = max(info.compress_size - left, 1)
                if written > _RATIO_FLOOR and written > limits.ratio * consumed:
                    raise _Stop(f"member {name!r} expands more than {limits.ratio:g}x (the ratio limit); "
                                f"stopped after {written} bytes", False)
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, UnicodeDecodeError,
            ValueError) as e:
        if "Overlapped entries" in str(e):  # Python 3.12+ refuses overlapping entries itself
            raise _Stop(f"member {name!r} overlaps another entry's data (a zip bomb by overlap, refused before "
                        "it was inflated; the ratio limit, --max-ratio, does not apply to it)", False) from e
        dest.touch()  # what was read is kept; a member that failed at once is kept empty, with the reason
        return Child(name, str(dest), "corrupt", f"the member cannot be fully read: {e}")
    return Child(name, str(dest))


def _encrypted(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, dest: Path, ctx: IngestContext,
               budget: ExpansionBudget, whole: _Whole | None) -> Child:
    for password in ctx.passwords:
        try:
            # ZipCrypto checks one byte of the password at open: a wrong one fails here (1 in 256
            # passes and then fails the CRC check at the end).
            with zf.open(info, pwd=password.encode("utf-8")) as probe:
                probe.read(1)
        except RuntimeError:
            continue
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, UnicodeDecodeError, ValueError, OSError):
            continue
        child = _inflate(zf, info, name, dest, ctx, budget, password.encode("utf-8"), whole)
        if child.status is None:
            ctx.notes.append("password used")
            return child
    # Keep the member as stored (still encrypted) so its bytes are preserved and hashed.
    _copy_stored(zf, info, dest)
    tried = f"none of the {len(ctx.passwords)} passwords given opens it" if ctx.passwords else \
        "no password was given (use --password)"
    return Child(name, str(dest), "encrypted", f"the zip member is encrypted: {tried}")


def _copy_stored(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
    """The member's compressed (encrypted) bytes as they sit in the archive."""
    fp = zf.fp
    if fp is None:
        dest.write_bytes(b"")
        return
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        dest.write_bytes(b"")
        return
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    with open(dest, "wb") as out:
        while left > 0:
            chunk = fp.read(min(_CHUNK, left))
            if not chunk:
                break
            out.write(chunk)
            left -= len(chunk)
