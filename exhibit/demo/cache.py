"""Build the small invented leak cache that `make demo` ingests: every format, a few planted problems."""

from __future__ import annotations

import csv
import hashlib
import io
import random
from pathlib import Path
from typing import Any

from exhibit.demo import files as f
from exhibit.demo.people import REGIONS, REGISTER_COUNTY, make_people, platform_people

SITUATION = [
    "情况通报（第{n}期）",
    "大数据平台本周推送可疑人员{pushed}名，其中莎车县{local}名。",
    "经逐一核查，已收押{held}名，其余人员纳入重点管控。",
    "各乡镇要在二十四小时内完成核查并反馈结果。",
    "对持有护照、境外有亲属的人员要重点排查。",
]
UYGHUR_NOTICE = [  # a relative's note, invented: "My father Memet Tursun was taken in 2018."
    "مېنىڭ دادام مەمەت تۇرسۇن 2018-يىلى تۇتۇلدى",
    "ئۇنىڭدىن ھېچقانداق خەۋەر يوق",
    "بىز ئارەل يېزىسىدىن",
]
UYGHUR_LATIN = ["Méning dadam Memet Tursun 2018-yili tutuldi.", "Uningdin héchqandaq xewer yoq.",
                "Biz Arel yézisidin."]


def _testimonies(rng: random.Random, people: list[Any]) -> tuple[bytes, dict[str, str | None]]:
    """Statements by relatives abroad, in Latin script; most match a register entry, some match nobody."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["testimony_id", "victim_name", "birth_year", "gender", "hometown", "relation_of_reporter",
                "statement"])
    truth: dict[str, str | None] = {}
    chosen = rng.sample(people, 10)
    for n, p in enumerate(chosen + [None] * 4, start=1):
        tid = f"T{n:04d}"
        if p is None:
            name, year, gender, home = rng.choice(["Ablikim Sawut", "Gulnar Tohti", "Qurban Jappar",
                                                   "Horigul Ehet"]), 1960 + n, "M" if n % 2 else "F", \
                "Yarkand, Arel"
            truth[tid] = None
        else:
            name, year, gender, home = p.name_latin, p.birth.year, p.gender, f"Yarkand, {p.township_latin}"
            truth[tid] = p.id_number
        relation = rng.choice(["son", "daughter", "brother", "sister", "cousin"])
        statement = rng.choice([f"My relative {name} was taken away in {rng.choice((2017, 2018))}; "
                                "we have had no news since.",
                                "Detained at night by the village police, whereabouts unknown.",
                                f"{name} was sent to a 'training centre' and has not returned."])
        w.writerow([tid, name, year, gender, home, relation, statement])
    return buf.getvalue().encode("utf-8"), truth


def generate(out: Path, seed: int = 1) -> dict[str, Any]:
    """Write the demo cache under `out` and return what was planted in it (a small truth).

    Deterministic: the same seed gives byte-identical files."""
    f.require_fonts()
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    people = make_people(rng)
    pushed = platform_people(rng)
    county = REGIONS[REGISTER_COUNTY]
    written: dict[str, bytes] = {}

    written["registers/莎车县学员花名册_2018.xlsx"] = f.register_xlsx(people, county)
    written["registers/平台推送人员清单.csv"] = f.platform_csv(pushed)
    written["registers/家庭成员情况表.docx"] = f.family_docx(people)
    notice = f.notice_docx()
    written["documents/教育转化工作通知.docx"] = notice
    rules_pdf = f.text_pdf(f.RULES_ZH, "培训中心管理办法", cjk=True)
    written["documents/培训中心管理办法.pdf"] = rules_pdf
    written["documents/rules_translation.pdf"] = f.text_pdf(f.RULES_EN, "Training centre rules (translation)",
                                                            cjk=False)
    scans = {}
    for n in (1, 2):
        lines = [s.format(n=n, pushed=rng.randrange(200, 600), local=rng.randrange(20, 90),
                          held=rng.randrange(20, 80)) for s in SITUATION]
        scans[n] = lines
        written[f"scans/情况通报_第{n}期.png"] = f.scanned_notice_png(lines, seed * 100 + n)
    written["scans/uyghur_notice.png"] = f.uyghur_png(UYGHUR_NOTICE, seed)

    # mail with a zip attachment holding a situation note and a short list
    note = "情况说明\n本周各乡镇上报收押人数汇总如下，请审阅。\n".encode()
    short = f.platform_csv(pushed[:5])
    attached = f.zip_bytes([("说明/情况说明.txt", note), ("说明/名单.csv", short)])
    written["mail/forward_20180620.eml"] = f.eml("转发：本周材料", "请查收附件中的本周材料。\n", "本周材料.zip",
                                                 attached)
    # a nested zip whose inner member names are GBK without the UTF-8 flag
    inner = f.zip_bytes([("内部资料/工作通知.docx", notice), ("内部资料/说明.txt", "仅供内部参考\n".encode("gbk"))],
                        gbk_names=True)
    written["archives/leak_part1.zip"] = f.zip_bytes([("inner.zip", inner), ("readme.txt", b"part 1 of 2\n")])
    # broken input: a truncated PDF and an empty file
    written["broken/truncated.pdf"] = rules_pdf[: len(rules_pdf) // 3]
    written["broken/empty.docx"] = b""
    testimonies, testimony_truth = _testimonies(rng, people)
    written["testimonies/testimonies.csv"] = testimonies

    for rel, data in written.items():
        f.write(out, rel, data)
    return {
        "seed": seed,
        "files": {rel: {"sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for rel, d in written.items()},
        "register": "registers/莎车县学员花名册_2018.xlsx",
        "county": REGISTER_COUNTY,
        "persons": [{"name_zh": p.name_zh, "name_latin": p.name_latin, "id": p.id_number, "gender": p.gender,
                     "age": p.age, "township_zh": p.township_zh, "detained": p.detained.isoformat(),
                     "reason": p.reason, "reason_categories": list(p.reason_categories), "anomaly": p.anomaly}
                    for p in people],
        "platform": [{"name_zh": p.name_zh, "id": p.id_number, "reason": p.reason,
                      "reason_categories": list(p.reason_categories)} for p in pushed],
        "anomalies": [{"id": p.id_number, "name_zh": p.name_zh, "type": p.anomaly} for p in people if p.anomaly],
        "hostile": {"broken/truncated.pdf": "corrupt", "broken/empty.docx": "empty"},
        "testimonies": testimony_truth,
        "ocr": {f"scans/情况通报_第{n}期.png": "\n".join(lines) for n, lines in scans.items()}
        | {"scans/uyghur_notice.png": "\n".join(UYGHUR_NOTICE)},
        "uyghur_latin": UYGHUR_LATIN,
    }
