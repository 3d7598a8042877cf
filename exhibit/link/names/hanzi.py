"""Hanzi names to ULY: Uyghur names through the name lexicon and the syllable table, Han names through pinyin."""

from __future__ import annotations

import re
from functools import lru_cache

from exhibit.link.names.tables import hanzi_sounds, lexicon

# The hundred commonest Han surnames (Ministry of Public Security household-register ranking, 2020;
# the first 60 cover ~85% of Han people). Used only to tell a Han name (张伟) from a Uyghur one
# written without a separator; a name with a separator (·) is always read as Uyghur/Kazakh.
HAN_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
    "姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向汤"
)
_OPTIONAL = re.compile(r"\((\w+)\)")
_GUL = ("古丽", "古力", "古丽尼")


def is_han_name(name: str) -> bool:
    """A 2-3 character name without separator whose first character is a common Han surname."""
    if not 2 <= len(name) <= 3 or name[0] not in HAN_SURNAMES:
        return False
    by_hanzi, _ = lexicon()
    return name not in by_hanzi


def _syllables(word: str) -> str:
    sounds = hanzi_sounds()
    parts: list[str] = []
    for i, ch in enumerate(word):
        sound = sounds.get(ch)
        if sound is None:
            sound = _pinyin(ch)
        # The epenthetic vowel Chinese adds after a syllable-final consonant (提 ti for t) is sounded
        # only where the Uyghur word begins with that syllable (布买热木 Bumeryem, but 阿不都 Abdu).
        sound = _OPTIONAL.sub(r"\1" if i == 0 else "", sound)
        parts.append(sound)
    return "'".join(parts)


def _pinyin(text: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore"))


@lru_cache(maxsize=131072)
def uyghur_word(word: str) -> str:
    """One Hanzi name word (given name or father's name) -> its ULY form."""
    by_hanzi, _ = lexicon()
    if word in by_hanzi:
        return by_hanzi[word]
    for gul in _GUL:
        if word.endswith(gul) and len(word) > len(gul):
            return uyghur_word(word[: -len(gul)]) + "gül"
    if word.endswith("江") and len(word) > 2:  # the affectionate -jan (阿里木江 Alimjan)
        return uyghur_word(word[:-1]) + "jan"
    # Compound names (努尔+买买提 Nurmemet, 阿不都+克然木): two lexicon names written as one word.
    for i in range(2, len(word) - 1):
        left, right = word[:i], word[i:]
        if left in by_hanzi and right in by_hanzi:
            return by_hanzi[left] + by_hanzi[right].lower()
    return _syllables(word)


def han_name(name: str) -> tuple[str, str]:
    """A Han name -> (given name, family name) in toneless pinyin."""
    from pypinyin import Style, lazy_pinyin

    family = "".join(lazy_pinyin(name[0], style=Style.NORMAL))
    given = "".join(lazy_pinyin(name[1:], style=Style.NORMAL))
    return given, family
