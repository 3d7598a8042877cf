"""The register vocabulary (vocab.yaml): header synonyms, relation and gender words, total-row markers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

# Spaces, punctuation and brackets do not distinguish headers: "性 别", "性别：", "（性别）" are one header.
_STRIP = re.compile(r"[\s\u00a0\u3000:：*＊()（）\[\]【】<>《》\"'“”‘’、,，;；.。·•_\-/\\|،؛]+")
# A unit or note in brackets of either width after a header ("年龄（岁）", "出生日期(年月日)", "Age [years]"):
# the header without it is what is compared first.
_NOTE = re.compile(r"\s*(?:[(（][^()（）]*[)）]|[\[【〔][^\]】〕]*[\]】〕]|<[^<>]*>|《[^《》]*》)\s*")


def header_key(text: str) -> str:
    """A header as compared: NFKC, lower case, without spaces and punctuation."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def without_note(text: str) -> str:
    """A header without its bracketed unit or note: "年龄（岁）" -> "年龄" (the whole text if it is all note)."""
    bare = _NOTE.sub(" ", text or "").strip()
    return bare if header_key(bare) else text


@dataclass(frozen=True)
class Vocab:
    exact: dict[str, str]                 # header key -> field
    contains: tuple[tuple[str, str], ...]  # (key fragment, field), longest first
    person_fields: frozenset[str]
    fields: tuple[str, ...]
    relations: tuple[tuple[str, str], ...]  # (word, relation code), longest first
    genders: dict[str, str]               # word key -> M|F
    totals: tuple[str, ...]
    groups: dict[str, dict[str, str]]     # group heading's field -> {sub-heading's field: field under it}
    verbatim: frozenset[str]              # header keys known to hold nothing a record reads


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    data: dict[str, Any] = yaml.safe_load(
        resources.files("exhibit.records").joinpath("vocab.yaml").read_text(encoding="utf-8"))
    exact: dict[str, str] = {}
    contains: list[tuple[str, str]] = []
    person: set[str] = set()
    for fname, spec in data["fields"].items():
        for w in spec.get("exact", []):
            exact.setdefault(header_key(str(w)), fname)
        for w in spec.get("contains", []):
            contains.append((header_key(str(w)), fname))
        if spec.get("person"):
            person.add(fname)
    contains.sort(key=lambda t: -len(t[0]))
    relations = sorted(((unicodedata.normalize("NFKC", str(w)).lower(), code)
                        for code, words in data["relations"].items() for w in words),
                       key=lambda t: -len(t[0]))
    genders = {header_key(str(w)): g for g, words in data["genders"].items() for w in words}
    return Vocab(exact, tuple(contains), frozenset(person), tuple(data["fields"]), tuple(relations), genders,
                 tuple(header_key(str(w)) for w in data["totals"]),
                 {str(g): {str(k): str(v) for k, v in m.items()} for g, m in (data.get("groups") or {}).items()},
                 frozenset(header_key(str(w)) for w in data.get("verbatim") or ()))


def field_for_header(text: str) -> tuple[str | None, int]:
    """(field, strength) for a header cell: 2 exact synonym (with or without its bracketed note), 1 contains
    a synonym, 0 unknown."""
    key = header_key(text)
    if not key:
        return None, 0
    v = vocab()
    f = v.exact.get(key) or v.exact.get(header_key(without_note(text)))
    if f:
        return f, 2
    if len(key) <= 24:  # a long cell is a title or a note, not a header
        for frag, f in v.contains:
            if frag in key:
                return f, 1
    return None, 0
