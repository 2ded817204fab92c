"""Identification: read the QR text of a page, and tell a blank duplex back from a page with content.

The QR is read from an upright ROI cut out with the registration (small, so both decoders are
fast and pyzbar becomes reliable); only if that fails is the whole page searched, at a few scales
and binarised. Parsing and verifying the payload is formkit's job: we return the text as read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp

from scanner.geometry import warp_rect
from scanner.holes import disc_like
from scanner.imageops import component_stats, ink_grey, pyramid_to
from scanner.registration import Registration

QR_QUIET_MM = 3.0
STREAK_REPAIR_MM = 0.7  # a light streak up to this wide is closed over (a module is ~0.76 mm: it stays)
BLANK_INK_FRACTION = 0.0004  # of the page interior at ~75 dpi, after speck and border removal (~20 mm2)
BLANK_DARKNESS = 0.35  # bleed-through and scanner noise stay below this darkness; print and pen exceed it
MIRROR_APART_MM = 40.0  # a code read mirrored sits this much nearer its transposed place than its printed one
PUNCH_EDGE_MM = 25.0  # filing holes' centres are 12-13 mm from the sheet's edge (a scanner's margin and shift)


@dataclass
class QrResult:
    text: str | None = None
    decoder: str | None = None  # zxing-cpp | pyzbar
    where: str | None = None  # roi | roi-binarised | roi-repaired | page | page-full | page-binarised
    candidates: list[str] = field(default_factory=list)
    corners_px: list[list[float]] | None = None


def _zxing(img: np.ndarray) -> list[tuple[str, list[list[float]] | None]]:
    try:
        res = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    except (ValueError, RuntimeError):
        return []
    out = []
    for r in res:
        if r.valid and r.text:
            p = r.position
            pts = [[p.top_left.x, p.top_left.y], [p.top_right.x, p.top_right.y],
                   [p.bottom_right.x, p.bottom_right.y], [p.bottom_left.x, p.bottom_left.y]]
            out.append((r.text, pts))
    return out


def _pyzbar(img: np.ndarray) -> list[tuple[str, list[list[float]] | None]]:
    try:
        from pyzbar import pyzbar
    except ImportError:  # libzbar missing: zxing-cpp alone still works
        return []
    try:
        res = pyzbar.decode(img, symbols=[pyzbar.ZBarSymbol.QRCODE])
    except Exception:
        return []
    out = []
    for r in res:
        try:
            out.append((r.data.decode("utf-8"), None))
        except UnicodeDecodeError:
            continue
    return out


def _binarise(g: np.ndarray) -> np.ndarray:
    block = max(15, (min(g.shape[:2]) // 16) | 1)
    return cv2.adaptiveThreshold(g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 10)


def read_qr(image: np.ndarray, reg: Registration | None, qr_rect_mm: list[float] | None) -> QrResult:
    """QR text via the registered ROI first (zxing-cpp, then pyzbar), then the whole page."""
    attempts = []
    if reg is not None and reg.ok and reg.H is not None and qr_rect_mm:
        x, y, w, h = (float(v) for v in qr_rect_mm)
        q = QR_QUIET_MM
        s = float(np.clip(reg.px_per_mm or 8.0, 5.0, 10.0))
        roi = ink_grey(warp_rect(image, reg.H, [x - q, y - q, w + 2 * q, h + 2 * q], s))
        attempts += [("zxing-cpp", "roi", _zxing, roi), ("pyzbar", "roi", _pyzbar, roi),
                     ("zxing-cpp", "roi-binarised", _zxing, None)]
    for decoder, where, fn, img in attempts:
        if img is None:
            img = _binarise(roi)
        found = fn(img)
        if found:
            return QrResult(found[0][0], decoder, where, [t for t, _ in found])
    if attempts:
        # a light streak (a dead scanner cell) crossing the symbol cuts every module in its way: taken out
        # along the page's rows, then its columns. Safe to try hard here: a misread payload fails its tag
        k = max(3, int(round(STREAK_REPAIR_MM * s)))
        for kernel in ((1, k), (k, 1)):
            found = _zxing(cv2.morphologyEx(roi, cv2.MORPH_OPEN, np.ones(kernel, np.uint8)))
            if found:
                return QrResult(found[0][0], "zxing-cpp", "roi-repaired", [t for t, _ in found])
    return read_qr_page(image)


def read_qr_page(image: np.ndarray) -> QrResult:
    """Whole-page search: ~150 dpi, full resolution, binarised, then pyzbar as a last resort."""
    work, f = pyramid_to(image, 1800)
    g = ink_grey(work)
    passes = [("zxing-cpp", "page", _zxing, g, f)]
    if f < 1.0:
        passes.append(("zxing-cpp", "page-full", _zxing, None, 1.0))
    passes += [("zxing-cpp", "page-binarised", _zxing, "bin", f), ("pyzbar", "page", _pyzbar, g, f)]
    for decoder, where, fn, img, scale in passes:
        if img is None:
            img = ink_grey(image)
        elif isinstance(img, str):
            img = _binarise(g)
        found = fn(img)
        if found:
            text, pts = found[0]
            corners = None if pts is None else [[(px + 0.5) / scale - 0.5, (py + 0.5) / scale - 0.5]
                                                for px, py in pts]
            return QrResult(text, decoder, where, [t for t, _ in found], corners)
    return QrResult()


def read_mirrored(qr: QrResult, shape: tuple[int, ...], qr_rect_mm: list[float] | None) -> bool:
    """True when the QR code was read through the paper: a form's show-through on the back of its sheet.

    A scanner that thresholds to 1 bit can turn the front's show-through black, and the decoders read a
    mirrored QR code too. The decoder reports a mirrored symbol as a turned one, so in the symbol's own
    upright frame the page lies on its side: the code sits where the layout's transposed position is
    (x and y swapped), not where the layout prints it. Without corners (pyzbar) nothing is judged.
    """
    if not qr.text or not qr.corners_px or not qr_rect_mm:
        return False
    p = np.asarray(qr.corners_px, np.float64)
    right, down = p[1] - p[0], p[3] - p[0]
    side = (np.linalg.norm(right) + np.linalg.norm(down)) / 2.0
    if side <= 0:
        return False
    px_per_mm = side / float(qr_rect_mm[2])
    right, down = right / np.linalg.norm(right), down / np.linalg.norm(down)
    h, w = shape[:2]
    corners = np.array([[0.0, 0.0], [w, 0.0], [0.0, h], [w, h]])
    c = p.mean(axis=0)
    at = np.array([c @ right - (corners @ right).min(), c @ down - (corners @ down).min()]) / px_per_mm
    x, y, qw, qh = (float(v) for v in qr_rect_mm)
    printed = np.array([x + qw / 2, y + qh / 2])
    if abs(printed[0] - printed[1]) < MIRROR_APART_MM:  # on the diagonal: mirrored or not looks the same
        return False
    return bool(np.linalg.norm(at - printed[::-1]) + MIRROR_APART_MM < np.linalg.norm(at - printed))


@dataclass
class BlankVerdict:
    blank: bool
    ink_fraction: float


def ink_fraction(image: np.ndarray) -> float:
    """Fraction of the page interior covered by real ink (print or pen) at ~75 dpi.

    Relative to a local paper level (a max filter), so light gradients and colour casts do not count;
    faint bleed-through stays below BLANK_DARKNESS; specks and anything touching the image border
    (dark scanner borders, shadows of a skewed page) are discarded.
    """
    g, _ = pyramid_to(ink_grey(image) if image.ndim == 2 else image, 900)
    g = ink_grey(g)
    h, w = g.shape
    k = max(9, (max(h, w) // 60) | 1)
    bg = cv2.blur(cv2.dilate(g, np.ones((k, k), np.uint8)), (k, k))
    d = (bg.astype(np.float32) - g) / np.maximum(bg.astype(np.float32), 1.0)
    mask = (d > BLANK_DARKNESS).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    n, _, stats = component_stats(mask)
    if n <= 1:
        return 0.0
    x, y, ww, hh, area = stats[1:, 0], stats[1:, 1], stats[1:, 2], stats[1:, 3], stats[1:, 4]
    mx, my = int(0.03 * w), int(0.03 * h)
    inner = (x > mx) & (y > my) & (x + ww < w - mx) & (y + hh < h - my)
    return float(area[inner & ~_punch_holes(stats[1:], w, h)].sum()) / float(h * w)


def _punch_holes(stats: np.ndarray, w: int, h: int) -> np.ndarray:
    """Components that are filing holes: solid discs a hole's size (`disc_like`), centred <= 25 mm from an edge.

    A punched sheet fed over a scanner's dark backing shows its holes as dark discs; on a blank back
    two to four of them were ~2-5x the blank limit, and the back went to the clerk as an unidentified
    page. A pen dot that size by the edge of an otherwise empty page is no content either.
    """
    px_per_mm = max(w, h) / 297.0  # the page fills the image (A4 long side) closely enough here
    cx, cy = stats[:, 0] + stats[:, 2] / 2, stats[:, 1] + stats[:, 3] / 2
    edge = np.minimum.reduce([cx, cy, w - cx, h - cy]) <= PUNCH_EDGE_MM * px_per_mm
    return disc_like(stats, px_per_mm) & edge


def blank_verdict(image: np.ndarray, reg: Registration | None, qr: QrResult,
                  known_fraction: float | None = None) -> BlankVerdict:
    """Blank = no markers, no QR and (almost) no ink. A page with content but no markers is not blank.

    `known_fraction`: the page's `ink_fraction` if already measured (saves measuring it twice).
    """
    if (reg is not None and reg.markers_found) or qr.text:
        return BlankVerdict(False, -1.0)
    frac = ink_fraction(image) if known_fraction is None else known_fraction
    return BlankVerdict(frac < BLANK_INK_FRACTION, frac)
