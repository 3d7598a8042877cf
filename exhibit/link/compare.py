"""Comparisons: the columns a person record or mention is compared on, and the graded levels of each.

Every mention (a register record, a testimony, a name in a document) is reduced to the same columns:
name keys (given name and father's name, from the name model), birth date and year, gender, place
(county code and township key, from the gazetteer), ID number. The levels are splink comparisons,
so the same model runs on DuckDB and on Spark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from exhibit.link.names import parse_name
from exhibit.link.names.tables import fold
from exhibit.link.places import parse_place

COLUMNS = ["unique_id", "dataset", "kind", "name", "given_key", "given_skel", "father_key", "father_skel",
           "name_key", "name_skel", "birth_date", "birth_year", "gender", "county", "township",
           "address_key", "id_number", "id16"]

_GENDER = {"m": "M", "male": "M", "男": "M", "f": "F", "female": "F", "女": "F"}
_ID18 = re.compile(r"^\d{17}[\dX]$")


def gender(value: Any) -> str | None:
    if value is None:
        return None
    return _GENDER.get(str(value).strip().casefold())


def id_number(value: Any) -> str | None:
    """The ID number as 18 characters, or its surviving digits when Excel turned it into a float."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = f"{value:.0f}"
    s = re.sub(r"\s", "", str(value)).upper()
    if re.fullmatch(r"\d(\.\d+)?E\+?\d+", s):  # 6.53222198504122E+17 as text
        s = f"{float(s):.0f}"
    return s or None


def birth_from_id(idn: str | None) -> str | None:
    if not idn or not _ID18.match(idn):
        return None
    try:
        return date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14])).isoformat()
    except ValueError:
        return None


def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    s = str(value).strip()
    if re.fullmatch(r"\d{8}", s):
        return f"{s[:4]}-{s[4:6]}-{s[6:]}"
    return s[:10]


def _year(value: Any) -> int | None:
    if value is None or value == "":
        return None
    m = re.match(r"^\s*(\d{4})", str(value))
    return int(m.group(1)) if m else None


@lru_cache(maxsize=262144)
def _name(text: str) -> Any:
    return parse_name(text)


@lru_cache(maxsize=262144)
def _place(text: str | None, region: str | None) -> tuple[str | None, str | None]:
    return parse_place(text, region)


def features(m: Mapping[str, Any]) -> dict[str, Any]:
    """The comparison columns of one mention. Keys read: unique_id, dataset, kind, name, id_number,
    gender, birth_date, birth_year, county, township, address (all optional but unique_id)."""
    n = _name(str(m.get("name") or ""))  # names and places repeat a lot in registers: cache their keys
    idn = id_number(m.get("id_number"))
    bdate = _iso(m.get("birth_date")) or birth_from_id(idn)
    byear = _year(m.get("birth_year")) or _year(bdate)
    county, town = m.get("county"), m.get("township")
    addr_county, addr_town = _place(m.get("address"), idn[:6] if idn else None)
    from exhibit.link.places import county_code, township_key

    county = county_code(county) or (fold(str(county)) or None if county else None) or addr_county
    town = township_key(town, county) if town else addr_town
    address = str(m.get("address") or "")
    return {
        "unique_id": str(m["unique_id"]),
        "dataset": str(m.get("dataset") or ""),
        "kind": str(m.get("kind") or "record"),
        "name": str(m.get("name") or ""),
        "given_key": n.given.key if n else None,
        "given_skel": n.given.skeleton if n else None,
        "father_key": (n.father.key if n and n.father else "") if n else None,
        "father_skel": (n.father.skeleton if n and n.father else "") if n else None,
        "name_key": (n.given.key + " " + (n.father.key if n.father else "")).strip() if n else None,
        "name_skel": n.full_skeleton if n else None,
        "birth_date": bdate,
        "birth_year": byear,
        "gender": gender(m.get("gender")),
        "county": county,
        "township": town,
        "address_key": re.sub(r"\W+", "", address.casefold()) or None,
        "id_number": idn,
        "id16": idn[:16] if idn else None,
    }


def prepare(mentions: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame([features(m) for m in mentions], columns=COLUMNS)
    df["birth_year"] = df["birth_year"].astype("Int64")
    return df


def comparisons(use_address: bool = False) -> list[Any]:
    """The splink comparisons, most to least telling level first. The m probabilities given here are only
    EM's starting point (what share of true pairs falls in each level, a guess from how registers and
    testimonies are written); EM re-estimates them from the data."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    name = cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("given_skel"),
            cll.CustomLevel("given_key_l = given_key_r AND father_key_l = father_key_r",
                            "both names, same sounds").configure(m_probability=0.70),
            cll.CustomLevel("given_key_l = father_key_r AND father_key_l = given_key_r AND father_key_l <> ''",
                            "both names, order swapped").configure(m_probability=0.05),
            cll.CustomLevel("(given_skel_l = given_skel_r AND father_skel_l = father_skel_r) OR "
                            "(given_skel_l = father_skel_r AND father_skel_l = given_skel_r)",
                            "both names, same consonants").configure(m_probability=0.12),
            cll.JaroWinklerLevel("name_key", 0.92).configure(m_probability=0.05),
            cll.CustomLevel("given_key_l = given_key_r OR (father_key_l = father_key_r AND father_key_l <> '')",
                            "one name the same").configure(m_probability=0.05),
            cll.JaroWinklerLevel("name_key", 0.8).configure(m_probability=0.02),
            cll.ElseLevel().configure(m_probability=0.01),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.CustomLevel("birth_date_l = birth_date_r", "same birth date").configure(m_probability=0.55),
            cll.CustomLevel("birth_year_l = birth_year_r", "same birth year").configure(m_probability=0.30),
            cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", "birth year ±1").configure(m_probability=0.12),
            cll.ElseLevel().configure(m_probability=0.03),
        ],
    )
    place = cl.CustomComparison(
        output_column_name="place",
        comparison_levels=[
            cll.CustomLevel("(county_l IS NULL OR county_r IS NULL) AND (township_l IS NULL OR township_r IS NULL)",
                            "place unknown").configure(is_null_level=True),
            cll.CustomLevel("county_l = county_r AND township_l = township_r", "same county and township").configure(m_probability=0.75),
            cll.CustomLevel("township_l = township_r", "same township").configure(m_probability=0.05),
            cll.CustomLevel("county_l = county_r AND (township_l IS NULL OR township_r IS NULL)",
                            "same county, township unknown").configure(m_probability=0.10),
            cll.CustomLevel("county_l = county_r", "same county, other township").configure(m_probability=0.07),
            cll.ElseLevel().configure(m_probability=0.03),
        ],
    )
    ident = cl.CustomComparison(
        output_column_name="id_number",
        comparison_levels=[
            cll.NullLevel("id16"),
            cll.CustomLevel("id_number_l = id_number_r", "same ID number").configure(m_probability=0.92),
            cll.CustomLevel("id16_l = id16_r", "same first 16 digits (Excel float)").configure(m_probability=0.05),
            cll.ElseLevel().configure(m_probability=0.03),
        ],
    )
    sex = cl.CustomComparison(
        output_column_name="gender",
        comparison_levels=[
            cll.NullLevel("gender"),
            cll.ExactMatchLevel("gender").configure(m_probability=0.97),
            cll.ElseLevel().configure(m_probability=0.03),
        ],
    )
    out: list[Any] = [name, birth, sex, place, ident]
    if use_address:
        out.append(cl.JaroWinklerAtThresholds("address_key", [0.95, 0.85]))
    return out
