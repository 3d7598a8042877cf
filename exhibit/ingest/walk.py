"""Walking the paths given to ingest: every regular file, in a stable order, streamed (memory stays flat)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Task:
    """One file to preserve and process."""

    abs_path: str
    rel: str        # relative to the ingest root, '/' separated
    size: int
    mtime_ns: int


def walk(paths: list[Path], unreadable: Callable[[str, str], None] | None = None) -> Iterator[tuple[Path, Task]]:
    """(root, task) for every regular file under the given paths, in a stable order. A folder that cannot
    be listed is reported to `unreadable(path, reason)` (os.walk would skip it silently)."""
    for root in paths:
        if root.is_file():
            st = root.stat()
            yield root, Task(str(root.resolve()), root.name, st.st_size, st.st_mtime_ns)
            continue
        if not root.is_dir():
            continue
        # One lstat per file: os.walk does not follow directory links and file links are skipped, so a
        # path under the resolved root is already its real path (the walk runs before any worker works,
        # and three stats plus a realpath per file were a measurable share of a small-file ingest).
        base = str(root.resolve())

        def onerror(e: OSError, base: str = base, root: Path = root) -> None:
            if unreadable is not None:
                where = os.path.relpath(e.filename, base) if e.filename else "."
                unreadable(f"{root}/{where}" if where != "." else str(root),
                           f"the folder cannot be read ({e.strerror or e}); the files in it were not ingested. "
                           "Check its permissions and run the same ingest again")

        for dirpath, dirnames, filenames in os.walk(base, followlinks=False, onerror=onerror):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, base)
            for fn in sorted(filenames):
                full = os.path.join(dirpath, fn)
                try:
                    st = os.lstat(full)
                except FileNotFoundError:  # gone since the folder was listed
                    continue
                if not stat.S_ISREG(st.st_mode):
                    continue
                rel = fn if rel_dir == "." else f"{rel_dir.replace(os.sep, '/')}/{fn}"
                yield root, Task(full, rel, st.st_size, st.st_mtime_ns)


def count_files(paths: list[Path]) -> int:
    """How many regular files the paths hold, from the directory entries alone (no stat per file on
    most file systems): the progress bar's total, counted while the ingest already runs."""
    n = 0
    stack = []
    for root in paths:
        if root.is_file():
            n += 1
        elif root.is_dir():
            stack.append(str(root))
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    if e.is_file(follow_symlinks=False):
                        n += 1
                    elif e.is_dir(follow_symlinks=False):
                        stack.append(e.path)
        except OSError:
            continue  # the walk itself reports unreadable folders
    return n
