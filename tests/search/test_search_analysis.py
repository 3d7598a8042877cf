"""Index-time analysis: folding, the Han bigram stream, batched and single preparation agree."""

from __future__ import annotations

from exhibit.search import analysis

SAMPLES = ["積分 管理，ＡＢＣ１２３ 一体\n化 abc 押", "", "ھەسەن ئابلەت 积分", "积", "ab", "积分", "a积", "积a",
           "  积 分  ", "积\x00分", "𠀀𠀁 x", "积,,分", "情况通报（第1期）\n一体化联合作战平台本周推送可疑人员354名",
           "ﬁne ① Ⅻ", "The points system. 积分管理。" * 20]


def test_bigrams_follow_han_runs_and_skip_whitespace_between_han() -> None:
    p = analysis.prepare("積分 管理，ＡＢＣ１２３ 一体\n化 abc 押")
    assert not p.arabic and analysis.prepare("ھەسەن").arabic
    assert p.uni == "     ,ABC123   \n  abc  "
    assert p.han.split() == list("积分管理一体化押")
    assert p.bi.split() == ["积分", "分管", "管理", "\x00", "\x00", "一体", "体化", "\x00", "\x00"]


def test_query_side_bigram_stream_agrees_with_the_index_side() -> None:
    for s in SAMPLES:
        f = analysis.fold(s)
        assert analysis.bigram_stream(f) == analysis.bigram_text(f).split(), s
        assert analysis.bigram_stream(f) == analysis.prepare(s).bi.split(), s


def test_batched_preparation_equals_one_at_a_time() -> None:
    texts = SAMPLES * 3
    assert analysis.prepare_many(texts) == [analysis.prepare(t) for t in texts]


def test_fold_handles_compatibility_characters_and_arabic_presentation_forms() -> None:
    assert analysis.fold("ﬁne") == "fine"
    assert analysis.fold("ﺑﯩﺰ") == "بىز"
    assert analysis.fold("\uf900") == analysis.fold("豈")  # compatibility ideograph -> unified
