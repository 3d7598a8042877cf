"""Verified redaction for publication: proposals from what pages carry, redaction that removes, and a
copy that leaves exhibit only after every check found none of what was redacted.

    propose(arch, seq, records=True, patterns=all, pages=None) -> tuple[Region, ...]   (each with its value)
    plan(arch, seq, Selection(records, patterns, boxes, pages, skip)) -> Plan          (what is confirmed)
    redact(arch, seq, plan, actor=, purpose=, out=None) -> RedactedCopy                (verified, stored, logged)
    verify_file(path, secrets, regions, ocr) -> Verification                          (any file)
    verify_against(arch, path, seq, selection, actor=) -> Verification                 (`redact verify`)
    page_size(arch, seq, n), preview_png(arch, seq, plan, width)                      (the web's redaction mode)
"""

from __future__ import annotations

from exhibit.redact.copy import ocr_setup, page_size, preview_png, recorded_copy, redact, verify_against
from exhibit.redact.propose import Selection, candidates, page_glyphs, plan, propose
from exhibit.redact.types import (
    Box,
    Check,
    CheckResult,
    Finding,
    Hidden,
    HiddenFind,
    Kind,
    Origin,
    Pattern,
    Plan,
    RedactedCopy,
    RedactionUnverified,
    Region,
    Secret,
    Verification,
)
from exhibit.redact.verify import OcrScope, OcrSetup, verify_file

__all__ = ["Box", "Check", "CheckResult", "Finding", "Hidden", "HiddenFind", "Kind", "OcrScope", "OcrSetup", "Origin",
           "Pattern", "Plan", "RedactedCopy", "RedactionUnverified", "Region", "Secret", "Selection", "Verification",
           "candidates", "ocr_setup", "page_glyphs", "page_size", "plan", "preview_png", "propose", "recorded_copy", "redact", "verify_against",
           "verify_file"]
