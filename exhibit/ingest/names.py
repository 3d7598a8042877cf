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
# Share of a name's non-ASCII characters that must be common Han characters for a CJK reading: a
# four-character name may hold one rare character; a chance reading of random bytes rarely does better.
_PLAUSIBLE = 0.75


@dataclass(frozen=True)
class Name:
    """A name as received: `text` the readable form, `raw` its original bytes when `text` is not exactly
    them (not UTF-8, or made safe inside a container), `encoding` what `text` was decoded with (None for
    UTF-8, `unknown` when undecodable bytes are shown as `\\xNN`)."""

    text: str
    raw: bytes | None = None
    encoding: str | None = None


def guess(sample: bytes) -> str:
    """The encoding judged over many names together (all the names of one zip), for `decode`'s ties."""
    return charset.detect_encoding(sample)


def decode(raw: bytes, guessed: str | None = None) -> tuple[str, str | None]:
    """(text, encoding) of a name's bytes; the text may hold lone surrogates (surrogateescape) for bytes
    no encoding decodes, so that callers can still split and clean it before `shown` makes them visible.
    `guessed` is the encoding judged over the other names of the same container (`guess`), which wins
    where a name reads as well in GB18030 as in Big5; without it GB18030, of the mainland caches."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    scored: list[tuple[float, bool, str, str]] = []
    for encoding in _CJK:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((charset._plausibility(text), encoding == (guessed or "gb18030"), encoding, text))
    # Each name is judged on its own reading (a zip may mix a GBK and a Big5 name); where both read
    # as well, the encoding judged over all the names wins. Random bytes often decode in GB18030
    # (nearly every byte pair is a character), so only a reading mostly in common characters is taken.
    if scored:
        plausibility, _, encoding, text = max(scored)
        if plausibility >= _PLAUSIBLE:
            return text, encoding
    return raw.decode("utf-8", errors="surrogateescape"), UNKNOWN


def shown(text: str) -> str:
    """Lone surrogates (undecodable bytes carried by surrogateescape) as visible `\\xNN` escapes."""
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", text)


def of_bytes(raw: bytes) -> Name:
    """A name given as bytes (a name on disk), judged on its own."""
    text, encoding = decode(raw)
    readable = shown(text)
    return Name(readable, None if readable.encode("utf-8") == raw else raw, encoding)


def of_os(name: str) -> Name:
    """A name from os.walk or os.listdir (str with the undecodable bytes surrogate-escaped)."""
    return of_bytes(os.fsencode(name))
