"""Content-addressed blob store: every file's bytes under blobs/ab/cd/<sha256>, written once, read-only."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO

from exhibit.archive import scratch

CHUNK = 1024 * 1024


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def tmp(self) -> Path:
        """This process's scratch folder in the archive: temporary files are renamed from there."""
        return scratch.folder(self.root.parent / "tmp")

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put_file(self, src: Path, pending_dirs: list[Path] | None = None) -> tuple[str, int]:
        """Hash and store a file in one pass; returns (sha256, size). Idempotent."""
        with open(src, "rb") as f:
            return self.put_stream(f, pending_dirs)

    def put_stream(self, stream: BinaryIO, pending_dirs: list[Path] | None = None) -> tuple[str, int]:
        """Store a stream. The file's bytes are fsynced before the rename that puts them in place; the
        fsync of the folder (which makes the rename itself durable) is done here, or, if `pending_dirs`
        is given, left to the caller, who must call `sync_dirs` before recording the blob anywhere."""
        # One pass: copy to a temporary file in the archive while hashing, then fsync and rename
        # into place, so a crash never leaves a partial blob under its final name.
        h = hashlib.sha256()
        size = 0
        fd, tmpname = tempfile.mkstemp(dir=self.tmp, prefix="blob-")
        try:
            with os.fdopen(fd, "wb") as out:
                buf = bytearray(CHUNK)
                view = memoryview(buf)
                while True:
                    n = stream.readinto(view)  # type: ignore[attr-defined]
                    if not n:
                        break
                    h.update(view[:n])
                    out.write(view[:n])
                    size += n
                out.flush()
                os.fsync(out.fileno())
            digest = h.hexdigest()
            final = self.path(digest)
            if final.exists():
                os.unlink(tmpname)
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmpname, 0o444)
                os.replace(tmpname, final)
                if pending_dirs is None:
                    _fsync_dir(final.parent)
                else:
                    pending_dirs.append(final.parent)
            return digest, size
        finally:  # a temporary file never outlives the call, whatever interrupted it
            if os.path.exists(tmpname):
                os.unlink(tmpname)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        import io

        return self.put_stream(io.BytesIO(data))

    def rehash(self, sha256: str) -> str | None:
        """The SHA-256 of the stored blob now, or None if it is missing."""
        p = self.path(sha256)
        if not p.exists():
            return None
        h = hashlib.sha256()
        with open(p, "rb") as f:
            while chunk := f.read(CHUNK):
                h.update(chunk)
        return h.hexdigest()

    def copy_to(self, sha256: str, dest: Path) -> None:
        shutil.copyfile(self.path(sha256), dest)


def sync_dirs(dirs: list[Path]) -> None:
    for d in set(dirs):
        _fsync_dir(d)


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
