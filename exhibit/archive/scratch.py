"""Scratch space under an archive's tmp/: one folder per process, locked while the process lives.

Several processes use one archive at once (an ingest and its workers, the web app, a `records extract`,
a `exhibit ls` typed meanwhile). Each gets its own folder `tmp/p<pid>-<random>/` holding a `.lock` file
on which it keeps an exclusive flock(2) until it exits; the kernel drops the lock when the process dies,
however it dies. Cleaning on open removes only the folders whose lock can be taken, i.e. the leftovers of
processes that are gone, and never a file that another live process is writing.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from pathlib import Path

# (archive tmp folder, pid) -> (this process's folder, the open locked file that keeps it ours)
_MINE: dict[tuple[str, int], tuple[Path, int]] = {}
_LEGACY_AGE = 24 * 3600  # entries without a lock (an older version's): removed once this old


def folder(tmp: Path) -> Path:
    """This process's scratch folder under `tmp` (made and locked on first use)."""
    key = (str(tmp), os.getpid())
    mine = _MINE.get(key)
    if mine is not None and mine[0].is_dir():
        return mine[0]
    if mine is not None:  # removed behind our back (by hand): make a new one
        os.close(mine[1])
    tmp.mkdir(parents=True, exist_ok=True)
    d = tmp / f"p{os.getpid()}-{secrets.token_hex(4)}"
    d.mkdir()
    fd = os.open(d / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    _MINE[key] = (d, fd)
    return d


def clean(tmp: Path) -> int:
    """Remove the scratch folders of processes that are gone; returns how many were removed."""
    if not tmp.is_dir():
        return 0
    mine = {d for (_, pid), (d, _) in _MINE.items() if pid == os.getpid()}
    removed = 0
    for entry in tmp.iterdir():
        if entry in mine:
            continue
        lock = entry / ".lock"
        if entry.is_dir() and lock.exists():
            try:
                fd = os.open(lock, os.O_RDWR)
            except FileNotFoundError:
                continue  # its owner is removing it
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live process holds it
            finally:
                os.close(fd)
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
        else:
            try:
                old = time.time() - entry.lstat().st_mtime > _LEGACY_AGE
            except FileNotFoundError:
                continue
            if old:
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
                removed += 1
    return removed


def confine_matplotlib(archive_root: Path) -> None:
    """Point matplotlib's configuration and font cache at this process's scratch folder of the archive, before
    matplotlib is first imported: left alone it writes ~/.config/matplotlib and ~/.cache/matplotlib, and
    nothing of a sensitive cache's work may land outside the archive (issue 13). Forced whatever the user's
    environment says; once matplotlib is imported in the process, it has read the setting already."""
    home = folder(archive_root / "tmp") / "matplotlib"
    home.mkdir(exist_ok=True)
    os.environ["MPLCONFIGDIR"] = str(home)
