"""Invented people for the demo cache: names in three scripts, ID numbers with valid check digits, reasons."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from stdnum.cn import ric

# The few GB/T 2260 codes the demo needs (Kashgar prefecture, Xinjiang), copied from the public
# areacodes table (CC0) so the generator reads nothing outside the package at run time.
REGIONS: dict[str, str] = {
    "653100": "喀什地区",
    "653123": "英吉沙县",
    "653125": "莎车县",
    "653126": "叶城县",
}
REGISTER_COUNTY = "653125"          # the register's county: 莎车县 (Yarkand)
PLATFORM_COUNTIES = ("653123", "653126")
UNKNOWN_REGION = "653199"           # not a GB/T 2260 code in any year: a planted anomaly

# Invented townships of the register county: (Chinese, Latin).
TOWNSHIPS: tuple[tuple[str, str], ...] = (
    ("阿热勒乡", "Arel"), ("托格拉克乡", "Toghraq"), ("喀拉苏镇", "Qarasu"), ("巴格其乡", "Baghchi"),
)
PLATFORM_TOWNS: dict[str, tuple[str, ...]] = {
    "653123": ("英吉沙县色提力乡", "英吉沙县乌恰镇"),
    "653126": ("叶城县依力克其乡", "叶城县洛克乡"),
}

# Given names: (Chinese transcription, Uyghur Latin (ULY), Uyghur Arabic script).
MALE: tuple[tuple[str, str, str], ...] = (
    ("艾合买提", "Ehmet", "ئەخمەت"), ("买买提", "Memet", "مەمەت"), ("吐尔逊", "Tursun", "تۇرسۇن"),
    ("阿不都拉", "Abdulla", "ئابدۇللا"), ("艾力", "Eli", "ئەلى"), ("依明", "Imin", "ئىمىن"),
    ("司马义", "Ismayil", "ئىسمايىل"), ("玉素甫", "Yusup", "يۇسۇپ"), ("努尔", "Nur", "نۇر"),
    ("亚森", "Yasin", "ياسىن"), ("卡德尔", "Qadir", "قادىر"), ("热合曼", "Rehman", "رەھمان"),
    ("吾斯曼", "Osman", "ئوسمان"), ("塔依尔", "Tahir", "تاھىر"), ("肉孜", "Rozi", "روزى"),
    ("巴拉提", "Barat", "بارات"), ("阿里木", "Alim", "ئالىم"), ("艾山", "Hesen", "ھەسەن"),
    ("吐尔洪", "Turghun", "تۇرغۇن"), ("买合木提", "Mehmut", "مەھمۇت"), ("居麦", "Jume", "جۈمە"),
)
FEMALE: tuple[tuple[str, str, str], ...] = (
    ("阿依古丽", "Aygul", "ئايگۈل"), ("热依拉", "Reyila", "رەيىلا"), ("阿依努尔", "Aynur", "ئاينۇر"),
    ("米热古丽", "Mihrigul", "مىھرىگۈل"), ("祖丽胡玛尔", "Zulhumar", "زۇلھۇمار"),
    ("帕提古丽", "Patigul", "پاتىگۈل"), ("阿米娜", "Amina", "ئامىنە"), ("努尔尼沙", "Nurnisa", "نۇرنىسا"),
    ("玛依拉", "Mayila", "مايىلا"), ("古丽米拉", "Gulmira", "گۈلمىرا"), ("再努尔", "Zeynur", "زەينۇر"),
    ("迪丽努尔", "Dilnur", "دىلنۇر"), ("阿孜古丽", "Azigul", "ئازىگۈل"), ("帕丽达", "Parida", "پەرىدە"),
    ("如克亚", "Rukiye", "رۇقىيە"), ("图尔荪古丽", "Tursungul", "تۇرسۇنگۈل"),
)

# Stated reasons in the wording a register might use, by codebook category; deliberately not the
# sentences of the dev corpus, so the demo also exercises the codebook's generality.
REASONS: dict[str, tuple[str, ...]] = {
    "family_planning": ("超计划生育二孩", "违反计生政策", "计划外生育第三胎", "超生两个孩子"),
    "religious_practice": ("私自组织宗教活动", "在家做乃玛孜", "参加地下讲经点", "非法宗教聚会"),
    "religious_dress": ("蓄留大胡须", "佩戴面纱", "妻子穿着吉里巴甫"),
    "travel_abroad": ("持有因私护照", "曾赴土耳其", "去过重点国家", "申请护照出国"),
    "relatives_abroad": ("有亲属在境外", "女儿在埃及留学", "弟弟在哈萨克斯坦"),
    "contact_abroad": ("与境外人员联系", "接打境外电话", "与国外亲友通话"),
    "phone_internet": ("手机使用翻墙软件", "安装境外通讯软件", "使用WhatsApp"),
    "untrustworthy": ("不放心人员", "不可信人员", "思想不稳定"),
    "petitioning": ("多次上访", "越级上访", "缠访闹访"),
    "extremist_media": ("观看暴恐视频", "收听宗教极端音频", "传播非法宗教宣传品"),
}
UNCODED_REASONS: tuple[str, ...] = ("村委会推荐", "其他情况")
DECISIONS: tuple[str, ...] = ("继续培训", "结业", "暂缓结业", "移交司法")
RELATIONS_M: tuple[str, ...] = ("父亲", "哥哥", "弟弟", "儿子", "丈夫")
RELATIONS_F: tuple[str, ...] = ("母亲", "姐姐", "妹妹", "女儿", "妻子")
RELATIVE_STATUS: tuple[str, ...] = ("在家", "在校", "在押", "境外", "已判刑")
REFERENCE_DATE = date(2018, 6, 1)   # the register's "as of" date: ages are computed against it


@dataclass(frozen=True)
class Relative:
    relation: str
    name_zh: str
    status: str
    id_number: str


@dataclass(frozen=True)
class Person:
    name_zh: str
    name_latin: str
    name_arabic: str
    gender: str                      # "M" | "F": as the register states it
    birth: date
    age: int                         # as the register states it
    id_number: str                   # as the register states it
    township_zh: str
    township_latin: str
    village: str
    reason: str
    reason_categories: tuple[str, ...]
    detained: date
    decision: str
    relatives: tuple[Relative, ...] = field(default=())
    anomaly: str | None = None       # the planted anomaly, if any

    @property
    def gender_zh(self) -> str:
        return "男" if self.gender == "M" else "女"


def check_digit(body: str) -> str:
    """The GB 11643 check digit of the 17-digit body (stdnum wants a placeholder in the 18th place)."""
    return ric.calc_check_digit(body + "0")


def id_number(region: str, birth: date, serial: int, male: bool) -> str:
    """An 18-digit resident ID (GB 11643) with a valid check digit: the sex digit is odd for men."""
    seq = serial * 2 + (1 if male else 0)
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return body + check_digit(body)


def age_at(birth: date, when: date = REFERENCE_DATE) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


def _name(rng: random.Random, male: bool) -> tuple[str, str, str]:
    given = rng.choice(MALE if male else FEMALE)
    father = rng.choice(MALE)
    return f"{given[0]}·{father[0]}", f"{given[1]} {father[1]}", f"{given[2]} {father[2]}"


def _reason(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    roll = rng.random()
    if roll < 0.06:
        return rng.choice(UNCODED_REASONS), ()
    first = rng.choice(sorted(REASONS))
    if roll < 0.18:  # some registers give two reasons for one person
        second = rng.choice([c for c in sorted(REASONS) if c != first])
        return f"{rng.choice(REASONS[first])}；{rng.choice(REASONS[second])}", (first, second)
    return rng.choice(REASONS[first]), (first,)


def make_people(rng: random.Random, per_township: int = 12) -> list[Person]:
    """The register's people, township by township, with the anomalies planted on a few of them."""
    people: list[Person] = []
    serial = 10
    for town_zh, town_lat in TOWNSHIPS:
        for _ in range(per_township):
            male = rng.random() < 0.55
            birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 50))
            serial += rng.randrange(1, 17)
            zh, lat, ara = _name(rng, male)
            reason, cats = _reason(rng)
            detained = date(2017, 1, 1) + timedelta(days=rng.randrange(0, 540))
            relatives = []
            for _ in range(rng.randrange(1, 4)):
                rmale = rng.random() < 0.5
                rbirth = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 60))
                rid = id_number(REGISTER_COUNTY, rbirth, rng.randrange(1, 499), rmale) if rng.random() < 0.4 else ""
                relatives.append(Relative(rng.choice(RELATIONS_M if rmale else RELATIONS_F),
                                          _name(rng, rmale)[0], rng.choice(RELATIVE_STATUS), rid))
            people.append(Person(
                name_zh=zh, name_latin=lat, name_arabic=ara, gender="M" if male else "F", birth=birth,
                age=age_at(birth), id_number=id_number(REGISTER_COUNTY, birth, serial, male),
                township_zh=town_zh, township_latin=town_lat,
                village=f"{town_zh}{rng.randrange(1, 25)}村", reason=reason, reason_categories=cats,
                detained=detained, decision=rng.choice(DECISIONS), relatives=tuple(relatives)))
    return plant_anomalies(rng, people)


def plant_anomalies(rng: random.Random, people: list[Person]) -> list[Person]:
    """Spoil a few records the way real registers are spoiled, so `records check` has something to find."""
    idx = rng.sample(range(len(people)), 7)
    p = people
    # a wrong check digit
    i = idx[0]
    good = p[i].id_number
    bad_check = next(c for c in "0123456789X" if c != good[-1])
    p[i] = replace(p[i], id_number=good[:17] + bad_check, anomaly="bad_checksum")
    # stated age disagrees with the birth date in the ID
    i = idx[1]
    p[i] = replace(p[i], age=p[i].age + rng.choice((-7, 6, 11)), anomaly="age_mismatch")
    # stated gender disagrees with the sex digit
    i = idx[2]
    p[i] = replace(p[i], gender="F" if p[i].gender == "M" else "M", anomaly="gender_mismatch")
    # a region code that never existed (the check digit is valid all the same)
    i = idx[3]
    body = UNKNOWN_REGION + p[i].id_number[6:17]
    p[i] = replace(p[i], id_number=body + check_digit(body), anomaly="unknown_region")
    # the same ID number on two different people
    i, j = idx[4], idx[5]
    # (same sex and birth date, so that only the reuse is wrong, not the age or the sex digit)
    zh, lat, ara = _name(rng, p[i].gender == "M")
    while zh == p[i].name_zh:
        zh, lat, ara = _name(rng, p[i].gender == "M")
    p[j] = replace(p[j], name_zh=zh, name_latin=lat, name_arabic=ara, id_number=p[i].id_number,
                   gender=p[i].gender, birth=p[i].birth, age=p[i].age, anomaly="duplicate_id")
    # a birth date that cannot exist (30 February), valid check digit
    i = idx[6]
    body = p[i].id_number[:6] + f"{p[i].birth.year}0230" + p[i].id_number[14:17]
    p[i] = replace(p[i], id_number=body + check_digit(body), anomaly="impossible_date")
    # float_mangled is planted by the XLSX writer (the number is stored as a float); pick one clean record
    clean = [k for k in range(len(p)) if p[k].anomaly is None and not p[k].id_number.endswith("X")]
    k = rng.choice(clean)
    p[k] = replace(p[k], anomaly="float_mangled")
    return p


def platform_people(rng: random.Random, n: int = 30) -> list[Person]:
    """People pushed by the policing platform (other counties), for the GB18030 CSV list."""
    out: list[Person] = []
    for k in range(n):
        county = PLATFORM_COUNTIES[k % len(PLATFORM_COUNTIES)]
        male = rng.random() < 0.5
        birth = date(1955, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
        zh, lat, ara = _name(rng, male)
        reason, cats = _reason(rng)
        town = rng.choice(PLATFORM_TOWNS[county])
        out.append(Person(
            name_zh=zh, name_latin=lat, name_arabic=ara, gender="M" if male else "F", birth=birth,
            age=age_at(birth), id_number=id_number(county, birth, rng.randrange(1, 499), male),
            township_zh=town, township_latin="", village=f"{town}{rng.randrange(1, 20)}村", reason=reason,
            reason_categories=cats, detained=date(2017, 3, 1) + timedelta(days=rng.randrange(0, 400)),
            decision=rng.choice(("已收押", "已核查", "重点管控"))))
    return out
