"""What anatomy and format checks add to the ingest of text PDFs (issue 17): N generated official documents
and telegrams (exhibit.demo.gongwen, each with its own number, date and body) ingested into two fresh
archives in the same run, one followed by `documents.sync`. Target: the sync adds at most 10%.

Usage: python bench/documents_anatomy.py [--pdfs 200] [--jobs 1] [--work DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from exhibit import documents
from exhibit.archive import Archive
from exhibit.config import Config
from exhibit.demo import gongwen as g
from exhibit.ingest import ingest

SENTENCES = ("各单位要高度重视，认真组织实施。", "要明确责任分工，确保各项工作落到实处。", "对工作中发现的问题要及时上报。",
             "各乡镇要按照要求做好统计和报送工作。", "本通知自印发之日起施行。", "请各单位结合实际认真贯彻执行。")


def make_pdfs(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(17)
    for i in range(n):
        base = g.telegram() if i % 4 == 3 else g.Gongwen()
        issued = date(2016, 1, 4) + timedelta(days=rnd.randrange(900))
        body = tuple(rnd.choice(SENTENCES) for _ in range(rnd.randrange(8, 30)))
        cites = (f"{base.code}〔{issued.year}〕{rnd.randrange(1, 400)}号",) if i % 3 == 0 else ()
        doc = replace(base, serial=i + 1, year=issued.year, issued=issued, printed=issued + timedelta(days=1),
                      body=body, cites=cites)
        (folder / f"doc-{i:05d}.pdf").write_bytes(g.text_pdf(doc))


def run(files: Path, root: Path, jobs: int, sync: bool) -> tuple[float, float]:
    shutil.rmtree(root, ignore_errors=True)
    arch = Archive.init(root)
    t0 = time.perf_counter()
    ingest(arch, [files], Config(jobs=jobs, custodian="bench"))
    t1 = time.perf_counter()
    if sync:
        documents.sync(arch)
    t2 = time.perf_counter()
    arch.close()
    return t1 - t0, t2 - t1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdfs", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--work", type=Path, default=Path(__file__).parent / "out" / "documents")
    a = ap.parse_args()
    files = a.work / "pdfs"
    shutil.rmtree(files, ignore_errors=True)
    make_pdfs(files, a.pdfs)
    plain, _ = run(files, a.work / "plain", a.jobs, sync=False)
    with_ingest, sync = run(files, a.work / "documents", a.jobs, sync=True)
    print(f"{a.pdfs} text PDFs, --jobs {a.jobs}: ingest {plain:.2f} s; ingest {with_ingest:.2f} s + documents.sync "
          f"{sync:.2f} s = {sync / with_ingest:.1%} of its ingest ({(with_ingest + sync) / plain:.2f}x the plain "
          f"ingest, target: sync <= 10%)")


if __name__ == "__main__":
    main()
