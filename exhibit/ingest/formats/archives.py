"""7z, RAR and CAB archives through libarchive: members as child exhibits, with the zip ingestor's safe
names and the same expansion limits counted block by block as libarchive inflates.

libarchive (Debian's libarchive13 through the libarchive-c binding) streams each member in blocks, so
a bomb is stopped the moment a limit is reached, nothing is written under a member's own name, and
links and devices are listed, never followed. It cannot decrypt 7z or RAR: an encrypted archive (or
member) is kept with status `encrypted` and a reason saying how to open it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from exhibit.errors import CorruptFile, Encrypted, LimitExceeded
from exhibit.ingest import names as naming
from exhibit.ingest.formats import IngestContext, mark_traversal
from exhibit.ingest.formats.tar import _budget_error
from exhibit.ingest.formats.zip import _unique, safe_name
from exhibit.ingest.types import Child, Extraction

_NAMES = {"application/x-7z-compressed": "7z", "application/vnd.rar": "RAR",
          "application/vnd.ms-cab-compressed": "CAB"}


class ArchiveIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = tuple(_NAMES)
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".7z", ".rar", ".cab")
    SCORE: ClassVar[int] = 10

    def __init__(self, media_type: str = "application/x-7z-compressed") -> None:
        self.media_type = media_type

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        import libarchive
        from libarchive.exception import ArchiveError

        kind = _NAMES.get(self.media_type, "archive")
        if ctx.depth >= ctx.limits.depth:
            raise LimitExceeded(f"containers nested {ctx.depth} deep, the depth limit is {ctx.limits.depth}: "
                                "members not extracted")
        ext = Extraction(media_type=self.media_type)
        state = _State(path.stat().st_size)
        try:
            with libarchive.file_reader(str(path)) as archive:
                for entry in archive:
                    if not _member(entry, ext, state, ctx):
                        break
        except ArchiveError as e:
            _failed(e, kind, ext, state)
        ext.metadata = {"members": state.count, "format": kind}
        if state.skipped:
            ext.metadata["links_not_followed"] = state.skipped[:100]
        mark_traversal(ext, state.traversal)
        return ext


class _State:
    def __init__(self, compressed: int) -> None:
        self.compressed = compressed
        self.used = 0
        self.count = 0
        self.taken: set[str] = set()
        self.traversal: list[str] = []
        self.skipped: list[str] = []
        self.raw_names: list[bytes] = []
        self.current: Path | None = None


def _member(entry: Any, ext: Extraction, state: _State, ctx: IngestContext) -> bool:
    """Spool one entry to a numbered file in ctx.workdir; False once a limit stops the archive."""
    name, raw, encoding = _name(entry.pathname, state.raw_names)
    if not entry.isreg:
        if entry.issym or entry.islnk or entry.isdev or entry.isfifo:
            state.skipped.append(f"{name} ({'link' if entry.issym or entry.islnk else 'device'})")
        return True
    if state.count >= ctx.limits.members:
        ext.status = "expansion_limit"
        ext.reason = f"more than {ctx.limits.members} members (the member-count limit); the rest skipped"
        return False
    budget = ctx.expansion_budget()
    if budget.members >= budget.total_members:
        ext.status = "expansion_limit"
        ext.reason = (f"more than {budget.total_members:,} members in this container and the containers inside it "
                      "together (the total-member limit, --max-total-members); the rest skipped")
        return False
    budget.members += 1
    safe, why = safe_name(name)
    safe = _unique(naming.shown(safe), state.taken)
    name = naming.shown(name)
    dest = ctx.workdir / f"member-{state.count:06d}"
    state.count += 1
    state.current = dest
    written = 0
    problem: str | None = None
    with open(dest, "wb") as out:
        for block in entry.get_blocks():
            written += len(block)
            problem = _budget_error(safe, written, state.compressed, ctx, state.used + written)
            if problem:
                break
            out.write(block)
    state.current = None
    state.used += written
    ctx.expansion_budget().used += written
    if problem:
        dest.unlink(missing_ok=True)
        ext.status, ext.reason = "expansion_limit", problem
        return False
    original = None if raw is None or safe.encode("utf-8") == raw else raw
    child = Child(safe, str(dest), raw_name=original, name_encoding=encoding)
    if why:
        state.traversal.append(f"{name!r} ({why}) kept as {safe!r}")
        child = Child(safe, str(dest), "path_traversal",
                      f"the member name {name!r} points outside the archive ({why}); kept as {safe!r}",
                      original, encoding)
    ext.children.append(child)
    return True


def _failed(e: Exception, kind: str, ext: Extraction, state: _State) -> None:
    """An archive libarchive stopped reading: encrypted, or broken (after some members, or at once)."""
    if state.current is not None:
        state.current.unlink(missing_ok=True)
    msg = str(e).split(" (errno=", 1)[0]
    if "encrypt" in msg.lower() or "passphrase" in msg.lower():
        why = (f"the {kind} archive is encrypted ({msg}); exhibit cannot decrypt {kind} archives. The bytes "
               f"are preserved: extract it with 7-Zip and the password, then ingest the extracted folder")
        if not ext.children:
            raise Encrypted(why) from e
        ext.status, ext.reason = "encrypted", f"{why} ({len(ext.children)} members before the first encrypted one)"
        return
    if not ext.children:
        raise CorruptFile(f"not a readable {kind} archive: {msg}") from e
    ext.status, ext.reason = "corrupt", f"the {kind} archive breaks off after {len(ext.children)} members: {msg}"


def _name(name: str | bytes | None, seen: list[bytes]) -> tuple[str, bytes | None, str | None]:
    """A member name as (text, its bytes, encoding) for ingest.names; bytes that libarchive could not
    decode (an old RAR's code page, GBK) are judged over this archive's undecodable names together. The
    bytes of a name libarchive decoded itself are its UTF-8 (the archive's own bytes are not known)."""
    if name is None:
        return "unnamed", None, None
    if isinstance(name, str):
        return name, name.encode("utf-8", errors="surrogateescape"), None
    seen.append(name)
    text, encoding = naming.decode(name, naming.guess(b"\n".join(seen[-50:])))
    return text, name, encoding
