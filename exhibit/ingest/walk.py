"""Walking the paths given to ingest: every regular file, in a stable order, streamed (memory stays flat).

Links are never followed, whether named on the command line or found inside a folder: a link can point
anywhere (outside the cache, into the archive itself, round in a loop), and what it points at is not
part of what was received. Every link met is reported with its target, so none is skipped unseen.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from exhibit.ingest import names


@dataclass
class Task:
    """One file to preserve and process."""

    abs_path: str   # as the OS gives it (undecodable bytes surrogate-escaped)
    rel: str        # relative to the ingest root, '/' separated, readable (see ingest.names)
    size: int
    mtime_ns: int
    rel_bytes: bytes | None = None     # the name's exact bytes when `rel` is not them (not UTF-8)
    rel_encoding: str | None = None    # what `rel` was decoded with (None: UTF-8)

    @property
    def seen_key(self) -> str:
        """The file's key among the ingest root's seen files: its exact bytes when not UTF-8, so that a
        readable form equal to a sibling's UTF-8 name cannot make a rerun skip the wrong file ('/' starts
        no relative path, so the key cannot be a real name)."""
        return self.rel if self.rel_bytes is None else "/" + self.rel_bytes.hex()


def _task(full: str, rel: str, st: os.stat_result) -> Task:
    name = names.of_os(rel)
    return Task(full, name.text, st.st_size, st.st_mtime_ns, name.raw, name.encoding)


def shown_path(path: str | Path) -> str:
    """A path from the OS (the command line, os.walk) in its readable form, for reports."""
    return names.of_os(str(path)).text


def walk(paths: list[Path], unreadable: Callable[[str, str], None] | None = None,
         link: Callable[[str, str], None] | None = None) -> Iterator[tuple[Path, Task]]:
    """(root, task) for every regular file under the given paths, in a stable order. A folder that cannot
    be listed is reported to `unreadable(path, reason)` (os.walk would skip it silently); every link, on
    the command line or in a folder, to `link(path, target)` and not followed."""

    def report_link(shown: str, full: str) -> None:
        if link is not None:
            try:
                target = os.readlink(full)
            except OSError as e:
                target = f"(unreadable: {e.strerror or e})"
            link(shown, names.of_os(target).text)

    for root in paths:
        try:
            root_st = os.lstat(root)
        except OSError:
            continue  # the caller checked that it exists; gone since
        if stat.S_ISLNK(root_st.st_mode):
            report_link(shown_path(root), str(root))
            continue
        if stat.S_ISREG(root_st.st_mode):
            yield root, _task(str(root.resolve()), root.name, root_st)
            continue
        if not stat.S_ISDIR(root_st.st_mode):
            continue
        # One lstat per file: os.walk does not follow directory links and file links are reported, so a
        # path under the resolved root is already its real path (the walk runs before any worker works,
        # and three stats plus a realpath per file were a measurable share of a small-file ingest).
        base = str(root.resolve())

        def onerror(e: OSError, base: str = base, root: Path = root) -> None:
            if unreadable is not None:
                where = os.path.relpath(e.filename, base) if e.filename else "."
                unreadable(shown_path(f"{root}/{where}" if where != "." else root),
                           f"the folder cannot be read ({e.strerror or e}); the files in it were not ingested. "
                           "Check its permissions and run the same ingest again")

        for dirpath, dirnames, filenames in os.walk(base, followlinks=False, onerror=onerror):
            dirnames.sort()
            rel_dir = os.path.relpath(dirpath, base)
            # os.walk lists a link to a folder among the folders (and does not enter it): report it there.
            for dn in dirnames:
                full = os.path.join(dirpath, dn)
                if os.path.islink(full):
                    report_link(shown_path(os.path.join(root, rel_dir, dn) if rel_dir != "." else root / dn), full)
            for fn in sorted(filenames):
                full = os.path.join(dirpath, fn)
                try:
                    st = os.lstat(full)
                except FileNotFoundError:  # gone since the folder was listed
                    continue
                rel = fn if rel_dir == "." else f"{rel_dir.replace(os.sep, '/')}/{fn}"
                if stat.S_ISLNK(st.st_mode):
                    report_link(shown_path(os.path.join(root, rel)), full)
                if not stat.S_ISREG(st.st_mode):
                    continue
                yield root, _task(full, rel, st)


def count_files(paths: list[Path]) -> int:
    """How many regular files the paths hold, from the directory entries alone (no stat per file on
    most file systems): the progress bar's total, counted while the ingest already runs."""
    n = 0
    stack = []
    for root in paths:
        if root.is_symlink():
            continue  # never followed (see walk)
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
