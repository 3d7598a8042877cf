"""Family members from a register's free-text family column ('父亲玉素甫·伊布拉音（在校）；弟弟...')."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from exhibit.records.values import clean, clean_name
from exhibit.records.vocab import vocab

_SEPARATORS = frozenset("；;，,、\n")
_OPEN, _CLOSE = frozenset("（([【"), frozenset("）)]】")
_NOTHING = frozenset({"无", "没有", "无亲属", "none", "n/a", "-", "—", "/"})


def _parts(text: str) -> list[str]:
    """Split at separators that are not inside brackets ('玉素甫（父亲，在押）；...')."""
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if ch in _SEPARATORS and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts
_STATUS = re.compile(r"^(?P<body>.*?)\s*[（(\[【](?P<status>[^）)\]】]*)[）)\]】]\s*$")
_LEAD = re.compile(r"^[\s:：\-—]+")


def relation_of(word: str) -> str | None:
    """'父亲' -> 'father'; None when the word is not a known relation."""
    w = unicodedata.normalize("NFKC", word or "").strip().lower()
    for known, code in vocab().relations:
        if w == known:
            return code
    return None


def _split_relation(part: str) -> tuple[str | None, str | None, str]:
    """(relation code, relation as written, rest) for '父亲玉素甫' / '父亲：玉素甫' / 'father: X'."""
    low = unicodedata.normalize("NFKC", part).lower()
    for known, code in vocab().relations:
        if low.startswith(known):
            rest = part[len(known):]
            # A one-character word ('女', '子') is only a relation when something separates it from the
            # name, since such characters also begin names.
            if len(known) == 1 and not re.match(r"^[\s:：\-—]", rest):
                continue
            if known.isascii() and rest[:1].isalpha():
                continue
            return code, part[:len(known)], _LEAD.sub("", rest)
    return None, None, part


def parse(text: str) -> list[dict[str, Any]]:
    """Each family member written in `text`: {relation, relation_text, name, status, text}. A part that
    cannot be read is kept whole in `text` with the other keys None, so nothing written is lost."""
    members: list[dict[str, Any]] = []
    for raw in _parts(clean(text)):
        part = raw.strip()
        if not part or part.lower() in _NOTHING:
            continue
        status = None
        m = _STATUS.match(part)
        body = part
        if m:
            body, status = m.group("body").strip(), m.group("status").strip() or None
        relation, relation_text, rest = _split_relation(body)
        if relation is None:
            # "玉素甫·伊布拉音（父亲，在校）": the relation inside the brackets
            if status:
                bits = re.split(r"[,，/、\s]+", status)
                rel = relation_of(bits[0])
                if rel:
                    relation, relation_text = rel, bits[0]
                    status = "，".join(bits[1:]) or None
        name = clean_name(rest) if rest else None
        members.append({"relation": relation, "relation_text": relation_text, "name": name or None,
                        "status": status, "text": part})
    return members
