"""Shared text normalisation: Chinese folding, Uyghur scripts, Latin folding, script detection."""

from __future__ import annotations

from exhibit.text import chinese, latin, script, uyghur

NOTICE_ARABIC = "مېنىڭ ئاكام ھەسەن ئابلەت 2017-يىلى تۇتۇلدى"


def test_traditional_becomes_simplified() -> None:
    assert chinese.to_simplified("積分管理，頭髮") == "积分管理，头发"
    assert chinese.to_simplified("积分管理") == "积分管理"


def test_per_character_fold_keeps_length_and_agrees_with_opencc_on_characters() -> None:
    s = "對於學員的考核評價 ABC"
    folded = chinese.fold_simplified(s)
    assert len(folded) == len(s)
    assert folded == "对于学员的考核评价 ABC"


def test_full_width_folds_to_half_width() -> None:
    assert chinese.fold_width("ＡＢＣ１２３") == "ABC123"
    assert chinese.fold_width("（第1期）") == "(第1期)"


def test_uyghur_presentation_forms_and_joiners_are_normalised() -> None:
    # ﻫ is the initial presentation form of heh (U+0647), ـ tatweel, U+200C a zero-width non-joiner
    assert uyghur.normalize("ﺑ\u0640ﯩ\u200cز") == "بىز"
    assert uyghur.normalize("٢٠١٧") == "2017"
    assert uyghur.normalize("\u064a\u0654") == "ئ"  # decomposed hamza-yeh composes


def test_arabic_script_to_uly_and_back() -> None:
    assert uyghur.to_uly(NOTICE_ARABIC) == "méning akam hesen ablet 2017-yili tutuldi"
    assert uyghur.from_uly("hesen ablet") == "ھەسەن ئابلەت"


def test_uly_leaves_latin_and_han_alone() -> None:
    assert uyghur.to_uly("ABC 积分 ھەسەن") == "ABC 积分 hesen"


def test_scripts_detected() -> None:
    S = script.Script
    assert script.scripts("Aygül 积分 ئاكام Мамат") == {S.LATN, S.HANI, S.ARAB, S.CYRL}
    assert script.scripts("2017") == set()
    assert script.scripts("积分") == {S.HANI}


def test_latin_fold_case_and_diacritics() -> None:
    assert latin.fold("Aygül") == latin.fold("AYGUL") == latin.fold("aygul") == "aygul"
    assert latin.fold("Méning") == "mening"
    assert latin.fold("ئاكام") == "ئاكام"  # the hamza of Arabic script is not a Latin diacritic
