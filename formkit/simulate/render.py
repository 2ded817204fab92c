"""Rasterise PDF pages to numpy arrays, and convert geometry millimetres to pixels.

The simulator works on page *images*: a generated form is rendered once at a chosen dpi, pen
marks are drawn into that image, then a scanner profile degrades it. pypdfium2 is used because
it is fast, has no system dependency and is the same engine the reader uses for scanner PDFs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

MM_PER_INCH = 25.4


def mm_to_px(value_mm: float, dpi: float) -> float:
    """Millimetres to pixels at `dpi` (pixel 0 starts at the page's top-left edge)."""
    return value_mm * dpi / MM_PER_INCH


def rect_mm_to_px(rect_mm: Sequence[float], dpi: float) -> tuple[float, float, float, float]:
    """Geometry-contract `rect_mm` [x, y, w, h] to a float pixel rect (x0, y0, x1, y1).

    Floats are kept on purpose: mark drawing is sub-pixel (supersampled), and rounding here
    would bias small boxes at low dpi.
    """
    x, y, w, h = (float(v) for v in rect_mm)
    return (mm_to_px(x, dpi), mm_to_px(y, dpi), mm_to_px(x + w, dpi), mm_to_px(y + h, dpi))


def rasterise_pdf(
    pdf: str | Path | bytes,
    dpi: float = 150,
    *,
    colour: bool = False,
    pages: Sequence[int] | None = None,
) -> list[np.ndarray]:
    """Render PDF pages to uint8 arrays: (H, W) greyscale, or (H, W, 3) RGB if `colour`.

    `pages` are 0-based page indices (default: all). Each page is rendered at its own size, so
    an A4 page at 150 dpi gives a 1240 x 1754 image.
    """
    doc = pdfium.PdfDocument(pdf if not isinstance(pdf, Path) else str(pdf))
    try:
        indices = list(range(len(doc))) if pages is None else list(pages)
        out: list[np.ndarray] = []
        for i in indices:
            page = doc[i]
            bitmap = page.render(scale=dpi / 72.0, grayscale=not colour, rev_byteorder=colour)
            arr = np.array(bitmap.to_numpy(), copy=True)
            if arr.ndim == 3 and not colour:
                arr = arr[:, :, 0]
            elif colour and arr.ndim == 3 and arr.shape[2] == 4:
                arr = arr[:, :, :3]
            out.append(np.ascontiguousarray(arr))
            page.close()
        return out
    finally:
        doc.close()
