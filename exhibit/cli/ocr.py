"""`exhibit ocr`: re-run OCR on chosen exhibits with other languages or another engine."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from exhibit.cli.common import (
    ArchiveOpt,
    JsonOpt,
    RichProgress,
    console,
    open_archive,
    out,
    print_json,
    shown,
)
from exhibit.cli.search import sync_search
from exhibit.config import DEFAULT_OCR_LANGS


def register(app: typer.Typer) -> None:
    app.command("ocr")(ocr_cmd)


def ocr_cmd(
    ids: Annotated[list[str] | None, typer.Argument(metavar="ID",
                                                    help="Exhibits (EX-000012 or SHA-256 prefix); "
                                                         "default: every image and scanned PDF.")] = None,
    langs: Annotated[str | None, typer.Option("--langs", help="OCR languages, Tesseract style, "
                                                               f"default {DEFAULT_OCR_LANGS}.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="auto (PP-OCR for Chinese, Tesseract for the rest), "
                                                          "rapidocr or tesseract.")] = "auto",
    force: Annotated[bool, typer.Option("--force", help="Ignore cached OCR results.")] = False,
    actor: Annotated[str | None, typer.Option("--actor", help="Who runs it (default: the OS user).")] = None,
    spark: Annotated[str | None, typer.Option(help="Read the pages on Apache Spark at this master URL "
                                              "(local[2], spark://HOST:7077); the archive folder must be "
                                              "shared with the executors.")] = None,
    archive: ArchiveOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Re-run OCR on exhibits (images and image-only PDF pages); each run is a custody event."""
    from exhibit.ingest.reocr import rerun

    arch = open_archive(archive)
    try:
        with RichProgress(quiet=as_json) as progress:
            summary = rerun(arch, list(ids or []), langs=langs, engine=engine, force=force, actor=actor,
                            progress=progress, spark=spark)
        sync_search(arch, quiet=as_json)
    finally:
        arch.close()
    if as_json:
        print_json(summary)
        return
    t = Table("id", "pages", "OCR'd", "failed", "engines", "confidence")
    for e in summary["exhibits"]:
        t.add_row(e["id"], str(e["pages"]), str(e["ocr_pages"]), str(len(e["failed_pages"])),
                  ",".join(e["engines_used"]), "" if e["confidence"] is None else f"{e['confidence']:.3f}")
    out.print(t)
    for s in summary["skipped"]:
        console.print(f"skipped {s['id']}: {shown(s['reason'])}", highlight=False)
