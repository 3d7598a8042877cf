"""Link N register records (Hanzi) against M testimony-like mentions (Latin, other spellings), at scale.

    .venv/bin/python bench/link_scale.py --left 1000000 --right 100000

Generates its own data from the name model's lexicon and gazetteer (no corpus needed; half of the names
are compounds of two lexicon names, so that a name is shared by few people, as in a real county): half of the
right side are people of the left side written as relatives abroad write them (Latin variants, birth
year off by one in 30%, township in Uyghur), half are other people drawn from the same names (near
namesakes). Reports time, peak memory, pairs compared per second, blocking recall, precision and
recall; and, in the same run, the generic baseline (pinyin of the Hanzi, lower-cased Latin, Jaro-
Winkler >= 0.85, birth year +-1, blocked on birth year and first letter) on a sample of the right side.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import warnings
from typing import Any

import pandas as pd


def _people(n: int, rng: random.Random) -> list[dict[str, Any]]:
    from exhibit.link.names.tables import _rows
    from exhibit.link.places import _gazetteer

    names = [(r[0], [h for h in r[1].split(",") if h], [v for v in r[2].split(",") if v] + [r[0]])
             for r in _rows("names.tsv")]
    _, townships = _gazetteer()
    towns = sorted({(code, latin) for (code, _f), latin in townships.items()})
    hanzi_town = {}
    for (_code, form), latin in townships.items():
        if form.endswith(("乡", "镇")) or any("\u4e00" <= c <= "\u9fff" for c in form):
            hanzi_town.setdefault(latin, form)
    def pick() -> tuple[str, list[str], list[str]]:
        a = rng.choice(names)
        if rng.random() < 0.5:  # compound names (Nur+memet, Abdu+kérim...), read through the syllable table
            b = rng.choice(names)
            return (a[0] + b[0].lower(), [x + y for x in a[1][:1] for y in b[1][:2]],
                    [x + y.lower() for x in a[2][:2] for y in b[2][:2]])
        return a

    people = []
    for i in range(n):
        g, f = pick(), pick()
        code, town = rng.choice(towns)
        y, mo, d = rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
        people.append({"i": i, "given": g, "father": f, "gender": rng.choice("MF"), "birth": f"{y}-{mo:02d}-{d:02d}",
                       "county": code, "town": town, "town_zh": hanzi_town.get(town, town),
                       "id": f"{code}{y}{mo:02d}{d:02d}{rng.randint(0, 9999):04d}"})
    return people


def _register(p: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    return {"unique_id": f"L{p['i']}", "dataset": "register", "kind": "record",
            "name": f"{rng.choice(p['given'][1])}·{rng.choice(p['father'][1])}", "gender": "男" if p["gender"] == "M" else "女",
            "id_number": p["id"], "birth_date": p["birth"], "address": f"{p['town_zh']}{rng.randint(1, 30)}村"}


def _testimony(p: dict[str, Any], uid: str, rng: random.Random) -> dict[str, Any]:
    year = int(p["birth"][:4]) + (rng.choice((-1, 1)) if rng.random() < 0.3 else 0)
    return {"unique_id": uid, "dataset": "testimonies", "kind": "mention",
            "name": f"{rng.choice(p['given'][2])} {rng.choice(p['father'][2])}", "gender": p["gender"],
            "birth_year": year, "address": f"Karakax, {p['town']}" if p["county"] == "653222" else p["town"]}


def generate(left: int, right: int, seed: int = 7) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[tuple[str, str]]]:
    rng = random.Random(seed)
    people = _people(left, rng)
    reg = [_register(p, rng) for p in people]
    others = _people(right // 2, random.Random(seed + 1))
    test, truth = [], set()
    for k in range(right - right // 2):
        p = people[rng.randrange(left)]
        uid = f"R{k}"
        test.append(_testimony(p, uid, rng))
        truth.add((f"L{p['i']}", uid))
    test += [_testimony(p, f"N{k}", rng) for k, p in enumerate(others)]
    return reg, test, truth


def blocking_recall(frame: pd.DataFrame, truth: set[tuple[str, str]]) -> float:
    f = frame.set_index("unique_id")
    pairs = pd.DataFrame(sorted(truth), columns=["l", "r"])
    L, R = f.loc[pairs["l"]].reset_index(drop=True), f.loc[pairs["r"]].reset_index(drop=True)
    hit = ((L.name_skel == R.name_skel) | ((L.given_skel == R.given_skel) & (L.birth_year == R.birth_year))
           | ((L.father_skel == R.father_skel) & (L.birth_year == R.birth_year)) | (L.id16 == R.id16)
           | ((L.given_skel == R.father_skel) & (L.father_skel == R.given_skel) & (L.father_skel != "")))
    return float(hit.fillna(False).mean())


def baseline(reg: list[dict[str, Any]], test: list[dict[str, Any]], truth: set[tuple[str, str]]) -> dict[str, Any]:
    """The generic way: pinyin of Hanzi names, lower-cased Latin, JW >= 0.85, birth year +-1, best match."""
    import duckdb
    from pypinyin import Style, lazy_pinyin

    t0 = time.time()
    lf = pd.DataFrame({"uid": [r["unique_id"] for r in reg],
                       "name": [" ".join(lazy_pinyin(r["name"].replace("·", " "), style=Style.NORMAL)).replace(" ", "")
                                for r in reg],
                       "year": [int(r["birth_date"][:4]) for r in reg]})
    rf = pd.DataFrame({"uid": [t["unique_id"] for t in test], "name": [t["name"].lower().replace(" ", "") for t in test],
                       "year": [t["birth_year"] for t in test]})
    con = duckdb.connect()
    con.register("l", lf)
    con.register("r", rf)
    res = con.execute("""
        WITH c AS (SELECT l.uid AS a, r.uid AS b, jaro_winkler_similarity(l.name, r.name) AS s
                   FROM r JOIN l ON abs(l.year - r.year) <= 1 AND left(l.name, 1) = left(r.name, 1))
        SELECT (SELECT count(*) FROM c) AS n, a, b, s FROM c
        QUALIFY row_number() OVER (PARTITION BY b ORDER BY s DESC) = 1 AND s >= 0.85""").fetchall()
    elapsed = time.time() - t0
    n = res[0][0] if res else 0
    found = {(a, b) for _, a, b, _ in res}
    tp = len(found & truth)
    return {"seconds": round(elapsed, 1), "pairs": n, "pairs_per_s": round(n / elapsed), "precision":
            round(tp / max(1, len(found)), 3), "recall": round(tp / max(1, len(truth)), 3)}


def main() -> None:
    warnings.filterwarnings("ignore", module="splink")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--left", type=int, default=100_000)
    ap.add_argument("--right", type=int, default=10_000)
    ap.add_argument("--baseline-right", type=int, default=2_000, help="right-side sample for the baseline")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    import duckdb

    from exhibit.link.compare import prepare
    from exhibit.link.model import LinkSettings, build, predict
    from exhibit.link.resolver import decide

    t0 = time.time()
    reg, test, truth = generate(args.left, args.right)
    print(f"generated {len(reg)} + {len(test)} in {time.time() - t0:.1f}s")

    t1, c1 = time.time(), time.process_time()
    frame = prepare(reg + test)
    t_prep = time.time() - t1
    from splink.backends.duckdb import DuckDBAPI

    con = duckdb.connect()
    con.execute(f"SET threads={args.threads}")
    con.execute("SET memory_limit='6GB'")
    s = LinkSettings(link_type="link_only", max_pairs_u=1e6, em_iterations=8, em_sample=0.3)
    linker = build(frame, s, DuckDBAPI(connection=con))
    t_train = time.time() - t1 - t_prep
    pairs = predict(linker, s.review_threshold * 0.5)
    decisions = decide(pairs.to_dict("records"), {}, s.link_threshold, s.review_threshold)
    elapsed, cpu = time.time() - t1, time.process_time() - c1
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from exhibit.link.blocker import prediction_rules

    tables = [linker._input_tables_dict[k] for k in linker._input_tables_dict]
    counted = count_comparisons_from_blocking_rules(tables, blocking_rules=prediction_rules(), link_type="link_only",
                                                    record_sample_proportion=0.2)
    n_pairs = int(counted[-1]["cumulative_comparison_count"])
    links = {(d.a, d.b) if d.a.startswith("L") else (d.b, d.a) for d in decisions if d.decision == "link"}
    queued = {(d.a, d.b) if d.a.startswith("L") else (d.b, d.a) for d in decisions if d.decision == "review"}
    tp = len(links & truth)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    ours = {"seconds": round(elapsed, 1), "cpu_s": round(cpu, 1), "prepare_s": round(t_prep, 1), "train_s": round(t_train, 1),
            "pairs": n_pairs, "pairs_per_s": round(n_pairs / (elapsed - t_prep - t_train)),
            "blocking_recall": round(blocking_recall(frame, truth), 4),
            "precision": round(tp / max(1, len(links)), 4), "recall": round(tp / len(truth), 4),
            "recall_link_or_review": round(len((links | queued) & truth) / len(truth), 4), "peak_rss_gb": round(peak, 2)}
    print("exhibit.link:", ours)
    sample = test[: args.baseline_right]
    ids = {t["unique_id"] for t in sample}
    base = baseline(reg, sample, {p for p in truth if p[1] in ids})
    print(f"baseline (right side sample of {len(sample)}):", base)
    print(f"ratio: recall {ours['recall'] / max(1e-9, base['recall']):.2f}x, "
          f"precision {ours['precision'] / max(1e-9, base['precision']):.2f}x the baseline's")


if __name__ == "__main__":
    main()
