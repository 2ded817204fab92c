"""Shared PDF building blocks: styles, page template with footer, tables, handwriting images.

One visual language for all reports: A4, DejaVu Sans, dark slate headings, light rules, amber for pending.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from outputs.fonts import register_fonts
from outputs.paths import OutputPathError, writable_path

INK = colors.HexColor("#1f2a37")
MUTED = colors.HexColor("#5b6675")
RULE = colors.HexColor("#c9d1db")
HEAD_BG = colors.HexColor("#e8edf3")
PENDING_BG = colors.HexColor("#ffe9b0")
PENDING_INK = colors.HexColor("#8a4b00")
ALERT_BG = colors.HexColor("#fdecea")
ALERT_INK = colors.HexColor("#8c1d18")
ACCENT = colors.HexColor("#2f5d8a")
PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
FRAME_W = PAGE_W - 2 * MARGIN


@dataclass
class Styles:
    """Paragraph styles bound to the registered fonts."""

    regular: str
    bold: str

    def __post_init__(self) -> None:
        r, b = self.regular, self.bold
        self.body = ParagraphStyle("body", fontName=r, fontSize=9, leading=12, textColor=INK)
        self.small = ParagraphStyle("small", parent=self.body, fontSize=7.5, leading=9.5, textColor=MUTED)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=10.5)
        self.cell_b = ParagraphStyle("cellb", parent=self.cell, fontName=b)
        self.title = ParagraphStyle("title", fontName=b, fontSize=17, leading=21, textColor=INK, spaceAfter=2)
        self.subtitle = ParagraphStyle("subtitle", fontName=r, fontSize=10, leading=13, textColor=MUTED,
                                       spaceAfter=6)
        self.h1 = ParagraphStyle("h1", fontName=b, fontSize=12.5, leading=16, textColor=ACCENT,
                                 spaceBefore=10, spaceAfter=4)
        self.h2 = ParagraphStyle("h2", fontName=b, fontSize=10, leading=13, textColor=INK, spaceBefore=6,
                                 spaceAfter=3)
        self.banner = ParagraphStyle("banner", parent=self.body, fontName=b, textColor=PENDING_INK)
        self.alert = ParagraphStyle("alert", parent=self.body, textColor=ALERT_INK)


def styles(font_dir: Path | str | None = None) -> Styles:
    r, b = register_fonts(font_dir)
    return Styles(r, b)


def esc(text: Any) -> str:
    return escape("" if text is None else str(text))


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """Paragraph from plain text (escaped)."""
    return Paragraph(esc(text), style)


def table(rows: Sequence[Sequence[Any]], widths: Sequence[float] | None, st: Styles, *, header: bool = True,
          pending_cells: Sequence[tuple[int, int]] = (), align_right_from: int | None = None,
          extra: Sequence[tuple] = ()) -> Table:
    """A light-ruled table; strings become wrapped paragraphs; `pending_cells` (col, row) get amber."""
    data = []
    for ri, row in enumerate(rows):
        out = []
        for cell in row:
            if isinstance(cell, str):
                out.append(Paragraph(esc(cell), st.cell_b if header and ri == 0 else st.cell))
            else:
                out.append(cell)
        data.append(out)
    t = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    cmds: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        cmds += [("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED)]
    for c, r in pending_cells:
        cmds.append(("BACKGROUND", (c, r), (c, r), PENDING_BG))
    cmds += list(extra)
    t.setStyle(TableStyle(cmds))
    return t


def keep(items: Sequence[Flowable]) -> KeepTogether:
    """KeepTogether without nesting: reportlab's KeepTogether inside another one always forces a page break
    (its wrap reports an infinite height), so inner groups are flattened into the outer one."""
    flat: list[Flowable] = []
    for it in items:
        flat.extend(it._content if isinstance(it, KeepTogether) else [it])
    return KeepTogether(flat)


def boxed(flowables: list[Flowable], bg: Any, border: Any) -> Table:
    """A coloured note box spanning the frame width."""
    t = Table([[flowables]], colWidths=[FRAME_W])
    t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), bg), ("BOX", (0, 0), (-1, -1), 0.8, border),
                           ("LEFTPADDING", (0, 0), (-1, -1), 7), ("RIGHTPADDING", (0, 0), (-1, -1), 7),
                           ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return t


def handwriting(path: Path | None, max_w: float, max_h: float, missing_text: str, st: Styles) -> Flowable:
    """The crop as an image scaled to fit (aspect kept), with a thin frame; a note if the file is missing."""
    if path is None or not path.is_file():
        return para(missing_text, st.small)
    with PILImage.open(path) as im:
        w, h = im.size
    scale = min(max_w / w, max_h / h, 25.4 * mm / 150)  # at most life size for a 150 dpi scan
    img = Image(str(path), width=w * scale, height=h * scale)
    t = Table([[img]], hAlign="LEFT")
    t.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.4, RULE), ("LEFTPADDING", (0, 0), (-1, -1), 2),
                           ("RIGHTPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 2),
                           ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return t


def crop_path(record: dict, field_id: str, crops_dir: Path | None) -> Path | None:
    rel = (record.get("crops") or {}).get(field_id)
    if not rel or crops_dir is None:
        return None
    return Path(crops_dir) / rel


def build(out_path: Path | str, story: list[Flowable], st: Styles, *, title: str, footer_left: str,
          page_word: str) -> Path:
    """Render `story` to `out_path` with a footer (left text, page n/N); OS errors become OutputPathError."""
    out = writable_path(out_path)

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(st.regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, 9 * mm, footer_left)
        canvas.drawRightString(PAGE_W - MARGIN, 9 * mm, f"{page_word} {doc.page}")
        canvas.setStrokeColor(RULE)
        canvas.line(MARGIN, 12 * mm, PAGE_W - MARGIN, 12 * mm)
        canvas.restoreState()

    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=14 * mm,
                            bottomMargin=17 * mm, title=title, author="formkit")
    try:
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    except OSError as exc:
        raise OutputPathError(out, exc.strerror or str(exc)) from exc
    return out


def today_or(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


__all__ = ["KeepTogether", "Spacer", "Styles", "boxed", "build", "crop_path", "esc", "handwriting", "keep",
           "mm", "para", "styles", "table", "today_or"]
