"""Page images and field crops, found by id in the store and never by a path from the request.

Stored page images are rectified upright at 4 px/mm when `reading_json.rectified` is true, so a
field's boxes can be cut out with the form geometry alone. Crops are labelled outside the scan
(bands above and below) so the annotation never hides what the assessor wrote.
"""

from __future__ import annotations

import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import abort
from PIL import Image, ImageDraw, ImageFont

from formkit.fonts import FONT_DIR
from formkit.workspace import Workspace

PX_PER_MM = 4.0  # formkit.ingest.worker.PAGE_PX_PER_MM: the stored page image's resolution
SCALE = 2  # crops are enlarged so a faint tick is visible without zooming
PAD_MM = 3.0
BAND_PX = 22
STATE_STYLE = {  # measured state → (short text, colour)
    "marked": ("✓ marked", (22, 120, 60)),
    "filled": ("■ cancelled", (150, 40, 40)),
    "uncertain": ("? unclear", (176, 110, 0)),
    "empty": ("empty", (120, 120, 120)),
}


def inside_workspace(ws: Workspace, rel: str | None, allowed: tuple[str, ...] = ("pages", "crops")) -> Path:
    """The absolute path of a stored image, or 404 if it is missing or would lie outside its folders."""
    if not rel:
        abort(404)
    root = ws.root.resolve()
    p = (root / rel).resolve()
    if not any(p.is_relative_to(root / sub) for sub in allowed) or not p.is_file():
        abort(404)
    return p


def page_row(ws: Workspace, page_id: int) -> Any:
    row = ws.store.db.execute("SELECT * FROM pages WHERE page_id=?", (page_id,)).fetchone()
    if row is None:
        abort(404)
    return row


def is_rectified(page: Any) -> bool:
    try:
        return bool(json.loads(page["reading_json"] or "{}").get("rectified"))
    except ValueError:
        return False


@lru_cache(maxsize=4)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…" if text else ""


def field_rect_mm(field: dict[str, Any]) -> tuple[float, float, float, float]:
    """Union of the field's boxes (or its writing area), plus room for the printed labels beside them."""
    if field.get("rect_mm"):
        x, y, w, h = field["rect_mm"]
        return x - 1.5, y - 1.5, x + w + 1.5, y + h + 1.5
    rects = [o["rect_mm"] for o in field.get("options", [])]
    if not rects:
        abort(404)
    xs = sorted(r[0] for r in rects)
    pitch = min((b - a for a, b in zip(xs, xs[1:], strict=False) if b - a > 1), default=25.0)
    x0 = min(r[0] for r in rects) - PAD_MM
    y0 = min(r[1] for r in rects) - PAD_MM
    x1 = max(r[0] + r[2] for r in rects) + max(PAD_MM, pitch - max(r[2] for r in rects) + 4.0)
    y1 = max(r[1] + r[3] for r in rects) + PAD_MM
    return x0, y0, min(x1, 210.0), y1


def field_crop_png(image_path: Path, field: dict[str, Any], boxes: list[dict[str, Any]] | None,
                   keys: dict[str, str] | None = None) -> bytes:
    """The field's region of a rectified page, enlarged, with each box labelled by key/value and measured state."""
    page = Image.open(image_path).convert("RGB")
    x0, y0, x1, y1 = field_rect_mm(field)
    box = tuple(int(round(v * PX_PER_MM)) for v in (x0, y0, x1, y1))
    crop = page.crop(box)
    crop = crop.resize((crop.width * SCALE, crop.height * SCALE), Image.Resampling.LANCZOS)
    options = field.get("options") or []
    if not options:
        return _png(crop)
    s = PX_PER_MM * SCALE
    canvas = Image.new("RGB", (crop.width, crop.height + 2 * BAND_PX), "white")
    canvas.paste(crop, (0, BAND_PX))
    draw = ImageDraw.Draw(canvas)
    measured = {b.get("value"): b for b in (boxes or []) if isinstance(b, dict)}
    xs = sorted(o["rect_mm"][0] for o in options)
    for o in options:
        ox, oy, ow, oh = o["rect_mm"]
        left = (ox - x0) * s
        nxt = min((x for x in xs if x > ox + 0.5), default=x1)
        width = (nxt - ox) * s - 6
        top, bottom = (oy - y0) * s + BAND_PX, (oy + oh - y0) * s + BAND_PX
        b = measured.get(o["value"])
        state = b.get("state") if b else None
        text, colour = STATE_STYLE.get(state or "", ("", (120, 120, 120)))
        if state:
            draw.rectangle((left - 3, top - 3, left + ow * s + 3, bottom + 3), outline=colour, width=3)
        key = (keys or {}).get(o["value"])
        label = o["value"] if key in (None, o["value"]) else f"{key} · {o['value']}"
        draw.text((left, 4), _fit(draw, label, _font(13, True), width), fill=(20, 20, 20), font=_font(13, True))
        if b is not None:
            cov = (b.get("measures") or {}).get("coverage")
            stext = text + (f" {cov * 100:.0f}%" if isinstance(cov, (int, float)) else "")
            draw.text((left, canvas.height - BAND_PX + 4), _fit(draw, stext, _font(12), width), fill=colour,
                      font=_font(12))
    return _png(canvas)


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False, compress_level=3)
    return buf.getvalue()
