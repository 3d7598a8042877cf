"""Text encoding detection for Chinese-heavy leak caches: BOMs, strict UTF-8, then GB18030 vs Big5.

charset-normalizer alone misjudges short Chinese strings (a three-character name in GBK reads as Big5
or even as Korean), so the CJK candidates are arbitrated by how many decoded characters fall among the
commonly used characters of each standard (GB2312 level 1, Big5's 常用字); a wrong decoding lands in
rare characters, kana or symbols. charset-normalizer decides only for non-CJK legacy encodings.
"""

from __future__ import annotations

import codecs
from functools import cache

_CJK = ("gb18030", "big5")
_CN_CJK_NAMES = {"gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp950", "hz", "cp936"}


@cache
def _common_han() -> frozenset[str]:
    """GB2312 level-1 hanzi (the 3,755 most used simplified) and Big5's 5,401 常用字 (traditional)."""
    chars: set[str] = set()
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for hi in range(0xA4, 0xC7):
        for lo in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if (hi, lo) > (0xC6, 0x7E):
                break
            try:
                chars.add(bytes((hi, lo)).decode("big5"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def _plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common Han characters or CJK punctuation."""
    common = _common_han()
    hits = total = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        total += 1
        if ch in common or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or o in (0xB7, 0x2014, 0x2026,
                                                                                   0x201C, 0x201D):
            hits += 1
    return hits / total if total else 0.0


def _strict(data: bytes, encoding: str) -> str | None:
    """Decode strictly, forgiving one multi-byte sequence cut off at the end of a sample."""
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        return dec.decode(data, final=False)
    except UnicodeDecodeError:
        return None


def _bom(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) and len(data) >= 4 and data[2:4] in (
            b"\x00\x00", b"\xfe\xff"):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) / 2)
    odd_nul = sample[1::2].count(0) / (len(sample) / 2)
    if odd_nul > 0.4 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.4 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def detect_encoding(data: bytes) -> str:
    """The encoding of `data` (a whole file or a large sample of it), as a Python codec name."""
    bom = _bom(data)
    if bom:
        return bom
    if _strict(data, "utf-8") is not None:
        return "utf-8"
    u16 = _utf16_without_bom(data)
    if u16:
        return u16
    scored: list[tuple[float, int, str]] = []
    for i, enc in enumerate(_CJK):
        text = _strict(data, enc)
        if text is not None:
            scored.append((_plausibility(text), -i, enc))
    scored.sort(reverse=True)
    if scored and scored[0][0] >= 0.5:
        if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.05:
            if sum(1 for b in data if b >= 0x80) < 16:
                # A few characters read plausibly both ways (名单 in GBK is 靡等 in Big5): with so
                # little to judge on, take the encoding of the mainland caches this tool is for.
                return "gb18030"
            return _arbitrate(data, [s[2] for s in scored[:2]])
        return scored[0][2]
    return _legacy(data, scored[0][2] if scored else None)


def _arbitrate(data: bytes, candidates: list[str]) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=candidates).best()
    return best.encoding if best is not None and best.encoding in candidates else candidates[0]


def _legacy(data: bytes, cjk_fallback: str | None) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding not in _CN_CJK_NAMES:
        return best.encoding
    return cjk_fallback or (best.encoding if best is not None else "gb18030")


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters of `text` that are common Han characters or CJK punctuation."""
    return _plausibility(text)


def _single_byte(encoding: str) -> bool:
    try:
        return len(bytes(range(0x80, 0x100)).decode(encoding, errors="replace")) == 128
    except LookupError:
        return False


def contradiction(data: bytes, declared: str) -> str | None:
    """Why the bytes `data` cannot be in the codec `declared` (a page's or a mail's own claim), or None
    when they can. A declaration that lies (utf-16 on ASCII-compatible bytes, latin-1 on UTF-8 Chinese,
    utf-8 on GB18030) would turn the text into garbage that no search finds."""
    name = codecs.lookup(declared).name
    if name.startswith(("utf-16", "utf-32")):
        # A declaration readable as ASCII is itself proof that the bytes are not UTF-16/32 (so browsers
        # read such a page as UTF-8, WHATWG "prescan").
        return f"the page declares {declared}, but the declaration itself is written in ASCII-compatible bytes"
    if not data.isascii() and name != "utf-8" and _strict(data, "utf-8") is not None:
        return f"the bytes are valid UTF-8 with multi-byte characters, which {declared} would show as other characters"
    text = _strict(data, name)
    if text is None:
        return f"the bytes are not valid {declared}"
    if _single_byte(name) and not data.isascii():
        found = detect_encoding(data)
        if found in _CJK:
            return f"the bytes read as {found} Chinese text, which {declared} (one byte a character) would garble"
    if name in _CJK or name in ("gbk", "gb2312", "big5hkscs", "cp950", "cp936"):
        found = detect_encoding(data)
        if found in _CJK and codecs.lookup(found).name != name:
            other = _strict(data, found)
            if other is not None and _plausibility(other) - _plausibility(text) > 0.3:
                return (f"the bytes read as common {found} characters; as {declared} they are mostly rare "
                        "characters")
    return None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) for a whole file's bytes; undecodable bytes become U+FFFD rather than failing."""
    enc = detect_encoding(data)
    return data.decode(enc, errors="replace"), enc


def decode_sample(head: bytes) -> str | None:
    """A sniffing sample decoded for content detection, or None when it is not text."""
    enc = detect_encoding(head)
    text = head.decode(enc, errors="replace")
    if text.count("\ufffd") > max(2, len(text) // 50):
        return None
    return text
