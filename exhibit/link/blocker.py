"""Blocking: which pairs of mentions are compared at all (name keys, birth year, ID number)."""

from __future__ import annotations

from typing import Any


def prediction_rules() -> list[Any]:
    """Union of rules; a true pair needs to survive only one. Each keeps blocks small: the full name
    skeleton; each name part with the birth year; the ID number; the swapped diaspora order."""
    from splink import block_on
    from splink.blocking_rule_library import CustomRule

    return [
        block_on("name_skel"),
        block_on("given_skel", "birth_year"),
        block_on("father_skel", "birth_year"),
        block_on("id16"),
        CustomRule("l.given_skel = r.father_skel AND l.father_skel = r.given_skel AND l.father_skel <> ''"),
    ]


def training_rules() -> list[Any]:
    """EM sessions. Each trains the comparisons it does not block on, and only blocks where true pairs
    are common teach EM anything: same name sounds and birth year (trains gender, place, ID), same birth
    date (trains the name levels), same name sounds, township and gender (trains birth). Where a block
    is dominated by namesakes, EM takes them for the matches; model.py then keeps the earlier estimates
    of any comparison that came out non-monotone."""
    from splink import block_on

    return [block_on("name_key", "birth_year"), block_on("birth_date"), block_on("name_key", "township", "gender")]
