"""Vector charts (reportlab graphics) that stay legible in black-and-white print.

Only scales with `trend: allowed` get a line over time; the guard lives in `item_trend_chart`.
"""
from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from outputs.errors import AveragingNotAllowedError
from outputs.layouts import Scale

BAND_FILL = colors.HexColor("#eef1f5")
LINE = colors.HexColor("#2f5d8a")
AXIS = colors.HexColor("#5b6675")
GRID = colors.HexColor("#c9d1db")


def item_trend_chart(title: str, points: list[tuple[str, str | None, bool]], scale: Scale, font: str,
                     bold: str, width: float = 84 * mm, height: float = 40 * mm) -> Drawing:
    """Values over encounters for one item: `points` = (x label, value or None, pending) in time order.

    Pending values are drawn as hollow circles and not joined to the line; missing values leave a gap.
    """
    if not scale.may_trend:
        raise AveragingNotAllowedError(scale.name)
    d = Drawing(width, height)
    left, right, top, bottom = 8 * mm, 3 * mm, 6 * mm, 6 * mm
    pw, ph = width - left - right, height - top - bottom
    levels = list(scale.order)
    n_lv = len(levels)

    def y_of(v: str) -> float:
        return bottom + ph * (levels.index(v) + 0.5) / n_lv

    for b_i, band in enumerate(scale.bands):
        vals = [str(v) for v in band.get("values", []) if str(v) in levels]
        if vals and b_i % 2 == 0:
            lo, hi = min(levels.index(v) for v in vals), max(levels.index(v) for v in vals)
            d.add(Rect(left, bottom + ph * lo / n_lv, pw, ph * (hi - lo + 1) / n_lv, fillColor=BAND_FILL,
                       strokeColor=None))
    d.add(Rect(left, bottom, pw, ph, fillColor=None, strokeColor=GRID, strokeWidth=0.5))
    for i, v in enumerate(levels):
        if i % 2 == 0 or n_lv <= 5:
            d.add(String(left - 2, y_of(v) - 2.5, v, fontName=font, fontSize=6.5, fillColor=AXIS,
                         textAnchor="end"))
    d.add(String(0, height - 4 * mm, title, fontName=bold, fontSize=7.5, fillColor=colors.black))
    n = max(len(points), 1)
    xs = [left + pw * (i + 0.5) / n for i in range(n)]
    step = max(1, n // 12)
    for i, (lab, _v, _p) in enumerate(points):
        if i % step == 0:
            d.add(String(xs[i], bottom - 7, lab, fontName=font, fontSize=6, fillColor=AXIS,
                         textAnchor="middle"))
    run: list[float] = []
    for i, (_lab, v, pending) in enumerate(points):
        if v is None or str(v) not in levels or pending:
            if len(run) >= 4:
                d.add(PolyLine(run, strokeColor=LINE, strokeWidth=1.2))
            if v is None or str(v) not in levels:
                run = []
            continue
        run += [xs[i], y_of(str(v))]
    if len(run) >= 4:
        d.add(PolyLine(run, strokeColor=LINE, strokeWidth=1.2))
    for i, (_lab, v, pending) in enumerate(points):
        if v is not None and str(v) in levels:
            d.add(Circle(xs[i], y_of(str(v)), 2.1, fillColor=colors.white if pending else LINE,
                         strokeColor=LINE, strokeWidth=0.9))
    d.add(Line(left, bottom, left + pw, bottom, strokeColor=AXIS, strokeWidth=0.6))
    return d
