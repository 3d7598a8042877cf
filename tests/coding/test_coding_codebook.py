"""The default codebook: its shape, the dev corpus's reasons, and wordings of our own that registers may use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exhibit.coding.codebook import DEFAULT_IDS, clauses, load_codebook, normalise
from exhibit.errors import UserError

CB = load_codebook()


def codes(reason: str) -> set[str]:
    return {c for c, _ in CB.code(reason)}


def test_default_codebook_has_the_ten_categories_with_labels_definitions_and_citations() -> None:
    assert CB.ids() == list(DEFAULT_IDS)
    for c in CB.categories:
        assert c.labels["en"] and c.labels["zh"] and len(c.definition) > 40, c.id
        assert c.citations and set(c.citations) <= set(CB.citations), c.id
        assert c.keywords or c.patterns, c.id
    cites = " ".join(CB.citations.values())
    assert "Human Rights Watch" in cites and "Aksu" in cites
    assert "Zenz" in cites and "Karakax" in cites and "Journal of Political Risk" in cites


def test_every_reason_of_the_dev_corpus_is_coded_to_its_category(truth: dict[str, Any]) -> None:
    wrong = {reason: (cat, codes(reason)) for reason, cat in truth["reason_codes"].items() if codes(reason) != {cat}}
    assert not wrong


def test_the_codebook_is_not_a_list_of_the_samples_sentences(truth: dict[str, Any]) -> None:
    """Rules are concepts: no longer sample reason appears verbatim as a keyword."""
    keywords = {k for c in CB.categories for k in c.keywords}
    verbatim = [r for r in truth["reason_codes"] if len(r) > 4 and normalise(r) in keywords]
    assert not verbatim


PARAPHRASES: dict[str, set[str]] = {
    # family planning
    "多生一个孩子": {"family_planning"},
    "未按规定计划生育": {"family_planning"},
    "生了四个孩子": {"family_planning"},
    "违法生育第三个子女": {"family_planning"},
    "拒绝采取节育措施": {"family_planning"},
    "计划外怀孕": {"family_planning"},
    "有五个子女": {"family_planning"},
    "Violated the family planning policy": {"family_planning"},
    # religious practice
    "在家礼拜": {"religious_practice"},
    "经常去清真寺": {"religious_practice"},
    "斋月期间封斋": {"religious_practice"},
    "私自学习宗教知识": {"religious_practice"},
    "每天做五次乃玛孜": {"religious_practice"},
    "prays five times a day": {"religious_practice"},
    # dress
    "戴面纱": {"religious_dress"},
    "丈夫留胡须": {"religious_dress"},
    "穿黑色长袍": {"religious_dress"},
    "wore a veil": {"religious_dress"},
    # travel
    "出国旅游": {"travel_abroad"},
    "2016年去过土耳其": {"travel_abroad"},
    "申办护照": {"travel_abroad"},
    "has a passport": {"travel_abroad"},
    "曾经去过沙特朝觐": {"travel_abroad", "religious_practice"},
    # relatives abroad
    "儿子在土耳其": {"relatives_abroad"},
    "女儿嫁到哈萨克斯坦": {"relatives_abroad"},
    "有亲戚在国外": {"relatives_abroad"},
    "丈夫在马来西亚打工": {"relatives_abroad"},
    "哥哥移居美国": {"relatives_abroad"},
    "his brother lives in Turkey": {"relatives_abroad"},
    # contact abroad
    "跟国外打电话": {"contact_abroad"},
    "与在土耳其的亲戚通话": {"contact_abroad"},
    "接到境外来电": {"contact_abroad"},
    "经常与国外联系": {"contact_abroad"},
    "called relatives abroad": {"contact_abroad"},
    # phone and internet
    "手机装有翻墙软件": {"phone_internet"},
    "用WhatsApp聊天": {"phone_internet"},
    "下载境外APP": {"phone_internet"},
    "浏览国外网站": {"phone_internet"},
    "used a VPN": {"phone_internet"},
    # untrustworthy
    "可疑人员": {"untrustworthy"},
    "90后": {"untrustworthy"},
    "社会关系复杂": {"untrustworthy"},
    "untrustworthy person": {"untrustworthy"},
    # petitioning
    "上访": {"petitioning"},
    "多次到北京上访": {"petitioning"},
    "信访老户": {"petitioning"},
    # extremist media
    "传播宗教极端视频": {"extremist_media"},
    "手机里有暴恐视频": {"extremist_media"},
    "观看非法宗教视频": {"extremist_media"},
    "收藏极端主义书籍": {"extremist_media"},
    "watched terrorist videos": {"extremist_media"},
}


@pytest.mark.parametrize(("reason", "expected"), list(PARAPHRASES.items()))
def test_paraphrases_of_our_own_are_coded(reason: str, expected: set[str]) -> None:
    assert codes(reason) == expected


# A second set, written after the codebook was done as a hold-out: 51 of 54 were coded right at once;
# the three misses led to concept rules (生育...超过, 交往...复杂, 宗教...宣传), not to these sentences.
HOLDOUT: dict[str, str] = {
    "生育子女超过政策规定": "family_planning", "非法生育二胎": "family_planning", "不落实节育措施": "family_planning",
    "超生第四个孩子": "family_planning", "计划外生育": "family_planning", "having too many children": "family_planning",
    "在清真寺做礼拜": "religious_practice", "私自封斋": "religious_practice", "组织念经活动": "religious_practice",
    "参加婚礼时念尼卡": "religious_practice", "教授孩子古兰经": "religious_practice", "给他人讲经": "religious_practice",
    "妻子戴头巾": "religious_dress", "女儿穿蒙面服": "religious_dress", "蓄须": "religious_dress",
    "年轻人留胡子": "religious_dress",
    "去过哈萨克斯坦": "travel_abroad", "曾出境前往埃及": "travel_abroad", "办理了护照": "travel_abroad",
    "2015年赴沙特": "travel_abroad", "护照未上缴": "travel_abroad", "持因私出入境证件": "travel_abroad",
    "妹妹在埃及": "relatives_abroad", "父亲定居土耳其": "relatives_abroad", "儿子在国外留学": "relatives_abroad",
    "有直系亲属在境外": "relatives_abroad", "家人在海外": "relatives_abroad", "弟弟是境外人员": "relatives_abroad",
    "与境外人员有联系": "contact_abroad", "打国际长途": "contact_abroad", "和国外的人视频聊天": "contact_abroad",
    "涉外通联": "contact_abroad", "与土耳其号码通话": "contact_abroad",
    "手机安装境外聊天软件": "phone_internet", "使用VPN": "phone_internet", "手机有翻墙工具": "phone_internet",
    "登陆国外网站": "phone_internet", "用Skype": "phone_internet", "手机装脸书": "phone_internet",
    "不可靠人员": "untrustworthy", "思想有问题": "untrustworthy", "表现不好": "untrustworthy",
    "交往人员复杂": "untrustworthy", "无固定职业游离于社会": "untrustworthy", "重点可疑人员": "untrustworthy",
    "到北京上访": "petitioning", "越级上访": "petitioning", "多次信访": "petitioning", "闹访": "petitioning",
    "手机存暴恐视频": "extremist_media", "传看宗教极端音视频": "extremist_media", "私藏非法宗教书籍": "extremist_media",
    "转发恐怖视频": "extremist_media", "收听境外宗教宣传": "extremist_media",
}


@pytest.mark.parametrize(("reason", "expected"), list(HOLDOUT.items()))
def test_a_second_set_of_wordings_is_coded(reason: str, expected: str) -> None:
    assert codes(reason) == {expected}


@pytest.mark.parametrize(("reason", "expected"), [
    ("多生一個孩子", {"family_planning"}),              # traditional characters
    ("兒子在土耳其", {"relatives_abroad"}),
    ("在家禮拜", {"religious_practice"}),
    ("使用ＶＰＮ", {"phone_internet"}),                 # full-width Latin
    ("پاسپورت ئالغان", {"travel_abroad"}),             # Uyghur, Arabic script
    ("namaz oqughan", {"religious_practice"}),          # Uyghur, Latin script
])
def test_scripts_and_character_forms_fold_to_the_same_codes(reason: str, expected: set[str]) -> None:
    assert codes(reason) == expected


@pytest.mark.parametrize(("reason", "expected"), [
    ("超生；上访", {"family_planning", "petitioning"}),
    ("儿子在土耳其，持有护照", {"relatives_abroad", "travel_abroad"}),
    ("戴面纱、在家礼拜", {"religious_dress", "religious_practice"}),
])
def test_a_reason_naming_several_things_gets_several_categories(reason: str, expected: set[str]) -> None:
    assert codes(reason) == expected


@pytest.mark.parametrize(("reason", "expected"), [
    ("手机使用境外软件", {"phone_internet"}),          # not contact_abroad
    ("安装境外通讯软件", {"phone_internet"}),
    ("手机中存有暴恐音视频", {"extremist_media"}),      # not phone_internet
    ("传播非法宗教宣传品", {"extremist_media"}),        # not religious_practice
    ("与国外亲友通话", {"contact_abroad"}),            # not relatives_abroad
    ("亲属在土耳其", {"relatives_abroad"}),            # not travel_abroad
])
def test_neighbouring_categories_are_kept_apart(reason: str, expected: set[str]) -> None:
    assert codes(reason) == expected


@pytest.mark.parametrize("reason", ["村委会推荐", "无业", "年龄偏大", "家庭困难", "参加技能培训", "其他", ""])
def test_reasons_outside_the_categories_stay_uncoded(reason: str) -> None:
    assert codes(reason) == set()


def test_the_matching_rule_is_reported() -> None:
    assert dict(CB.code("超生三胎"))["family_planning"] == "keyword:超生"
    assert clauses("超生；上访 ,  ") == ["超生", "上访"]


def test_a_user_codebook_replaces_the_default(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text("""
name: livestock study
vocabularies:
  animal: [羊, 牛, 马]
categories:
  - id: livestock
    labels: {en: Livestock, zh: 牲畜}
    definition: The reason mentions animals.
    rules:
      keywords: [牧民]
      patterns: ['(养|卖)了?{animal}']
      unless: ['没有']
""", encoding="utf-8")
    mine = load_codebook(f)
    assert mine.ids() == ["livestock"] and mine.source == str(f)
    assert [c for c, _ in mine.code("养羊")] == ["livestock"]
    assert [c for c, _ in mine.code("卖了马")] == ["livestock"]
    assert mine.code("没有养羊") == []
    assert mine.code("超生") == []


@pytest.mark.parametrize(("text", "message"), [
    ("categories: [", "not a valid UTF-8 YAML"),
    ("name: x\n", "non-empty list `categories`"),
    ("categories:\n  - id: a\n    rules: {patterns: ['(unclosed']}\n", "not a valid regular expression"),
    ("categories:\n  - id: a\n    rules: {patterns: ['{nowhere}x']}\n", "unknown vocabulary"),
    ("categories:\n  - id: a\n  - id: a\n", "appears twice"),
])
def test_a_broken_codebook_is_refused_with_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as e:
        load_codebook(f)
    assert str(f) in str(e.value) and message in str(e.value)


def test_a_missing_codebook_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="cannot read the codebook"):
        load_codebook(tmp_path / "nope.yaml")
