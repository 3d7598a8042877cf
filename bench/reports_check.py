"""Benchmark: checking a report's citations against a generated archive, versus checking each alone.

    .venv/bin/python bench/reports_check.py --pages 2000 --citations 500

Builds an archive of PAGES pages of Chinese text (one exhibit per 20 pages) with direct SQL, writes a
report citing random quotations (a quarter on the wrong page, so the whole exhibit is searched), then
times `check_text` (one checker: pages read and folded once) against a baseline that checks each
citation with a fresh checker (pages read and folded per citation, as a naive loop would).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from pathlib import Path

from exhibit.archive import Archive, custody, ex_id
from exhibit.reports.citations import parse
from exhibit.reports.verify import Checker, check_text

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


def build(root: Path, pages: int, rng: random.Random) -> list[tuple[str, int, str]]:
    """The archive, and for each page (exhibit ID, page number, text)."""
    arch = Archive.init(root)
    out: list[tuple[str, int, str]] = []
    with arch.transaction() as db:
        for start in range(0, pages, 20):
            n = min(20, pages - start)
            texts = []
            for _ in range(n):
                lines = ["".join(rng.choice(HAN) for _ in range(38)) + rng.choice("，。；") for _ in range(30)]
                texts.append("\n".join(lines))
            sha = hashlib.sha256("".join(texts).encode()).hexdigest()
            seq = db.execute("INSERT INTO exhibits(sha256, size, page_count, first_received) VALUES (?,?,?,?)",
                             (sha, 1, n, custody.utc_now())).lastrowid
            db.execute("INSERT INTO paths(exhibit_seq, path, received) VALUES (?,?,?)",
                       (seq, f"doc{seq}.pdf", custody.utc_now()))
            db.executemany("INSERT INTO pages(exhibit_seq, number, text, source) VALUES (?,?,?,?)",
                           [(seq, i + 1, t, "text") for i, t in enumerate(texts)])
            out += [(ex_id(int(seq or 0)), i + 1, t) for i, t in enumerate(texts)]
    arch.close()
    return out


def report(pages: list[tuple[str, int, str]], citations: int, rng: random.Random) -> str:
    lines = ["# Bench report", ""]
    for k in range(citations):
        ex, number, text = rng.choice(pages)
        flat = text.replace("\n", "")
        i = rng.randrange(0, len(flat) - 12)
        quote = flat[i:i + 10]
        cited = number if k % 4 else (number % 20) + 1  # every fourth on a wrong page of the same exhibit
        lines.append(f"Claim {k} “{quote}” [@{ex}, p. {cited}].")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--citations", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        t0 = time.perf_counter()
        pages = build(root, args.pages, rng)
        text = report(pages, args.citations, rng)
        built = time.perf_counter() - t0
        with Archive.open(root) as arch:
            t0 = time.perf_counter()
            result = check_text(arch, text)
            ours = time.perf_counter() - t0
            t0 = time.perf_counter()
            base = [Checker(arch).check(c) for g in parse(text) for c in g.citations]
            baseline = time.perf_counter() - t0
        same = [c.quote_verdict for c in result.citations] == [c.quote_verdict for c in base]
        verdicts: dict[str, int] = {}
        for c in result.citations:
            verdicts[c.quote_verdict or c.verdict] = verdicts.get(c.quote_verdict or c.verdict, 0) + 1
        print(f"pages={args.pages} citations={args.citations} (archive built in {built:.1f}s) verdicts={verdicts}")
        print(f"check_text (one checker):      {ours:8.3f}s  {args.citations / ours:9.1f} citations/s")
        print(f"baseline (checker per citation): {baseline:6.3f}s  {args.citations / baseline:9.1f} citations/s")
        print(f"speed-up: {baseline / ours:.1f}x  same verdicts: {same}")


if __name__ == "__main__":
    main()
