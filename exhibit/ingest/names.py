"""File and member names as data: the original bytes kept exactly, a readable form made from them.

A cache copied from a Chinese Windows machine names files in GBK; a damaged disk or a hostile sender
names them in bytes of no encoding at all. Such a name is kept twice in the catalog: its exact bytes,
and a readable form that is always valid Unicode. The readable form is decoded with UTF-8, else with
GB18030 (a superset of GBK) or Big5 when the bytes decode cleanly and read as common Han characters
(charset's judgement, made for short Chinese strings); anything else keeps its valid UTF-8 stretches and
shows each undecodable byte as a visible `\\xNN`. No single-byte guess (cp1252, KOI8 ...) is made: on a
dozen bytes it is a coin toss, and a wrong readable name misleads more than a visible escape does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from exhibit.ingest.formats import charset

UNKNOWN = "unknown"  # the encoding recorded when no encoding decodes the bytes: they are shown escaped
_CJK = ("gb18030", "big5")
_SURROGATE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Name:
    """A name as received: `text` the readable form, `raw` its original bytes when `text` is not exactly
    them (not UTF-8, or made safe inside a container), `encoding` what `text` was decoded with (None for
    UTF-8, `unknown` when undecodable bytes are shown as `\\xNN`)."""

    text: str
    raw: bytes | None = None
    encoding: str | None = None


def decode(raw: bytes, sample: bytes | None = None) -> tuple[str, str | None]:
    """(text, encoding) of a name's bytes; the text may hold lone surrogates (surrogateescape) for bytes
    no encoding decodes, so that callers can still split and clean it before `shown` makes them visible.
    `sample` is more text in the same encoding (all the names of one zip) for a surer judgement."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    guessed = charset.detect_encoding(sample if sample is not None else raw)
    order = [guessed, *(e for e in _CJK if e != guessed)] if guessed in _CJK else list(_CJK)
    for encoding in order:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Random bytes often decode in GB18030 (nearly every byte pair is a character); only a reading
        # in common characters is taken for the name.
        if charset._plausibility(text) >= 0.5:
            return text, encoding
    return raw.decode("utf-8", errors="surrogateescape"), UNKNOWN


def shown(text: str) -> str:
    """Lone surrogates (undecodable bytes carried by surrogateescape) as visible `\\xNN` escapes."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def of_bytes(raw: bytes, sample: bytes | None = None) -> Name:
    """A name given as bytes (a tar or zip member, a name on disk)."""
    text, encoding = decode(raw, sample)
    readable = shown(text)
    return Name(readable, None if readable.encode("utf-8") == raw else raw, encoding)


def of_os(name: str) -> Name:
    """A name from os.walk or os.listdir (str with the undecodable bytes surrogate-escaped)."""
    return of_bytes(os.fsencode(name))
