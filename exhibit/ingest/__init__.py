"""Ingest: walk the given paths, store every file's bytes, extract pages, tables and metadata, catalogue them.

    walk.py    the files under the given paths        worker.py  store, detect, extract (worker processes)
    run.py     the driver: pool, batches, retries      formats/   one small ingestor per format
    detect.py  type from content                       reocr.py   OCR of stored exhibits again
"""

from __future__ import annotations

from exhibit.ingest.run import Summary, ingest

__all__ = ["Summary", "ingest"]
