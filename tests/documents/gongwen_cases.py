"""The documents' fixtures: standard official documents and telegrams from exhibit.demo.gongwen, written as
text PDFs, DOCX and colour scans with their variants, and copies with one defect each, ingested by the real
pipeline (OCR included) into one archive."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from exhibit.demo import gongwen as g
from exhibit.demo.files import CJK_FONT

Writer = Callable[[g.Gongwen], bytes]


@dataclass(frozen=True)
class Case:
    name: str
    doc: g.Gongwen
    fmt: str           # pdf, docx, scan

    @property
    def file(self) -> str:
        return f"{self.name}.{'png' if self.fmt == 'scan' else self.fmt}"

    def write(self, folder: Path) -> Path:
        writers: dict[str, Writer] = {"pdf": g.text_pdf, "docx": g.docx_file, "scan": g.scan_png}
        path = folder / self.file
        path.write_bytes(writers[self.fmt](self.doc))
        return path


OFFICIAL = g.Gongwen()
UPWARD = replace(OFFICIAL, title="关于申请档案库房建设经费的请示", signer="王强", serial=7, code="南政报",
                 addressee="市人民政府：", colon=":", classification=None, secrecy_period=None, copy_number=None,
                 urgency="加急", note=None, attachment=None)
TELEGRAM = g.telegram()

CLEAN = [
    Case("official-pdf", OFFICIAL, "pdf"),
    Case("upward-pdf", UPWARD, "pdf"),
    Case("telegram-pdf", TELEGRAM, "pdf"),
    Case("official-docx", OFFICIAL, "docx"),
    Case("telegram-docx", TELEGRAM, "docx"),
    Case("official-scan", OFFICIAL, "scan"),
    Case("telegram-scan", TELEGRAM, "scan"),
]
# the same document set in another font: the text layer of a PDF made with a system font
FONT_FILE = str(CJK_FONT)

DEFECTS: list[tuple[g.Defect, str]] = [
    (g.Defect.SQUARE_BRACKETS, "pdf"), (g.Defect.ROUND_BRACKETS, "docx"), (g.Defect.ZERO_PADDED, "pdf"),
    (g.Defect.DI, "docx"), (g.Defect.SHORT_YEAR, "pdf"), (g.Defect.CHINESE_DATE, "pdf"),
    (g.Defect.PRINT_BEFORE_ISSUE, "docx"), (g.Defect.NO_DOC_NUMBER, "pdf"), (g.Defect.NO_ISSUE_DATE, "docx"),
    (g.Defect.URGENCY_FIRST, "pdf"), (g.Defect.BAD_STAR, "docx"),
    (g.Defect.SQUARE_BRACKETS, "scan"), (g.Defect.CHINESE_DATE, "scan"),
]
# what each defect must be found as (exhibit.documents.standard.Code values)
EXPECTED = {
    g.Defect.SQUARE_BRACKETS: "doc_number_brackets", g.Defect.ROUND_BRACKETS: "doc_number_brackets",
    g.Defect.ZERO_PADDED: "doc_number_padded", g.Defect.DI: "doc_number_di", g.Defect.SHORT_YEAR: "doc_number_year",
    g.Defect.CHINESE_DATE: "date_era", g.Defect.PRINT_BEFORE_ISSUE: "print_before_issue",
    g.Defect.NO_DOC_NUMBER: "missing_element", g.Defect.NO_ISSUE_DATE: "missing_element",
    g.Defect.URGENCY_FIRST: "header_order", g.Defect.BAD_STAR: "classification_form",
}


def defect_cases() -> list[Case]:
    return [Case(f"defect-{d.value}-{fmt}", OFFICIAL.with_defect(d), fmt) for d, fmt in DEFECTS]


# references: one document quotes the official document's number and a number no exhibit carries
MISSING_NUMBER = "北山县委办发〔2016〕88号"
CITING = replace(OFFICIAL, code="南档发", serial=3, title="关于转发档案管理工作通知的通知",
                 cites=(f"南山县人民政府{OFFICIAL.standard_number}", MISSING_NUMBER),
                 body=("现将有关文件转发给你们，请结合实际认真执行。",))
# one number on two different texts
SHARED_A = replace(OFFICIAL, serial=99, title="关于开展安全生产检查的通知",
                   body=("为切实加强安全生产工作，决定在全县开展安全生产大检查。", "各单位要认真组织自查，及时消除隐患。"))
SHARED_B = replace(OFFICIAL, serial=99, title="关于调整城区公交线路的通知",
                   body=("为方便群众出行，经研究决定调整城区部分公交线路。", "调整后的线路自下月起运行。"))
OTHERS = [Case("citing-pdf", CITING, "pdf"), Case("shared-a-pdf", SHARED_A, "pdf"),
          Case("shared-b-docx", SHARED_B, "docx"), Case("official-font-pdf", OFFICIAL, "pdf")]


def write_all(folder: Path) -> list[Case]:
    cases = CLEAN + defect_cases() + OTHERS
    folder.mkdir(parents=True, exist_ok=True)
    for c in cases:
        if c.name == "official-font-pdf":
            (folder / c.file).write_bytes(g.text_pdf(c.doc, font_file=FONT_FILE))
        else:
            c.write(folder)
    return cases
