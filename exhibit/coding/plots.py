"""Charts of the coded reasons: categories per register (bars) and records per month of detention (timeline)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

from exhibit.archive import Archive, scratch
from exhibit.coding.facts import UNKNOWN
from exhibit.coding.store import coded_records, current_codebook, require_run

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FORMATS = ("png", "svg")
_RC: dict[str, Any] = {
    "font.family": ["WenQuanYi Micro Hei", "DejaVu Sans"],  # wqy-microhei has Latin and CJK glyphs
    "svg.fonttype": "none",      # text stays text in the SVG: searchable, and the labels can be checked
    "svg.hashsalt": "exhibit",   # stable element ids, so the same data gives the same SVG
    "axes.unicode_minus": False,
}


def _figure(width: float, height: float) -> Any:
    # The object API with an Agg canvas, not pyplot: no global figure state, no GUI backend.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, out_dir: Path, stem: str) -> list[Path]:
    paths = []
    for fmt in FORMATS:
        p = out_dir / f"{stem}.{fmt}"
        fig.savefig(p, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
        paths.append(p)
    return paths


def _register_label(path: str) -> str:
    return PurePosixPath(path).name or path


def charts(arch: Archive, out_dir: Path) -> list[Path]:
    """Write categories_by_register.{png,svg} and records_by_month.{png,svg}; return their paths."""
    scratch.confine_matplotlib(arch.root)
    import matplotlib
    from matplotlib import font_manager

    require_run(arch)
    out_dir.mkdir(parents=True, exist_ok=True)
    if CJK_FONT.exists():
        font_manager.fontManager.addfont(str(CJK_FONT))
    cb = current_codebook(arch)
    by_register: Counter[tuple[str, str]] = Counter()
    by_month: Counter[str] = Counter()
    registers: list[str] = []
    for r in coded_records(arch):
        if r["register"] not in registers:
            registers.append(r["register"])
        for c in r["categories"]:
            by_register[(c, r["register"])] += 1
        if r["reason"]:  # rows of detention registers, not family tables that list relatives
            by_month[r["month"]] += 1
    registers = [g for g in registers if any(by_register[(c, g)] for c in cb.ids())]  # not the family tables
    written: list[Path] = []
    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]  # rcParams keys are Literal-typed
        written += _categories_chart(cb, registers, by_register, out_dir)
        written += _timeline_chart(by_month, out_dir)
    return written


def _categories_chart(cb: Any, registers: list[str], counts: Counter[tuple[str, str]], out_dir: Path) -> list[Path]:
    cats = list(reversed(cb.categories))  # first category at the top
    fig = _figure(10, 1.2 + 0.55 * len(cats) * max(1, min(len(registers), 4) * 0.6))
    ax = fig.add_subplot()
    height = 0.8 / max(1, len(registers))
    for k, reg in enumerate(registers):
        ys = [n + (k - (len(registers) - 1) / 2) * height for n in range(len(cats))]
        ax.barh(ys, [counts[(c.id, reg)] for c in cats], height=height, label=_register_label(reg))
    ax.set_yticks(range(len(cats)), [f"{c.en}  {c.zh}".strip() for c in cats])
    ax.set_xlabel("records (a record with several stated reasons counts in each)")
    ax.set_title("Stated reasons by category and register  各登记表所列理由分类")
    ax.xaxis.get_major_locator().set_params(integer=True)
    if registers:
        ax.legend(loc="lower right", fontsize="small")
    return _save(fig, out_dir, "categories_by_register")


def _month_range(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _timeline_chart(by_month: Counter[str], out_dir: Path) -> list[Path]:
    known = sorted(m for m in by_month if m != UNKNOWN)
    months = _month_range(known[0], known[-1]) if known else []  # empty months shown as gaps in time
    fig = _figure(max(8, 0.35 * len(months) + 2), 4.5)
    ax = fig.add_subplot()
    ax.bar(range(len(months)), [by_month[m] for m in months], color="#4c72b0")
    ax.set_xticks(range(len(months)), months, rotation=90, fontsize="small")
    ax.set_ylabel("records")
    title = "Records by month of detention  按收押月份统计"
    if by_month[UNKNOWN]:
        title += f"\n({by_month[UNKNOWN]} records with a stated reason but no date are not shown)"
    ax.set_title(title)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _save(fig, out_dir, "records_by_month")
