"""The embedded fonts (DejaVu Sans: covers Norwegian, Swedish and Sámi letters) and text metrics.

Built-in PDF Helvetica turns Sámi letters (č đ ŋ ŧ) into boxes, so every PDF formkit writes embeds
DejaVu; the TTF files ship inside the package so `pip install .` needs no system fonts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent
REGULAR, BOLD = "FK-Regular", "FK-Bold"
_FILES = {REGULAR: "DejaVuSansCondensed.ttf", BOLD: "DejaVuSansCondensed-Bold.ttf"}
PT_TO_MM = 25.4 / 72.0


@lru_cache(maxsize=1)
def register_fonts() -> tuple[str, str]:
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    return REGULAR, BOLD


def font_name(bold: bool = False) -> str:
    register_fonts()
    return BOLD if bold else REGULAR


@lru_cache(maxsize=4096)
def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    return pdfmetrics.stringWidth(text, font_name(bold), size_pt) * PT_TO_MM


def wrap_text(text: str, width_mm: float, size_pt: float, bold: bool = False) -> list[str]:
    """Greedy word wrap; a single word wider than the line is kept whole (callers check fit)."""
    words = text.split()
    lines: list[str] = []
    cur = ""
    for w in words:
        cand = f"{cur} {w}" if cur else w
        if cur and text_width_mm(cand, size_pt, bold) > width_mm:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    if cur:
        lines.append(cur)
    return lines or [""]


def fit_text(text: str, width_mm: float, height_mm: float, size_pt: float, min_pt: float = 6.0,
             bold: bool = False) -> tuple[float, list[str]] | None:
    """Largest size ≤ size_pt at which `text` fits the box, wrapping if needed; None if it never fits."""
    size = size_pt
    while size >= min_pt - 1e-9:
        line_h = size * PT_TO_MM * 1.15
        max_lines = max(1, int(height_mm // line_h))
        lines = wrap_text(text, width_mm, size, bold)
        if len(lines) <= max_lines and all(text_width_mm(t, size, bold) <= width_mm for t in lines):
            return size, lines
        size -= 0.5
    return None
