"""The script detector: letter counts per ISO 15924 script against Unicode's own character names."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter

import pytest

from exhibit.text.script import (
    ARAB_CLASS,
    CLASSES,
    CYRL_CLASS,
    HANI_CLASS,
    LATN_CLASS,
    Script,
    dominant_script,
    has_script,
    main_language,
    script_counts,
    script_of,
    scripts,
)

# Unicode blocks to draw from: the scripts' own blocks (letters, marks, digits and punctuation mixed),
# their neighbours, and characters of no script (digits, spaces, ASCII and CJK punctuation, Greek).
_BLOCKS = [(0x20, 0x7E), (0xA0, 0x24F), (0x1E00, 0x1EFF), (0xFF01, 0xFF5E),  # Latin and ASCII
           (0x3400, 0x4DFF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF), (0x2F800, 0x2FA1F),  # Han
           (0x3000, 0x303F),  # CJK punctuation and 〇
           (0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF),  # Arabic
           (0x0400, 0x052F),  # Cyrillic
           (0x0370, 0x03FF), (0x0660, 0x0669), (0x2000, 0x206F)]  # Greek, Arabic-Indic digits, punctuation
_POOL = [chr(c) for a, b in _BLOCKS for c in range(a, b + 1) if unicodedata.category(chr(c)) != "Cn"]
_PREFIXES = {"CJK UNIFIED IDEOGRAPH": Script.HANI, "CJK COMPATIBILITY IDEOGRAPH": Script.HANI,
             "ARABIC": Script.ARAB, "LATIN": Script.LATN, "FULLWIDTH LATIN": Script.LATN,
             "CYRILLIC": Script.CYRL}


def _reference(ch: str) -> Script | None:
    """What Unicode says: a letter (category L) whose name starts with its script's name."""
    if not unicodedata.category(ch).startswith("L"):
        return None
    name = unicodedata.name(ch, "")
    return next((sc for prefix, sc in _PREFIXES.items() if name.startswith(prefix)), None)


_BY_SCRIPT: dict[Script | None, list[str]] = {}
for _ch in _POOL:
    _BY_SCRIPT.setdefault(_reference(_ch), []).append(_ch)


def _mixed(rng: random.Random, n: int) -> str:
    """A string of `n` characters, each script weighted at random, so that every script sometimes leads."""
    groups = list(_BY_SCRIPT)
    weights = [rng.random() for _ in groups]
    return "".join(rng.choice(_BY_SCRIPT[g]) for g in rng.choices(groups, weights=weights, k=n))


def test_every_character_of_the_blocks_is_classified_as_unicode_names_it() -> None:
    wrong = [(f"U+{ord(ch):04X}", unicodedata.name(ch, "?"), script_of(ch), _reference(ch))
             for ch in _POOL if script_of(ch) != _reference(ch)]
    assert wrong == []


@pytest.mark.parametrize("seed", range(20))
def test_counts_and_dominant_script_of_mixed_strings_match_the_reference(seed: int) -> None:
    rng = random.Random(seed)
    s = _mixed(rng, rng.choice([1, 5, 40, 3000]))
    expected = Counter(sc for sc in map(_reference, s) if sc)
    assert script_counts(s) == expected
    assert scripts(s) == set(expected)
    assert all(has_script(s, sc) == (sc in expected) for sc in Script)
    if not expected:
        assert dominant_script(s) is None
    else:
        top = max(expected.values())
        assert dominant_script(s) in {sc for sc, n in expected.items() if n == top}


def test_a_tie_goes_to_the_script_that_is_not_latin() -> None:
    assert dominant_script("Ivan Иван") == Script.CYRL
    assert dominant_script("ab 积分") == Script.HANI
    assert dominant_script("2017-06-01, №5") is None


def test_digits_punctuation_and_marks_belong_to_no_script() -> None:
    for ch in "0123456789 ,.;:!?-\u060c\u061f\u0660\u06f1\u064e\u0670\u3001\u3002\u3007\uff0c\u00d7\u00f7":
        assert script_of(ch) is None, f"U+{ord(ch):04X}"


def test_the_classes_work_inside_a_pattern() -> None:
    import re

    for sc, cls in CLASSES.items():
        assert re.fullmatch(f"[{cls}]+", "".join(ch for ch in _POOL if _reference(ch) == sc))
    assert [HANI_CLASS, ARAB_CLASS, LATN_CLASS, CYRL_CLASS] == list(CLASSES.values())


@pytest.mark.parametrize("seed", range(5))
def test_counting_a_long_text_agrees_with_a_loop_over_its_characters(seed: int) -> None:
    # the speed of script_counts is measured in bench/text_script.py, never timed in a test
    s = _mixed(random.Random(seed), 2000) * 20
    assert script_counts(s) == Counter(sc for sc in map(script_of, s) if sc)


def test_main_language_weighs_han_three_times() -> None:
    han, arab, latn = "积" * 10, "ئ" * 30, "a" * 31
    assert main_language([han + arab]) == "zh"  # 30 vs 30: a tie goes to zh
    assert main_language([han, arab + "ب"]) == "ug"
    assert main_language([han + latn]) == "en"
    assert main_language([arab + latn[:30]]) == "ug"  # a tie between ug and en goes to ug
    assert main_language(["", "2017-06-01", "。，"]) is None
    assert main_language([]) is None


def test_main_language_reads_only_the_first_20_pages_and_5000_characters() -> None:
    assert main_language(["a"] * 20 + ["积" * 100]) == "en"
    assert main_language(["a" * 5000 + "积" * 5000]) == "en"
    assert main_language(["1" * 5000 + "积"]) is None
    assert main_language(iter(["ئ"] * 25)) == "ug"  # any iterable, not only a list
