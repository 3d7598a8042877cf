"""A small gazetteer: county and township names in Hanzi, pinyin and Uyghur Latin to comparable keys.

墨玉 = 墨玉县 = Moyu = Karakax = Qaraqash all give county 653222 (GB/T 2260). Townships get the
consonant skeleton of their Uyghur name (喀拉喀什镇 = Qaraqash = Karakax -> KLKS), through the table
where it knows the place and through the name model's syllables where it does not.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from exhibit.link.names.hanzi import uyghur_word
from exhibit.link.names.phonetic import word_key
from exhibit.link.names.tables import fold
from exhibit.text.script import Script, has_script

_ADMIN_SUFFIX = re.compile(r"(维吾尔自治区|自治区|地区|自治州|县|市|区|乡|镇|街道|村|办事处)$")
_HANZI_ADDRESS = re.compile(r"^(?:.*?(?:地区|自治州))?(?P<county>[^\d]{1,8}?(?:县|市))?(?P<town>[^\d]{1,10}?(?:乡|镇|街道))?")


@cache
def _gazetteer() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(county name form -> code, (county code, township form) -> township's first Latin name)."""
    from pypinyin import Style, lazy_pinyin

    text = resources.files("exhibit.link").joinpath("data").joinpath("places.tsv").read_text(encoding="utf-8")
    counties: dict[str, str] = {}
    townships: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, code, hanzi, latin = line.split("\t")
        names = [n.strip() for n in latin.split(",") if n.strip()]
        bare = _ADMIN_SUFFIX.sub("", hanzi)
        forms = [hanzi, bare, "".join(lazy_pinyin(bare, style=Style.NORMAL)), *names]
        for f in forms:
            if kind == "county":
                counties.setdefault(fold(f), code)
            else:
                townships.setdefault((code, fold(f)), names[0])
    return counties, townships


def county_code(name: str | None) -> str | None:
    """The GB/T 2260 code of a county named in any of its forms, or None when unknown."""
    if not name:
        return None
    counties, _ = _gazetteer()
    f = fold(name)
    return counties.get(f) or counties.get(fold(_ADMIN_SUFFIX.sub("", name.strip())))


def township_key(name: str | None, county: str | None = None) -> str | None:
    """The consonant skeleton of a township's Uyghur name, from any written form."""
    if not name:
        return None
    name = name.strip()
    _, townships = _gazetteer()
    known = None
    for code in ([county] if county else []) + [c for (c, _) in townships]:
        known = townships.get((code, fold(name))) or townships.get((code, fold(_ADMIN_SUFFIX.sub("", name))))
        if known:
            break
    if known is None:
        bare = _ADMIN_SUFFIX.sub("", name)
        known = uyghur_word(bare) if has_script(bare, Script.HANI) else bare
    key = word_key(known.replace(" ", "")).skeleton
    return key or None


def parse_place(text: str | None, id_number: str | None = None) -> tuple[str | None, str | None]:
    """(county code, township key) from an address ("墨玉县喀拉喀什镇23村", "扎瓦镇7村", "Moyu, Manglay").
    Without a county in the text, the region code of a well-formed ID number stands in for it."""
    county: str | None = None
    town: str | None = None
    if text:
        text = text.strip()
        if has_script(text, Script.HANI) and not re.search(r"[,;/，、]", text):
            m = _HANZI_ADDRESS.match(text)
            if m:
                county = county_code(m.group("county")) if m.group("county") else None
                town = m.group("town")
        else:
            parts = [p.strip() for p in re.split(r"[,;/，、]", text) if p.strip()]
            if len(parts) >= 2:
                county, town = county_code(parts[0]), parts[1]
            elif parts:
                county = county_code(parts[0])
                if county is None:
                    town = parts[0]
    if county is None and id_number and re.fullmatch(r"\d{6}", id_number[:6]):
        county = id_number[:6]
    return county, township_key(town, county)
