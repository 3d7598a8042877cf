"""Containment of a file's parsing by mechanism: process limits and watchdogs that hold whatever the format.

The per-format guards (ratios, member counts, pixels) come first; these catch what no one foresaw.
In the worker process: an address-space limit (RLIMIT_AS, set once), and per top-level file a CPU-time
limit (RLIMIT_CPU raised from the worker's usage so far), a scratch limit (RLIMIT_FSIZE on any one file,
and a watcher thread summing the file's work folder) and a wall-clock limit (the same watcher). Where
Python gets control, reaching one raises LimitExceeded in the parser, so the file is recorded as
`expansion_limit` with what was read so far. A parser stuck in C never gives Python control: for it the
main process reads each worker's deadline off a shared `Board` and kills the worker that overran; the
driver then retries the files in flight alone and records the one that overruns again.
"""

from __future__ import annotations

import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from pathlib import Path
from types import FrameType
from typing import Any

from exhibit.config import Limits
from exhibit.errors import LimitExceeded

# The worker's watcher asks the main thread to stop with this signal (the parser's code runs there).
_STOP = signal.SIGUSR1
_WATCH_EVERY = 0.5  # seconds between two looks at the clock and the work folder


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB"


def memory_reason(limits: Limits) -> str:
    return (f"reached the {_mb(limits.memory_bytes)} memory limit per worker process (--max-memory-mb); "
            "the bytes are preserved, and an ingest with a higher limit reads the file")


def cpu_reason(limits: Limits) -> str:
    return f"reached the {limits.cpu_seconds} s CPU-time limit per file (--max-cpu-seconds)"


def wall_reason(limits: Limits) -> str:
    return f"reached the {limits.wall_seconds} s wall-time limit per file (--max-seconds)"


def scratch_reason(limits: Limits) -> str:
    return f"reached the {_mb(limits.scratch_bytes)} scratch-disk limit per file (--max-scratch-mb)"


def kill_grace(limits: Limits) -> float:
    """How long past its wall-time limit a worker may take to stop by itself before it is killed."""
    return 5.0 + limits.wall_seconds / 10


class Board:
    """Per worker of one pool: its pid and the monotonic time by which its current file must be done
    (0: idle). Workers write their own slot; the main process reads them all. Shared memory made by the
    main process and handed to the workers as they are spawned."""

    def __init__(self, ctx: BaseContext, slots: int) -> None:
        self._pids: Any = ctx.Array("q", slots, lock=False)
        self._deadlines: Any = ctx.Array("d", slots, lock=False)
        self._lock: Any = ctx.Lock()

    def claim(self) -> int:
        with self._lock:
            for i in range(len(self._pids)):
                if self._pids[i] == 0:
                    self._pids[i] = os.getpid()
                    return i
        raise RuntimeError("more worker processes than slots on the board")  # unreachable: one per worker

    def set_deadline(self, slot: int, deadline: float) -> None:
        self._deadlines[slot] = deadline

    def overdue(self, now: float) -> list[int]:
        """The pids of the workers whose file overran its deadline."""
        return [self._pids[i] for i in range(len(self._pids))
                if self._pids[i] and 0 < self._deadlines[i] < now]


class _Guard:
    """The worker's limits for the file being read (one worker process reads one file at a time)."""

    def __init__(self, limits: Limits, board: Board | None) -> None:
        self.limits = limits
        self.board = board
        self.slot = board.claim() if board is not None else -1
        self.armed = False
        self.tripped: str | None = None  # the reason of the limit reached by the current file
        self.asked: str | None = None    # the watcher's reason, for the handler of _STOP
        self.lock = threading.Lock()


_GUARD: list[_Guard] = []  # one entry in a worker process


def install(limits: Limits, board: Board | None) -> None:
    """Set up a worker process: its address-space limit and the handlers of the per-file limits."""
    _GUARD[:] = [_Guard(limits, board)]
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or limits.memory_bytes < hard:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, hard))
    signal.signal(signal.SIGXCPU, _on_signal)
    signal.signal(signal.SIGXFSZ, _on_signal)  # caught, a write past RLIMIT_FSIZE fails with EFBIG instead of killing
    signal.signal(_STOP, _on_signal)


def tripped() -> str | None:
    """The reason of the limit the current file reached, if any (also when the parser swallowed it)."""
    return _GUARD[0].tripped if _GUARD else None


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if not _GUARD:
        return
    g = _GUARD[0]
    with g.lock:
        if not g.armed or g.tripped is not None:
            # Between files, or the file already told once: the parser is not interrupted twice (the
            # pipeline is finishing what was read; a parser that ignores it meets the main watchdog).
            return
        if signum == signal.SIGXCPU:
            g.tripped = cpu_reason(g.limits)
        elif signum == signal.SIGXFSZ:
            g.tripped = scratch_reason(g.limits)
        else:
            g.tripped = g.asked or wall_reason(g.limits)
        reason = g.tripped
    raise LimitExceeded(reason)


def _folder_bytes(folder: Path) -> int:
    total = 0
    stack = [folder]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for e in it:
                    try:
                        if e.is_dir(follow_symlinks=False):
                            stack.append(Path(e.path))
                        else:
                            total += e.stat(follow_symlinks=False).st_blocks * 512
                    except OSError:
                        continue  # removed meanwhile
        except OSError:
            continue
    return total


def _watch(g: _Guard, work: Path, started: float, stop: threading.Event) -> None:
    main = threading.main_thread().ident
    while not stop.wait(_WATCH_EVERY):
        reason = None
        if time.monotonic() - started > g.limits.wall_seconds:
            reason = wall_reason(g.limits)
        elif _folder_bytes(work) > g.limits.scratch_bytes:
            reason = scratch_reason(g.limits)
        if reason is not None and main is not None:
            with g.lock:
                if not g.armed or g.tripped is not None:
                    return
                g.asked = reason
            signal.pthread_kill(main, _STOP)
            return


@contextmanager
def file_limits(work: Path) -> Iterator[None]:
    """The limits of one top-level file (and its members), whose scratch is the folder `work`."""
    if not _GUARD:  # not in a worker process (a test calling the worker's functions directly)
        yield
        return
    g = _GUARD[0]
    limits = g.limits
    started = time.monotonic()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    fsize_hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
    # Soft limits only: an unprivileged process cannot raise a hard limit again for the next file.
    cpu_soft = int(usage.ru_utime + usage.ru_stime) + 1 + limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (_within(cpu_soft, cpu_hard), cpu_hard))
    resource.setrlimit(resource.RLIMIT_FSIZE, (_within(limits.scratch_bytes, fsize_hard), fsize_hard))
    if g.board is not None:
        g.board.set_deadline(g.slot, started + limits.wall_seconds + kill_grace(limits))
    with g.lock:
        g.armed, g.tripped, g.asked = True, None, None
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(g, work, started, stop), daemon=True)
    watcher.start()
    try:
        yield
    finally:
        with g.lock:
            g.armed = False
        stop.set()
        watcher.join()
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_hard, cpu_hard))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_hard, fsize_hard))
        if g.board is not None:
            g.board.set_deadline(g.slot, 0.0)


def _within(soft: int, hard: int) -> int:
    return soft if hard == resource.RLIM_INFINITY else min(soft, hard)
