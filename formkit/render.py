"""Draw personalised forms as a print-ready PDF.

Speed comes from drawing the static part of each layout page once, as a PDF form XObject reused
by every copy, and from drawing each QR code as a single filled path. Output is deterministic
(reportlab's invariant mode) so `formkit reprint` reproduces a form byte for byte.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
import zxingcpp
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from formkit.errors import TextDoesNotFit
from formkit.fonts import PT_TO_MM, fit_text, font_name, register_fonts, text_width_mm
from formkit.geometry import MARKERS, PAGE_H, PAGE_W, QR_RECT, X0, X1, Geometry, Op

BOX_LINE_PT = 0.7
VALUE_PT = 9.5


def X(x: float) -> float:
    return x * mm


def Y(y: float) -> float:
    return (PAGE_H - y) * mm


@dataclass
class FormToPrint:
    """Everything personal printed on one form; `values` maps layout sources to text."""

    form_id: str
    qr_payloads: list[str]  # one per page
    values: dict[str, str]
    subgoals: list[tuple[str, str]] = field(default_factory=list)  # (code, title) bound to slots


@dataclass
class _Prepared:
    form: FormToPrint
    texts: dict[tuple[int, str], tuple[float, list[str]]]  # (page, field) → (size, lines)


@lru_cache(maxsize=8)
def _marker_cells(marker_id: int) -> tuple[tuple[int, int], ...]:
    """Black cells of an ArUco DICT_4X4_50 marker on its 6×6 grid (border included)."""
    d = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    img = cv2.aruco.generateImageMarker(d, marker_id, 6)
    return tuple((r, c) for r in range(6) for c in range(6) if img[r, c] < 128)


def qr_path(payload: str, x_mm: float, y_mm: float, size_mm: float) -> str:
    """PDF path operators drawing the QR symbol as one fill: horizontal runs of dark modules."""
    bc = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, options="ecLevel=M")
    m = np.asarray(bc.to_image(scale=1, add_quiet_zones=False)) < 128
    n = m.shape[0]
    cell = size_mm / n * mm
    x0, ytop = X(x_mm), Y(y_mm)
    ops = []
    for r in range(n):
        row = m[r]
        # run starts/ends via diff on a padded row
        padded = np.concatenate(([False], row, [False])).astype(np.int8)
        d = np.diff(padded)
        starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
        yy = ytop - (r + 1) * cell
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            ops.append(f"{x0 + s * cell:.2f} {yy:.2f} {(e - s) * cell:.2f} {cell:.2f} re")
    return "0 g\n" + "\n".join(ops) + "\nf"


class FormRenderer:
    """Renders forms of one geometry (layout version) into a canvas."""

    def __init__(self, geometry: Geometry) -> None:
        register_fonts()
        self.g = geometry
        self.layout = geometry.layout
        self.strings = geometry.layout.strings

    # ---------------------------------------------------------------- preparation (no output yet)
    def prepare(self, form: FormToPrint) -> _Prepared:
        """Fit every personalised text; raises TextDoesNotFit before a single page is written."""
        texts: dict[tuple[int, str], tuple[float, list[str]]] = {}
        for pno, page in enumerate(self.g.pages, start=1):
            for o in page.dynamic:
                a = o.args
                if o.kind not in ("header_value", "prefill"):
                    continue
                value = form.values.get(a["source"], "")
                if not value:
                    continue
                x, y, w, h = a["rect"]
                fitted = fit_text(value, w, h, VALUE_PT, min_pt=6.0)
                if fitted is None:
                    raise TextDoesNotFit(
                        f"'{value}' is too long for '{a['field']}' on form {form.form_id}: even at the "
                        f"smallest legible size it does not fit in {w:.0f}×{h:.0f} mm. Shorten it in the "
                        "roster or plan.")
                texts[(pno, a["field"])] = fitted
        return _Prepared(form, texts)

    # ---------------------------------------------------------------- static page (XObject)
    def _static_name(self, pno: int) -> str:
        return f"fk_{self.layout.id}_{self.layout.version}_p{pno}".replace("-", "_")

    def define_static(self, c: Canvas) -> None:
        for pno, page in enumerate(self.g.pages, start=1):
            c.beginForm(self._static_name(pno))
            self._draw_furniture_static(c, pno)
            for o in page.static:
                self._draw(c, o)
            c.endForm()

    def _draw_furniture_static(self, c: Canvas, pno: int) -> None:
        c.setFillGray(0)
        for m in MARKERS:
            x, y, w, _ = m["rect_mm"]
            cell = w / 6
            p = c.beginPath()
            for r, col in _marker_cells(m["id"]):
                p.rect(X(x + col * cell), Y(y + (r + 1) * cell), cell * mm + 0.01, cell * mm + 0.01)
            c.drawPath(p, stroke=0, fill=1)
        lay, s = self.layout, self.strings
        title = lay.title if pno == 1 else f"{lay.title} ({s.get('continued', 'cont.')})"
        c.setFont(font_name(True), 16)
        c.drawString(X(24), Y(17.5), title)
        if pno == 1 and lay.subtitle:
            c.setFont(font_name(False), 8.5)
            c.setFillGray(0.2)
            c.drawString(X(24), Y(22.5), lay.subtitle)
        c.setFillGray(0)
        if pno == 1:
            self._draw_instructions(c)
        qx, qy, qw, qh = QR_RECT
        c.setFont(font_name(False), 6.5)
        c.setFillGray(0.3)
        c.drawRightString(X(qx - 3.5), Y(qy + 4.0), s.get("form_id", "Form ID"))
        c.setFillGray(0)
        n = self.g.page_count
        c.setFont(font_name(False), 8)
        c.drawRightString(X(qx - 3.5), Y(qy + 15.5), f"{s.get('page', 'Page')} {pno} {s.get('of', 'of')} {n}")
        c.setFont(font_name(False), 6.5)
        c.setFillGray(0.35)
        c.drawString(X(24), Y(283.5), f"{lay.id} v{lay.version}")
        c.drawRightString(X(186), Y(283.5), f"{s.get('page', 'Page')} {pno}/{n}")
        c.setFillGray(0)

    def _draw_instructions(self, c: Canvas) -> None:
        """One line on how to mark and how to cancel, with drawn examples, and the privacy line."""
        s = self.strings
        y = 29.0
        x = 24.0
        legend = s.get("cancelled_legend", "")
        c.setFont(font_name(False), 7.5)
        c.drawString(X(x), Y(y), legend)
        if s.get("privacy"):
            c.setFont(font_name(True), 7.5)
            c.drawString(X(x), Y(y + 3.6), s["privacy"])

    def _draw(self, c: Canvas, o: Op) -> None:
        a = o.args
        k = o.kind
        if k == "text":
            c.setFillGray(a.get("grey", 0.0))
            c.setFont(font_name(a.get("bold", False)), a["size"])
            align = a.get("align", "left")
            draw = {"left": c.drawString, "center": c.drawCentredString, "right": c.drawRightString}[align]
            draw(X(a["x"]), Y(a["y"]), a["text"])
        elif k == "box":
            self._box(c, a["rect"])
        elif k == "frame":
            x, y, w, h = a["rect"]
            lw = a.get("width", 0.35) * mm
            c.setStrokeGray(a.get("grey", 0.0))
            c.setLineWidth(lw)
            c.rect(X(x) + lw / 2, Y(y + h) + lw / 2, w * mm - lw, h * mm - lw, stroke=1, fill=0)
            c.setStrokeGray(0)
        elif k == "fill":
            x, y, w, h = a["rect"]
            c.setFillGray(a["grey"])
            c.rect(X(x), Y(y + h), w * mm, h * mm, stroke=0, fill=1)
            c.setFillGray(0)
        elif k == "line":
            c.setStrokeGray(a.get("grey", 0.0))
            c.setLineWidth(a.get("width", 0.3) * mm)
            c.line(X(a["x1"]), Y(a["y1"]), X(a["x2"]), Y(a["y2"]))
            c.setStrokeGray(0)
        else:
            raise ValueError(f"unknown drawing op {k}")

    def _box(self, c: Canvas, r: Sequence[float]) -> None:
        x, y, w, h = r
        lw = BOX_LINE_PT
        c.setLineWidth(lw)
        c.setStrokeGray(0)
        c.setFillGray(1)
        c.rect(X(x) + lw / 2, Y(y + h) + lw / 2, w * mm - lw, h * mm - lw, stroke=1, fill=1)
        c.setFillGray(0)

    # ---------------------------------------------------------------- one form
    def draw_form(self, c: Canvas, p: _Prepared, duplex: bool = False) -> None:
        f = p.form
        for pno, page in enumerate(self.g.pages, start=1):
            c.doForm(self._static_name(pno))
            qx, qy, qw, _ = QR_RECT
            c._code.append(qr_path(f.qr_payloads[pno - 1], qx, qy, qw))  # one path: fast and exact
            c.setFont(font_name(True), 11)
            c.drawRightString(X(qx - 3.5), Y(qy + 9.5), f.form_id)
            c.setFont(font_name(False), 6.5)
            c.setFillGray(0.35)
            c.drawCentredString(X(105), Y(283.5), f.form_id)
            c.setFillGray(0)
            if pno > 1:
                name = f.values.get("trainee.name", "")
                tid = f.values.get("trainee.id", "")
                line = f"{name} ({tid})" if tid else name
                size = 8.5
                while size > 6 and text_width_mm(line, size) > (qx - 30) - 24:
                    size -= 0.5
                c.setFont(font_name(False), size)
                c.drawString(X(24), Y(22.5), line)
            for o in page.dynamic:
                self._draw_dynamic(c, o, pno, p)
            c.showPage()
        if duplex and self.g.page_count % 2:
            c.showPage()

    def _draw_dynamic(self, c: Canvas, o: Op, pno: int, p: _Prepared) -> None:
        a = o.args
        if o.kind in ("header_value", "prefill"):
            fitted = p.texts.get((pno, a["field"]))
            if not fitted:
                return
            size, lines = fitted
            x, y, w, h = a["rect"]
            line_h = size * PT_TO_MM * 1.15
            c.setFont(font_name(False), size)
            first = y + line_h * 0.85 if len(lines) > 1 or o.kind == "prefill" else y + h - 1.2
            for i, t in enumerate(lines):
                c.drawString(X(x), Y(first + i * line_h), t)
        elif o.kind == "slot":
            i = a["index"]
            if i >= len(p.form.subgoals):
                return
            code, title = p.form.subgoals[i]
            self._box(c, a["rect"])
            label = f"{code}  {title}".strip()
            size = 8.0
            while size > 6.0 and text_width_mm(label, size) > a["label_w"]:
                size -= 0.5
            while text_width_mm(label, size) > a["label_w"] and len(label) > len(code) + 2:
                label = label[:-2].rstrip() + "…"
            c.setFont(font_name(False), size)
            c.drawString(X(a["label_x"]), Y(a["label_y"]), label)
        elif o.kind == "slots_empty" and not p.form.subgoals and a["text"]:
            c.setFont(font_name(False), 7.5)
            c.setFillGray(0.4)
            c.drawString(X(a["x"]), Y(a["y"]), a["text"])
            c.setFillGray(0)


def render_pdf(
    jobs: Iterable[tuple[Geometry, FormToPrint]],
    out: io.BufferedIOBase | Path | str,
    duplex: bool = False,
    progress: Callable[[int], None] | None = None,
    title: str = "formkit forms",
) -> int:
    """Prepare every form first (fit errors abort before output), then write one PDF. Returns pages."""
    register_fonts()
    renderers: dict[tuple[str, int], FormRenderer] = {}
    prepared: list[tuple[FormRenderer, _Prepared]] = []
    for geom, form in jobs:
        key = (geom.layout.id, geom.layout.version)
        if key not in renderers:
            renderers[key] = FormRenderer(geom)
        prepared.append((renderers[key], renderers[key].prepare(form)))
    target = str(out) if isinstance(out, Path) else out
    c = Canvas(target, pagesize=(PAGE_W * mm, PAGE_H * mm), invariant=True, pageCompression=1)
    c.setTitle(title)
    c.setCreator("formkit")
    for r in renderers.values():
        r.define_static(c)
    pages = 0
    for r, p in prepared:
        r.draw_form(c, p, duplex=duplex)
        pages += r.g.page_count + (1 if duplex and r.g.page_count % 2 else 0)
        if progress:
            progress(1)
    c.save()
    return pages


__all__ = ["FormRenderer", "FormToPrint", "render_pdf", "qr_path", "X0", "X1"]
