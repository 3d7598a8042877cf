"""The OCR cache: results keyed by image hash, languages, engine and pipeline version, in a SQLite file.

Several worker processes share the file, so it runs in WAL mode with a generous busy timeout.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from PIL import Image

SCHEMA = """CREATE TABLE IF NOT EXISTS ocr_cache (
    key TEXT PRIMARY KEY,
    image_sha256 TEXT NOT NULL,
    langs TEXT NOT NULL,
    engine TEXT NOT NULL,
    version TEXT NOT NULL,
    result TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""


def image_hash(image: Image.Image) -> str:
    """SHA-256 of the decoded pixels with mode and size: the same picture re-encoded hashes the same."""
    h = hashlib.sha256(f"{image.mode}:{image.width}x{image.height}:".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def cache_key(image_sha256: str, langs: list[str], engine: str, version: str) -> str:
    return hashlib.sha256(f"{image_sha256}|{'+'.join(langs)}|{engine}|{version}".encode()).hexdigest()


@lru_cache(maxsize=8)
def _connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(SCHEMA)
    return db


def get(path: Path | None, key: str) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        row = _connect(str(path)).execute("SELECT result FROM ocr_cache WHERE key=?", (key,)).fetchone()
    except sqlite3.Error:
        return None  # the cache only saves time: an unreadable cache means reading the image again
    return json.loads(row[0]) if row else None


def put(path: Path | None, key: str, image_sha256: str, langs: list[str], engine: str, version: str,
        result: dict[str, Any]) -> None:
    if path is None:
        return
    try:
        _connect(str(path)).execute(
            "INSERT OR REPLACE INTO ocr_cache(key, image_sha256, langs, engine, version, result) VALUES (?,?,?,?,?,?)",
            (key, image_sha256, "+".join(langs), engine, version, json.dumps(result, ensure_ascii=False)))
    except sqlite3.Error:
        pass  # a locked or full cache must not fail the page; the result is in the catalog anyway


def close_all() -> None:
    """Forget the open connections (they close when collected): for tests that delete archives."""
    _connect.cache_clear()
