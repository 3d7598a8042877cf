"""Shared helpers for the OCR tests: character error rate and reading the corpus scans."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from exhibit.ingest.formats import IngestContext
from exhibit.ingest.types import Page


def cer(hyp: str, ref: str) -> float:
    """Edit distance / length of the truth, white space removed from both."""
    h = "".join(hyp.split())
    r = "".join(ref.split())
    return Levenshtein.distance(h, r) / len(r)


def fold(s: str) -> str:
    """Lower case, diacritics removed, final punctuation ignored: how the ULY check compares."""
    s = unicodedata.normalize("NFKD", s.lower())
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.split()).rstrip(".!?,;:")


def ingest_file(path: Path, ctx: IngestContext) -> list[Page]:
    """Pages of one corpus file through the real format ingestor that the pipeline would choose."""
    from exhibit.ingest.detect import detect
    from exhibit.ingest.formats import choose

    media = detect(path, path.name).media_type
    return choose(media, path.name).ingest(path, ctx).pages
