"""Format ingestors alone (no archive): text-PDF pages against pdftotext, XLSX rows against openpyxl's
own iteration with peak memory, and the cost of stopping a zip bomb. Generates its own inputs.

    .venv/bin/python bench/formats.py                      # full: 400 PDFs x 10 pages, 1,000,000 rows, 1 GiB bomb
    .venv/bin/python bench/formats.py --pdfs 20 --rows 50000 --bomb-mb 64   # smoke
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pymupdf


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_pdf(work: Path, pdfs: int) -> None:
    from exhibit.ingest.formats import IngestContext
    from exhibit.ingest.formats.pdf import PdfIngestor

    files = []
    for f in range(pdfs):
        doc = pymupdf.open()
        for p in range(10):
            page = doc.new_page()
            for line in range(40):
                page.insert_text((50, 60 + 18 * line), f"第{p}页第{line}行 一体化联合作战平台本周推送可疑人员 points system",
                                 fontname="china-s", fontsize=9)
        path = work / f"{f}.pdf"
        doc.save(path)
        files.append(path)
    if shutil.which("pdftotext") is None:
        print("pdf: pdftotext missing (poppler-utils), baseline skipped")
        return
    # Interleaved file by file, so that the load of a shared machine falls on both alike.
    base = ours = 0.0
    for path in files:
        t = time.perf_counter()
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
        base += time.perf_counter() - t
        t = time.perf_counter()
        PdfIngestor().ingest(path, IngestContext(workdir=work, ocr=True))
        ours += time.perf_counter() - t
    pages = pdfs * 10
    print(f"pdf: {pages} text pages  pdftotext {pages / base:.0f} pages/s  PdfIngestor {pages / ours:.0f} pages/s  "
          f"ratio {base / ours:.2f}x")


def bench_xlsx(work: Path, rows: int) -> None:
    import openpyxl

    from exhibit.ingest.formats import IngestContext
    from exhibit.ingest.formats.xlsx import XlsxIngestor

    path = work / "big.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("名单")
    for i in range(rows):
        ws.append([i, f"姓名{i}", "653222198108166678", 653222198108166678.0, "扎瓦镇7村", "2018.03.15"])
    wb.save(path)
    before = _peak_mb()
    t = time.perf_counter()
    with open(path, "rb") as fh:
        raw = openpyxl.load_workbook(fh, read_only=True)
        n_base = sum(1 for _ in raw.worksheets[0].iter_rows(values_only=True))
        raw.close()
    base = time.perf_counter() - t
    t = time.perf_counter()
    ext = XlsxIngestor().ingest(path, IngestContext(workdir=work))
    n_ours = sum(1 for _ in ext.tables[0].rows)
    ours = time.perf_counter() - t
    print(f"xlsx: {rows} rows ({path.stat().st_size / 1e6:.0f} MB)  openpyxl values_only {n_base / base:.0f} rows/s  "
          f"XlsxIngestor {n_ours / ours:.0f} rows/s  ratio {base / ours:.2f}x  "
          f"peak RSS {_peak_mb():.0f} MB (before the sheet: {before:.0f} MB)")


def bench_bomb(work: Path, mb: int) -> None:
    from exhibit.config import Limits
    from exhibit.ingest.formats import IngestContext
    from exhibit.ingest.formats.zip import ZipIngestor

    path = work / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("zeros.bin", "w", force_zip64=mb >= 4096) as out:
        block = bytes(1 << 20)
        for _ in range(mb):
            out.write(block)
    spool = work / "bomb-work"
    for label, limits in (("declared ratio", Limits()),
                          ("total bytes 8 MiB, ratio off", Limits(total_bytes=8 << 20, ratio=1e9))):
        shutil.rmtree(spool, ignore_errors=True)
        spool.mkdir()
        t = time.perf_counter()
        ext = ZipIngestor().ingest(path, IngestContext(workdir=spool, limits=limits))
        took = time.perf_counter() - t
        written = sum(p.stat().st_size for p in spool.rglob("*") if p.is_file())
        print(f"bomb ({mb} MiB of zeros, {path.stat().st_size / 1e6:.1f} MB zipped), stopped by {label}: "
              f"{ext.status} in {took * 1000:.0f} ms, {written} bytes on disk, peak RSS {_peak_mb():.0f} MB")
    if mb < 4096:  # a header that understates the size (1,000 bytes): zipfile stops there, CRC fails
        data = bytearray(path.read_bytes())
        central = data.index(b"PK\x01\x02")
        for offset in (22, central + 24):
            data[offset:offset + 4] = (1000).to_bytes(4, "little")
        liar = work / "liar.zip"
        liar.write_bytes(bytes(data))
        shutil.rmtree(spool, ignore_errors=True)
        spool.mkdir()
        t = time.perf_counter()
        ext = ZipIngestor().ingest(liar, IngestContext(workdir=spool))
        took = time.perf_counter() - t
        written = sum(p.stat().st_size for p in spool.rglob("*") if p.is_file())
        print(f"bomb with a header claiming 1000 bytes: member {ext.children[0].status} in {took * 1000:.0f} ms, "
              f"{written} bytes on disk")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pdfs", type=int, default=400)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--bomb-mb", type=int, default=1024)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bench_bomb(work, args.bomb_mb)
        bench_pdf(work, args.pdfs)
        bench_xlsx(work, args.rows)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
