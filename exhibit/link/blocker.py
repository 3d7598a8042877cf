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
    """EM sessions: each leaves out the comparisons it blocks on, so together they train all of them."""
    from splink import block_on

    return [block_on("name_skel", "birth_year"), block_on("birth_date"), block_on("name_skel", "township")]
