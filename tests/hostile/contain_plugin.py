"""A test-only ingestor, registered through the real plugin contract (the "exhibit.ingestors" entry-point
group), that behaves like a parser no one foresaw: its files say how it misbehaves."""

from __future__ import annotations

import collections
import itertools
import time
from pathlib import Path
from typing import ClassVar

from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Extraction, Page

MAGIC = b"EXHIBIT-HOSTILE-TEST "


class HostileIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("application/x-exhibit-hostile-test",)
    EXTENSIONS: ClassVar[tuple[str, ...]] = (".hostile",)
    SCORE: ClassVar[int] = 10

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        head = path.read_bytes()[:200]
        mode = head[len(MAGIC):].split(b"\n", 1)[0].decode() if head.startswith(MAGIC) else ""
        hog: list[bytes] = []
        if mode == "memory":  # holds ever more memory, each page really written (as a runaway decoder would)
            while True:
                hog.append(b"m" * (16 * 1024 * 1024))
        elif mode == "cpu":  # spins in Python
            n = 0
            while True:
                n += 1
        elif mode == "sleep":  # waits forever where Python has control (a lock, a pipe)
            time.sleep(3600)
        elif mode == "stuck-in-c":  # an endless loop in C that never looks at signals
            collections.deque(itertools.repeat(0), maxlen=0)
        elif mode == "scratch-one":  # spools one ever-growing file
            with open(ctx.workdir / "spool.bin", "wb") as f:
                while True:
                    f.write(b"s" * (1024 * 1024))
        elif mode == "scratch-many":  # spools ever more members, each small
            for i in itertools.count():
                (ctx.workdir / f"member-{i}.bin").write_bytes(b"s" * (256 * 1024))
                time.sleep(0.005)
        return Extraction(media_type=self.MEDIA_TYPES[0], pages=[Page(1, head.decode(errors="replace"))])
