"""When font families were first publicly released: for a document whose date is earlier than its font.

Years of first public release, compiled from the foundries' own release announcements (Adobe and Google
for Source Han / Noto CJK, Microsoft's Windows and Office release notes, Huawei, Xiaomi, OPPO, Alibaba
and the LXGW and Atelier Zhu projects on GitHub). A family released in year Y cannot have set a document
first saved before Y; a later revision of a font (Noto Sans CJK 2.0) is not tracked, only the family.
Check the year against the foundry before citing it.
"""

from __future__ import annotations

import re

# normalised family name prefix (lower case, no spaces, hyphens or underscores) -> (family, year)
FAMILIES: dict[str, tuple[str, int]] = {
    "sourcehansans": ("Source Han Sans", 2014),
    "notosanscjk": ("Noto Sans CJK", 2014),
    "notosanssc": ("Noto Sans SC", 2014),
    "sourcehanserif": ("Source Han Serif", 2017),
    "notoserifcjk": ("Noto Serif CJK", 2017),
    "notoserifsc": ("Noto Serif SC", 2017),
    "microsoftyahei": ("Microsoft YaHei", 2006),
    "dengxian": ("DengXian 等线", 2016),
    "等线": ("DengXian 等线", 2016),
    "alibabapuhuiti": ("Alibaba PuHuiTi 阿里巴巴普惠体", 2019),
    "oppossans": ("OPPO Sans", 2019),
    "opposans": ("OPPO Sans", 2019),
    "harmonyossans": ("HarmonyOS Sans", 2021),
    "misans": ("MiSans", 2021),
    "lxgwwenkai": ("LXGW WenKai 霞鹜文楷", 2021),
    "smileysans": ("Smiley Sans 得意黑", 2022),
    "calibri": ("Calibri", 2007),
    "cambria": ("Cambria", 2007),
    "segoeui": ("Segoe UI", 2006),
    "bahnschrift": ("Bahnschrift", 2017),
    "aptos": ("Aptos", 2023),
    "roboto": ("Roboto", 2011),
    "opensans": ("Open Sans", 2011),
}
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_NORMAL = re.compile(r"[\s\-_,]+")


def family_of(basefont: str) -> tuple[str, int] | None:
    """The family and release year of a PDF BaseFont name such as `ABCDEF+NotoSansCJKsc-Regular`."""
    name = _NORMAL.sub("", _SUBSET.sub("", basefont)).lower()
    for key in sorted(FAMILIES, key=len, reverse=True):
        if name.startswith(key):
            return FAMILIES[key]
    return None
