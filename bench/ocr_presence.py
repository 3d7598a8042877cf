"""Bench: ingest of photographs without text, with the text-presence pass and without it (today's OCR).

    .venv/bin/python bench/ocr_presence.py --photos 1000 [--jobs 2] [--workdir /tmp/exhibit-photos]

Generates N photo-like JPEGs (1024x768: gradients, shapes, sensor noise, blur; exhibit.demo.photos.scene)
once into --workdir/photos (reused by later runs), then ingests the folder twice into fresh archives,
each in its own process (wall time, and CPU time of the process and everything it started: workers,
Tesseract): with the pass (Config.ocr_presence, the default) and with it off. Prints both and the ratio,
and how many pages the pass skipped (all of them should be: none of the photographs has text).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generate(folder: Path, n: int) -> None:
    from exhibit.demo.photos import scene

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        path = folder / f"IMG_{i:05d}.jpg"
        if not path.exists():
            scene(i).save(path, quality=88)


def phase(photos: str, archive: str, presence: str, jobs: str) -> dict[str, object]:
    from exhibit.archive import Archive
    from exhibit.config import Config
    from exhibit.ingest import ingest

    arch = Archive.init(Path(archive))
    config = Config(jobs=int(jobs), ocr_langs="chi_sim+uig+eng",
                    ocr_presence=presence == "on")
    summary = ingest(arch, [Path(photos)], config)
    skipped = read = 0
    for ex in arch.exhibits():
        for page in arch.pages(ex.seq):
            if page.meta.get("text_presence", {}).get("decision") == "no_text":
                skipped += 1
            else:
                read += 1
    arch.close()
    return {"by_status": summary.as_json().get("by_status"), "skipped": skipped, "read": read}


def run(*args: str) -> tuple[float, float, dict[str, object]]:
    t = time.perf_counter()
    p = subprocess.Popen([sys.executable, __file__, "--phase", *args], stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t
    out = p.stdout.read() if p.stdout else ""
    if status != 0:
        raise SystemExit(f"phase failed ({status})")
    return elapsed, usage.ru_utime + usage.ru_stime, json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/exhibit-photos"))
    ap.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase:
        print(json.dumps(phase(*a.phase)))
        return
    photos = a.workdir / f"photos-{a.photos}"
    t = time.perf_counter()
    generate(photos, a.photos)
    print(f"{a.photos} photographs without text in {photos} ({time.perf_counter() - t:.0f} s to make)", flush=True)
    results = {}
    for presence in ("on", "off"):
        archive = a.workdir / f"archive-{presence}"
        shutil.rmtree(archive, ignore_errors=True)
        results[presence] = run(str(photos), str(archive), presence, str(a.jobs))
        sec, cpu, res = results[presence]
        print(f"  pass {presence:3s}  {sec:8.1f} s wall  {cpu:8.1f} s CPU  {a.photos / sec:7.2f} photos/s  {res}",
              flush=True)
        shutil.rmtree(archive, ignore_errors=True)
    (on_s, on_cpu, _), (off_s, off_cpu, _) = results["on"], results["off"]
    print(f"  ratio (pass off / pass on): {off_s / on_s:.1f}x wall, {off_cpu / on_cpu:.1f}x CPU, --jobs {a.jobs}")


if __name__ == "__main__":
    main()
