"""The name model against its own tables and against truth.persons (name_zh <-> name_uly <-> variants)."""

from __future__ import annotations

from typing import Any

import pytest

from exhibit.link.names import parse_name, script_of, word_key
from exhibit.link.names.arabic import arabic_to_uly
from exhibit.link.names.hanzi import _syllables, is_han_name
from exhibit.link.names.tables import arabic_letters, hanzi_sounds, lexicon, uly_classes

ULY_32 = "a e b p t j ch x d r z zh s sh gh f q k g ng l m n h o u ö ü w é i y".split()


def test_uly_table_has_the_32_letters_and_only_known_classes() -> None:
    classes = uly_classes()
    assert all(letter in classes for letter in ULY_32)
    assert set(classes.values()) <= set("AIUBPTKJSZLRMNW-")


def test_every_arabic_letter_maps_into_uly() -> None:
    letters = arabic_letters()
    assert len(letters) >= 32
    for arabic, uly in letters.items():
        assert uly == "" or uly in ULY_32, (arabic, uly)


def test_syllable_table_covers_every_hanzi_in_truth_names(truth: dict[str, Any]) -> None:
    sounds = hanzi_sounds()
    names = [p["name_zh"] for p in truth["persons"]]
    names += [r["name_zh"] for p in truth["persons"] for r in p.get("relatives", [])]
    missing = {c for n in names for c in n if c not in sounds and c not in "·・•"}
    assert not missing
    assert len(sounds) >= 300  # a broad standard set, not only the sample's characters


def test_lexicon_hanzi_are_read_by_the_syllable_table() -> None:
    by_hanzi, _ = lexicon()
    sounds = hanzi_sounds()
    chars = {c for w in by_hanzi for c in w}
    assert len([c for c in chars if c in sounds]) / len(chars) > 0.95


@pytest.mark.parametrize("forms", [
    ["买买提·吐尔逊", "麦麦提·图尔荪", "Mamat Tursun", "Memet Tursun", "Mehmet Tursun", "مەمەت تۇرسۇن", "Мамат Турсун"],
    ["阿卜杜热依木", "阿不都热依木", "Abdurehim", "Abdurahim", "ئابدۇرەھىم"],
    ["米热古丽", "Mihrigül", "Mihrigul", "Mihri gul", "Mehrigul"],
    ["托合提", "Toxti", "Tohti", "Tokhti"],
    ["卡德尔", "Qadir", "Kadir"],
    ["Yusup", "Yusuf", "玉素甫", "Yüsüp"],
    ["Awut", "Avut"],
    ["Abdukérim", "Abdukerim"],
    ["Ömer", "Omer", "Omar", "吾买尔"],
])
def test_written_forms_of_one_name_share_a_skeleton(forms: list[str]) -> None:
    skeletons = {parse_name(f).full_skeleton for f in forms}  # type: ignore[union-attr]
    assert len(skeletons) == 1, skeletons


@pytest.mark.parametrize("a,b", [("Memet", "Mehmut"), ("Tursun", "Turghun"), ("Ablet", "Abla"),
                                 ("Kerim", "Qasim"), ("Alim", "Salim")])
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert word_key(parse_name(a).given.uly).vowels != word_key(parse_name(b).given.uly).vowels  # type: ignore[union-attr]


def test_truth_persons_hanzi_uly_and_variants_agree(truth: dict[str, Any]) -> None:
    bad = []
    for p in truth["persons"]:
        zh = parse_name(p["name_zh"])
        assert zh is not None
        for other in [p["name_uly"], *p["name_variants"]]:
            o = parse_name(other)
            assert o is not None
            if (zh.given.skeleton, zh.father and zh.father.skeleton) != (o.given.skeleton, o.father and o.father.skeleton):
                bad.append((p["name_zh"], other))
    assert not bad, bad[:10]


def test_syllable_table_alone_reads_most_truth_names(truth: dict[str, Any]) -> None:
    """Without the name lexicon, the DB65/T 2189 syllables still recover most names' skeletons."""
    pairs = {}
    for p in truth["persons"]:
        for zh, uly in zip(p["name_zh"].split("·"), p["name_uly"].split(" "), strict=False):
            pairs[zh] = uly
    hits = sum(word_key(_syllables(zh)).skeleton == word_key(uly).skeleton for zh, uly in pairs.items())
    assert hits / len(pairs) >= 0.8


def test_uyghur_notice_names_read_from_arabic(truth: dict[str, Any]) -> None:
    notice = truth["ocr"]["scans/uyghur_notice.png"]
    assert "hesen" in arabic_to_uly(notice).replace("e", "e")
    a = parse_name("ھەسەن ئابلەت")
    b = parse_name("Hesen Ablet")
    assert a is not None and b is not None and a.full_skeleton == b.full_skeleton


@pytest.mark.parametrize("sep", ["·", "・", "•", ".", " "])
def test_given_and_father_name_split_on_every_separator(sep: str) -> None:
    n = parse_name(f"努尔买买提{sep}吐尔逊") if sep != " " else parse_name("Nurmemet Tursun")
    assert n is not None and n.given.uly == "Nurmemet" and n.father is not None and n.father.uly == "Tursun"


def test_han_names_are_read_in_pinyin() -> None:
    assert is_han_name("张伟") and not is_han_name("买买提")
    a, b = parse_name("张伟"), parse_name("Wei Zhang")
    assert a is not None and b is not None and a.script == "Han-name"
    assert (a.given.skeleton, a.father.skeleton) == (b.given.skeleton, b.father.skeleton)  # type: ignore[union-attr]


def test_script_detection() -> None:
    assert [script_of(x) for x in ("吐尔逊", "تۇرسۇن", "Tursun", "Турсун")] == ["Hani", "Arab", "Latn", "Cyrl"]


def test_arabic_table_agrees_with_umsc_on_every_truth_name(truth: dict[str, Any]) -> None:
    """Our Uyghur Arabic table and umsc (the ULY reference converter the search capability uses) give
    the same keys, on names written from ULY to Arabic by umsc itself."""
    from exhibit.text.uyghur import from_uly, to_uly

    for p in truth["persons"][:300]:
        arabic = from_uly(p["name_uly"].lower())
        ours = parse_name(arabic)
        ref = parse_name(to_uly(arabic))
        assert ours is not None and ref is not None
        assert (ours.given.key, ours.father and ours.father.key) == (ref.given.key, ref.father and ref.father.key), arabic
