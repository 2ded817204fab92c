"""Synthetic form pages for the scanner tests: a small geometry, a renderer, pen marks, scan effects."""

from __future__ import annotations

import copy

import cv2
import numpy as np
import zxingcpp

QR_TEXT = "FK1/TESTFORM/1/7K2Q-9XDM/1/1/W3F9/K2M8Q1ZR7A"


def _row(y: float, xs: list[float], values: list[str], size: float = 5.0) -> list[dict]:
    return [{"value": v, "label": v, "rect_mm": [x, y, size, size]} for x, v in zip(xs, values, strict=True)]


GEOMETRY: dict = {
    "layout": "testform", "version": 1, "page_size_mm": [210, 297], "pages": 1,
    "markers": [
        {"id": 0, "corner": "TL", "rect_mm": [10, 10, 10, 10]},
        {"id": 1, "corner": "TR", "rect_mm": [190, 10, 10, 10]},
        {"id": 2, "corner": "BR", "rect_mm": [190, 277, 10, 10]},
        {"id": 3, "corner": "BL", "rect_mm": [10, 277, 10, 10]},
    ],
    "qr": {"rect_mm": [150, 14, 22, 22]},
    "fields": [
        {"id": "setting", "kind": "single", "page": 1, "required": True,
         "options": _row(50, [20, 60, 100, 140], ["outpatient", "ward", "emergency", "other"])},
        {"id": "rating", "kind": "single", "page": 1, "required": True,
         "options": _row(80, [30 + 9 * i for i in range(10)], [str(i) for i in range(1, 10)] + ["na"])},
        {"id": "focus", "kind": "multi", "page": 1, "required": False,
         "options": _row(110, [20, 60, 100, 140], ["history", "exam", "diagnosis", "management"])},
        {"id": "optional", "kind": "single", "page": 1, "required": False,
         "options": _row(130, [20, 60, 100], ["a", "b", "c"])},
        {"id": "went_well", "kind": "text", "page": 1, "label": "Hva var bra?", "rect_mm": [15, 160, 180, 40]},
        {"id": "signature", "kind": "text", "page": 1, "label": "Signatur", "rect_mm": [15, 215, 85, 20]},
    ],
}

FURNITURE = {"markers": GEOMETRY["markers"], "qr": GEOMETRY["qr"], "page_size_mm": GEOMETRY["page_size_mm"]}


def geometry() -> dict:
    return copy.deepcopy(GEOMETRY)


def option_rect(field_id: str, value: str) -> list[float]:
    for f in GEOMETRY["fields"]:
        if f["id"] == field_id:
            for o in f["options"]:
                if o["value"] == value:
                    return list(o["rect_mm"])
    raise KeyError((field_id, value))


class Page:
    """A white page at `dpi` with the form printed on it; marks are drawn in mm."""

    def __init__(self, dpi: float = 300, qr_text: str = QR_TEXT, print_form: bool = True) -> None:
        self.dpi = dpi
        self.s = dpi / 25.4
        w, h = GEOMETRY["page_size_mm"]
        self.img = np.full((round(h * self.s), round(w * self.s), 3), 255, np.uint8)
        self.printed: list[list[float]] = []  # rects (mm) of the text and rules printed, as a geometry lists them
        if print_form:
            self._print(qr_text)

    def copy(self) -> Page:
        """A fresh page with the same print (marks go on the copy, the original stays blank)."""
        page = Page.__new__(Page)
        page.dpi, page.s, page.img, page.printed = self.dpi, self.s, self.img.copy(), list(self.printed)
        return page

    def px(self, v: float) -> int:
        return int(round(v * self.s * 16))  # cv2 drawing with shift=4

    def line(self, p0, p1, width_mm: float = 0.5, colour=(20, 20, 20)) -> None:
        t = max(1, round(width_mm * self.s))
        cv2.line(self.img, (self.px(p0[0]), self.px(p0[1])), (self.px(p1[0]), self.px(p1[1])),
                 colour, t, cv2.LINE_AA, 4)

    def frame(self, rect, width_mm: float = 0.3, colour=(0, 0, 0)) -> None:
        x, y, w, h = rect
        i = width_mm / 2
        t = max(1, round(width_mm * self.s))
        cv2.rectangle(self.img, (self.px(x + i), self.px(y + i)), (self.px(x + w - i), self.px(y + h - i)),
                      colour, t, cv2.LINE_AA, 4)

    def text(self, s: str, x_mm: float, y_mm: float, height_mm: float = 2.5) -> None:
        scale = height_mm * self.s / 22.0
        (tw, th), base = cv2.getTextSize(s, cv2.FONT_HERSHEY_SIMPLEX, scale, max(1, round(scale * 2)))
        self.printed.append([x_mm, y_mm - th / self.s, tw / self.s, (th + base) / self.s])
        cv2.putText(self.img, s, (round(x_mm * self.s), round(y_mm * self.s)), cv2.FONT_HERSHEY_SIMPLEX,
                    scale, (0, 0, 0), max(1, round(scale * 2)), cv2.LINE_AA)

    def _print(self, qr_text: str) -> None:
        d = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
        for m in GEOMETRY["markers"]:
            x, y, w, _ = m["rect_mm"]
            side = round(w * self.s)
            mk = cv2.aruco.generateImageMarker(d, m["id"], side, borderBits=1)
            x0, y0 = round(x * self.s), round(y * self.s)
            self.img[y0:y0 + side, x0:x0 + side] = mk[:, :, None]
        if qr_text:
            bc = zxingcpp.create_barcode(qr_text, zxingcpp.BarcodeFormat.QRCode, options="ecLevel=M")
            q = np.asarray(bc.to_image(scale=1, add_quiet_zones=False))
            x, y, w, _ = GEOMETRY["qr"]["rect_mm"]
            side = round(w * self.s)
            q = cv2.resize(q, (side, side), interpolation=cv2.INTER_NEAREST)
            x0, y0 = round(x * self.s), round(y * self.s)
            self.img[y0:y0 + side, x0:x0 + side] = q[:, :, None]
            self.text("7K2Q-9XDM", x + w + 3.5, y + w / 2, 2.5)
        self.text("TESTFORM Mini-CEX", 30, 20, 5)
        for f in GEOMETRY["fields"]:
            if f["kind"] == "text":
                self.frame(f["rect_mm"], 0.3)
                x, y, *_ = f["rect_mm"]
                self.text(f["label"], x + 1.5, y + 3.2, 2.2)
                continue
            self.text(f["id"], 15, f["options"][0]["rect_mm"][1] - 4, 3)
            for o in f["options"]:
                self.frame(o["rect_mm"], 0.3)
                x, y, w, h = o["rect_mm"]
                if f["id"] == "rating":
                    self.text(o["label"], x + 1.5, y - 1.8, 2.2)
                else:
                    self.text(o["label"], x + w + 2, y + h - 1, 2.5)
        # table rules around the rating row, as a grid layout prints them
        self.line((25, 77.5), (125, 77.5), 0.25, (0, 0, 0))
        self.line((25, 88.0), (125, 88.0), 0.25, (0, 0, 0))
        self.printed += [[25, 77.35, 100, 0.3], [25, 87.85, 100, 0.3]]

    # --- pen marks (rect in mm) ---------------------------------------------------------------
    def mark(self, kind: str, rect, colour=(25, 25, 25), width_mm: float = 0.5, seed: int = 0) -> None:
        x, y, w, h = rect

        def P(fx: float, fy: float) -> tuple[float, float]:
            return (x + fx * w, y + fy * h)

        if kind == "tick":
            self.line(P(0.2, 0.55), P(0.42, 0.85), width_mm, colour)
            self.line(P(0.42, 0.85), P(0.92, 0.08), width_mm, colour)
        elif kind == "cross":
            self.line(P(0.12, 0.12), P(0.88, 0.88), width_mm, colour)
            self.line(P(0.88, 0.12), P(0.12, 0.88), width_mm, colour)
        elif kind == "big_cross":  # overshoots the box by ~1.5 mm into the gaps
            self.line(P(-0.3, -0.3), P(1.3, 1.3), width_mm, colour)
            self.line(P(1.3, -0.3), P(-0.3, 1.3), width_mm, colour)
        elif kind == "slash":
            self.line(P(0.15, 0.85), P(0.85, 0.15), width_mm, colour)
        elif kind == "dot":
            c = P(0.5, 0.5)
            cv2.circle(self.img, (self.px(c[0]), self.px(c[1])), self.px(0.45), colour, -1, cv2.LINE_AA, 4)
        elif kind == "scribble":
            rng = np.random.default_rng(seed)
            pts = [P(*rng.uniform(0.15, 0.85, 2)) for _ in range(8)]
            for a, b in zip(pts, pts[1:], strict=False):
                self.line(a, b, width_mm, colour)
        elif kind == "fill":
            pts = np.array([[self.px(v) for v in P(fx, fy)] for fx, fy in
                            [(0.06, 0.06), (0.94, 0.05), (0.95, 0.94), (0.05, 0.95)]], np.int32)
            cv2.fillPoly(self.img, [pts], colour, cv2.LINE_AA, 4)
        elif kind == "hatch_fill":  # a fill done with a pen, zig-zag strokes
            for i in range(12):
                fy = 0.08 + i * 0.076
                self.line(P(0.06, fy), P(0.94, fy + 0.04), 0.6, colour)
        elif kind == "circle":
            c = P(0.5, 0.5)
            r = np.hypot(w, h) / 2 + 1.5
            cv2.ellipse(self.img, (self.px(c[0]), self.px(c[1])), (self.px(r * 1.05), self.px(r)), 10, 0, 340,
                        colour, max(1, round(width_mm * self.s)), cv2.LINE_AA, 4)
        elif kind == "tight_circle":  # a loop that runs over the box corners
            c = P(0.5, 0.5)
            r = w / 2 + 0.6
            cv2.ellipse(self.img, (self.px(c[0]), self.px(c[1])), (self.px(r), self.px(r * 0.95)), 0, 20, 370,
                        colour, max(1, round(width_mm * self.s)), cv2.LINE_AA, 4)
        elif kind == "big_dot":  # a pressed felt-tip dot, ~3 mm across
            c = P(0.5, 0.52)
            cv2.ellipse(self.img, (self.px(c[0]), self.px(c[1])), (self.px(1.5), self.px(1.35)), 15, 0, 360,
                        colour, -1, cv2.LINE_AA, 4)
        elif kind == "zigzag_fill":  # a hasty cancel: zig-zag strokes with paper showing between them
            ys = np.linspace(0.12, 0.88, 5)
            for i, (fa, fb) in enumerate(zip(ys, ys[1:], strict=False)):
                a, b = (P(0.06, fa), P(0.94, fb)) if i % 2 == 0 else (P(0.94, fa), P(0.06, fb))
                self.line(a, b, width_mm, colour)
        elif kind == "cross_hatch":  # a cancel done as two passes of hatching
            for i in range(5):
                f = 0.1 + i * 0.2
                self.line(P(f, 0.04), P(f + 0.05, 0.96), width_mm, colour)
                self.line(P(0.04, f), P(0.96, f + 0.05), width_mm, colour)
        elif kind == "half_fill":  # a cancel abandoned half way: a solid block over the lower half
            pts = np.array([[self.px(v) for v in P(fx, fy)] for fx, fy in
                            [(0.06, 0.5), (0.94, 0.48), (0.95, 0.94), (0.05, 0.95)]], np.int32)
            cv2.fillPoly(self.img, [pts], colour, cv2.LINE_AA, 4)
        elif kind == "stray":  # a short stroke touching the outside of the box (not a mark)
            self.line(P(1.15, 0.3), P(1.45, 0.6), width_mm, colour)
        else:
            raise ValueError(kind)

    def write(self, rect, words: int = 3, colour=(30, 30, 30), seed: int = 1) -> None:
        """Pseudo handwriting: a few wobbly strokes in the writing area below the label band."""
        rng = np.random.default_rng(seed)
        x, y, w, h = rect
        cx, cy = x + 8, y + 10
        for _ in range(words):
            for _ in range(5):
                pts = [(cx + rng.uniform(0, 3), cy + rng.uniform(-1.5, 1.5)) for _ in range(4)]
                for a, b in zip(pts, pts[1:], strict=False):
                    self.line(a, b, 0.4, colour)
                cx += 2.5
            cx += 4

    def grey(self) -> np.ndarray:
        return cv2.cvtColor(self.img, cv2.COLOR_BGR2GRAY)


# --- scan effects ---------------------------------------------------------------------------------

def transform(img: np.ndarray, angle_deg: float = 0.0, scale: float = 1.0, shift_px=(0, 0),
              border=255) -> np.ndarray:
    """Rotate by a small angle about the centre, scale (printer fit-to-page), shift; same canvas size."""
    h, w = img.shape[:2]
    M = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, scale)
    M[:, 2] += shift_px
    bv = (border,) * 3 if img.ndim == 3 else border
    return cv2.warpAffine(img, M, (w, h), flags=cv2.INTER_LINEAR, borderValue=bv)


def rot90(img: np.ndarray, quarter_turns_cw: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(img, k=-quarter_turns_cw))


def phone_photo(img: np.ndarray, seed: int = 0, out_size=(2250, 3000)) -> np.ndarray:
    """Perspective view of the page on a dark desk, with a light gradient and a warm colour cast."""
    rng = np.random.default_rng(seed)
    h, w = img.shape[:2]
    W, Hh = out_size
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = 0.08
    dst = np.float32([[W * m + rng.uniform(0, 120), Hh * m + rng.uniform(0, 120)],
                      [W * (1 - m) - rng.uniform(0, 200), Hh * m + rng.uniform(0, 80)],
                      [W * (1 - m) + rng.uniform(0, 60), Hh * (1 - m) - rng.uniform(0, 60)],
                      [W * m - rng.uniform(0, 60), Hh * (1 - m) - rng.uniform(0, 150)]])
    P = cv2.getPerspectiveTransform(src, dst)
    out = cv2.warpPerspective(img, P, (W, Hh), flags=cv2.INTER_AREA, borderValue=(40, 45, 50))
    yy, xx = np.mgrid[0:Hh // 10, 0:W // 10].astype(np.float32)
    gain = 0.65 + 0.21 * (xx / (W / 10)) + 0.14 * (1 - yy / (Hh / 10))
    gain = cv2.resize(gain, (W, Hh), interpolation=cv2.INTER_LINEAR)
    for c, cast in enumerate((0.85, 0.95, 1.0)):  # BGR: warm light, darker on one side
        ch = out[:, :, c].astype(np.float32) * (gain * cast)
        ch += rng.normal(0, 3, ch.shape).astype(np.float32)
        out[:, :, c] = np.clip(ch, 0, 255).astype(np.uint8)
    return out


def noise(img: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(img.astype(np.float32) + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def jpeg(img: np.ndarray, quality: int = 40) -> np.ndarray:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)


def bilevel(img: np.ndarray, thresh: int = 160) -> np.ndarray:
    g = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return np.where(g < thresh, 0, 255).astype(np.uint8)


def adaptive_bilevel(img: np.ndarray, block: int = 61, c: int = 12) -> np.ndarray:
    """A 1-bit scanner's local ("dynamic") threshold: black where darker than the mean around by `c`.

    Inside a blot wider than about half the window the mean is the blot itself: only its edges stay black.
    """
    g = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, c)


def dither(img: np.ndarray, screen: str = "bayer", seed: int = 0, paper_noise: float = 3.0,
           white: float = 250.0) -> np.ndarray:
    """A scanner's 1-bit halftone mode: paper lifted to white, every grey turned into dots.

    The paper (~242 with `paper_noise` grey levels of grain) is scaled so that `white` becomes 255:
    a white level near the paper's leaves a sprinkle of dots all over the page, as on a real halftone
    scan of office paper; a lower one (<= 236) clips the paper clean and only greys become dots.
    """
    rng = np.random.default_rng(seed)
    g = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    g = g.astype(np.float32) * 0.95 + rng.normal(0, paper_noise, g.shape)  # paper ~242, grain
    g = np.clip(g * (255.0 / white), 0, 255)  # the scanner lifts its idea of white to 255
    h, w = g.shape
    if screen == "bayer":
        b = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], np.float32) * 4 + 2
        b = np.kron(np.ones((2, 2), np.float32), b)  # a 4x4 Bayer matrix in 64 levels, tiled 8x8
        t = np.tile(b, (h // 8 + 1, w // 8 + 1))[:h, :w]
    else:
        t = rng.random((h, w), dtype=np.float32) * 64.0
    return np.where(g < (t + 0.5) * (255.0 / 64.0), 0, 255).astype(np.uint8)


def punch(img: np.ndarray, ys=(28.5, 108.5, 188.5, 268.5), x_mm: float = 12.0, shade: int = 25,
          diameter_mm: float = 6.0) -> np.ndarray:
    """Filing holes (ISO 838: 6 mm, centres 12 mm from the edge) over a scanner's dark backing; a copy.

    `x_mm` from the left edge (a back page has them by its right edge: pass 210 - 12).
    """
    out = img.copy()
    ppm = out.shape[0] / 297.0
    colour = shade if out.ndim == 2 else (shade,) * 3
    for y in ys:
        cv2.circle(out, (round(x_mm * ppm), round(y * ppm)), round(diameter_mm / 2 * ppm), colour, -1, cv2.LINE_AA)
    return out


def resample_dpi(img: np.ndarray, from_dpi: float, to_dpi: float) -> np.ndarray:
    f = to_dpi / from_dpi
    return cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA if f < 1 else cv2.INTER_LINEAR)
