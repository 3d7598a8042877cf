"""The ingestor of last resort: a file whose format exhibit does not read keeps its bytes and metadata."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Extraction


class FallbackIngestor:
    MEDIA_TYPES: ClassVar[tuple[str, ...]] = ("*/*",)
    EXTENSIONS: ClassVar[tuple[str, ...]] = ()
    SCORE: ClassVar[int] = 0

    def ingest(self, path: Path, ctx: IngestContext) -> Extraction:
        from exhibit.ingest.detect import sniff

        with open(path, "rb") as f:
            head = f.read(64 * 1024)
        media_type = sniff(path, head)
        metadata: dict[str, object] = {"size": path.stat().st_size}
        return Extraction(media_type=media_type, metadata=metadata)
