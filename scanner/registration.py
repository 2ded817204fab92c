"""Registration: find the four ArUco corner markers and build the mm -> pixel mapping.

Markers are detected on a downscaled image (fast), their corners refined on the full-resolution
image, and the mapping fitted from every marker corner found: a homography from 4 markers (phone
photos need perspective), an affine from 3, a similarity from 2. The marker ids say which corner
is which, so 0/90/180/270 orientation falls out of the fit. If fewer than 4 are found, retries run
with a morphological clean-up (printer streaks) and with CLAHE (uneven light, low contrast).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from scanner.geometry import axis_scales, fit_mapping, local_scale, map_points, orientation_of, rect_corners
from scanner.imageops import halved, ink_grey, pyramid_to

FAST_LONG_SIDE = 1000  # px; A4 at 300 dpi -> 877 px (75 dpi): a 10 mm marker is ~29 px, 5 px a cell
CORNER_SHARE = 0.25  # corner squares searched first: a quarter of the short side (~52 mm on A4)
WORK_LONG_SIDE = 1800  # the thorough passes run on a ~150 dpi image
GOOD_RESIDUAL_MM = 0.5
FAIR_RESIDUAL_MM = 1.2

MARKER_DICT = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)  # the printed markers' ids


def _params(fast: bool, perimeter_scale: float = 1.0) -> cv2.aruco.DetectorParameters:
    """Detector settings; `perimeter_scale` = full image long side / searched image long side, so a
    crop keeps the marker size limits (rates of the image size) of the whole image."""
    p = cv2.aruco.DetectorParameters()
    p.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_NONE
    if fast:
        p.adaptiveThreshWinSizeMin = 7
        p.adaptiveThreshWinSizeMax = 27
        p.adaptiveThreshWinSizeStep = 20
    else:
        p.adaptiveThreshWinSizeMin = 5
        p.adaptiveThreshWinSizeMax = 45
        p.adaptiveThreshWinSizeStep = 8
        p.polygonalApproxAccuracyRate = 0.05
        p.perspectiveRemoveIgnoredMarginPerCell = 0.2
        p.errorCorrectionRate = 0.6
    p.minMarkerPerimeterRate = 0.02 * perimeter_scale
    p.maxMarkerPerimeterRate = 0.5 * perimeter_scale
    return p


_FAST = cv2.aruco.ArucoDetector(MARKER_DICT, _params(True))
_THOROUGH = cv2.aruco.ArucoDetector(MARKER_DICT, _params(False))


@dataclass
class Registration:
    """The page mapping (mm -> image px) and how much to trust it."""

    ok: bool
    H: np.ndarray | None = None  # 3x3, px ~ H @ [x_mm, y_mm, 1]
    markers_found: list[int] = field(default_factory=list)
    orientation: int = 0  # clockwise degrees the page content is rotated in the image
    residual_mm: float | None = None
    quality: str = "failed"  # good | fair | poor | failed
    model: str = ""  # homography | affine | similarity
    px_per_mm: float | None = None
    px_per_mm_min: float | None = None  # ... along the coarser axis (a fax in standard mode: half the other)
    method: str = ""  # which detection pass found the markers
    marker_corners_px: dict[int, list[list[float]]] = field(default_factory=dict)
    pages_in_image: int = 1  # form pages whose markers the image shows (`pages_in_image`): 2 side by side, ...

    def to_dict(self) -> dict:
        return {
            "ok": self.ok, "markers_found": self.markers_found, "orientation": self.orientation,
            "residual_mm": None if self.residual_mm is None else round(self.residual_mm, 3),
            "quality": self.quality, "model": self.model, "method": self.method,
            "px_per_mm": None if self.px_per_mm is None else round(self.px_per_mm, 3),
            "px_per_mm_min": None if self.px_per_mm_min is None else round(self.px_per_mm_min, 3),
            "H": None if self.H is None else [[float(v) for v in row] for row in self.H],
            **({"pages_in_image": self.pages_in_image} if self.pages_in_image > 1 else {}),
        }


def _detect(det: cv2.aruco.ArucoDetector, grey: np.ndarray, wanted: set[int]) -> dict[int, list[np.ndarray]]:
    corners, ids, _ = det.detectMarkers(grey)
    found: dict[int, list[np.ndarray]] = {}
    if ids is None:
        return found
    for c, i in zip(corners, ids.ravel(), strict=True):
        if int(i) in wanted:
            found.setdefault(int(i), []).append(c.reshape(4, 2).astype(np.float64))
    return found


@lru_cache(maxsize=8)
def _corner_detector(long_side: int, side: int) -> cv2.aruco.ArucoDetector:
    return cv2.aruco.ArucoDetector(MARKER_DICT, _params(True, long_side / side))


def _detect_corners(small: np.ndarray, wanted: set[int]) -> dict[int, list[np.ndarray]]:
    """The fast pass on the four corner squares only, where a scanned page has its markers.

    A form page is full of printed boxes, each a square candidate the detector must decode; the
    corners hold the markers and little else, so this is ~5x cheaper than the whole image. Same
    detector settings, size limits kept in image px: a marker well inside a square is found with
    the same corners as on the whole image (the thresholds are local). Pages whose markers lie
    elsewhere (a photo, a page off the glass) get the whole-image pass as before.
    """
    h, w = small.shape[:2]
    side = int(round(CORNER_SHARE * min(h, w)))
    det = _corner_detector(max(h, w), side)
    found: dict[int, list[np.ndarray]] = {}
    for x0, y0 in ((0, 0), (w - side, 0), (w - side, h - side), (0, h - side)):
        for i, cs in _detect(det, np.ascontiguousarray(small[y0:y0 + side, x0:x0 + side]), wanted).items():
            found.setdefault(i, []).extend(c + (x0, y0) for c in cs)
    return found


def _variants(work: np.ndarray):
    """Retry images, cheapest first: streak clean-ups, then contrast equalisation for photos."""
    k = np.ones((3, 3), np.uint8)
    yield "close", cv2.morphologyEx(work, cv2.MORPH_CLOSE, k)  # removes thin dark streaks
    yield "open", cv2.morphologyEx(work, cv2.MORPH_OPEN, k)  # fills thin white streaks in a marker
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8))
    yield "clahe", clahe.apply(work)
    # the paper level (a 25 px Gaussian) from an 8x smaller image: same background, ~20x cheaper
    h, w = work.shape[:2]
    small = cv2.resize(work, (max(1, w // 8), max(1, h // 8)), interpolation=cv2.INTER_AREA)
    blur = cv2.resize(cv2.GaussianBlur(small, (0, 0), 25 / 8), (w, h), interpolation=cv2.INTER_LINEAR)
    norm = cv2.divide(work, blur, scale=220)
    yield "flatfield", norm


Candidates = dict[int, list[np.ndarray]]


def find_markers(image: np.ndarray, marker_ids: Sequence[int],
                 give_up: Callable[[], bool] | None = None,
                 not_a_form: Callable[[], bool] | None = None) -> tuple[Candidates, str, float]:
    """Detect candidate markers; returns ({id: [corners in work px]}, pass name, work scale factor).

    Cheapest first: the corners of a quarter-size image, the whole of it, then ~150 dpi, then clean-up
    variants, then a larger image. `give_up`: asked when the fast pass found no marker at all; if it
    answers True (e.g. the page holds no ink a marker could be made of) the expensive retries are
    skipped (pass name "gave_up"). `not_a_form`: asked next, when the whole quarter-size image shows
    no marker either; True (e.g. no QR code anywhere on the page) skips the retries too (pass name
    "not_a_form"): they cost ~300 ms on a 300-dpi page and exist for our pages, which carry a QR code.
    """
    wanted = set(marker_ids)
    work, factor, small, f_small = _working_images(image)
    best = _detect_corners(small, wanted)
    if len(best) >= len(wanted):
        return best, "fast", factor * f_small
    # asked as soon as the corners are empty: a page under the blank limit holds no marker anywhere
    asked = not best and give_up is not None
    if asked and give_up():  # type: ignore[misc]
        return {}, "gave_up", factor * f_small
    best = _detect(_FAST, small, wanted)
    if len(best) >= len(wanted):
        return best, "fast", factor * f_small
    if not best and not asked and give_up is not None and give_up():
        return {}, "gave_up", factor * f_small
    if not best and not_a_form is not None and not_a_form():
        return {}, "not_a_form", factor * f_small
    best = {k: [c / f_small for c in v] for k, v in best.items()}
    method = "fast"
    for name, img in [("thorough", work), *_variants(work)]:
        if len(best) >= len(wanted):
            break
        cand = _detect(_THOROUGH, img, wanted)
        if len(cand) > len(best):
            best, method = cand, name
    if len(best) < len(wanted) and factor < 0.75:
        # small markers (phone photo of a far page, low-dpi scan): try a larger working image
        big, f2 = pyramid_to(image, WORK_LONG_SIDE * 2)
        cand = _detect(_THOROUGH, ink_grey(big), wanted)
        if len(cand) > len(best):
            return {k: [c * (factor / f2) for c in v] for k, v in cand.items()}, "larger", factor
    return best, method, factor


SAME_SIZE = (0.4, 2.5)  # a marker's area against the median of the markers found: a page's own, not a false one
APART_SIDES = 10.0  # two markers of one id this many marker sides apart belong to two pages (a page is > 18 wide)


def pages_in_image(cands: Candidates) -> int:
    """How many form pages an image's marker candidates come from: two pages side by side show every id twice.

    An A3 scan of two sheets, or a photo of two forms on a desk, was read as one page: one form's markers
    registered it, and the other form's page was nowhere in the records. Counted per id: candidates of the
    markers' size (a false marker in handwriting is smaller) lying far apart; the second-highest count, so
    that one false detection of the right size does not make a page.
    """
    areas = [cv2.contourArea(c.astype(np.float32)) for v in cands.values() for c in v]
    if len(areas) < 2:
        return 1
    med = float(np.median(areas))
    counts = []
    for v in cands.values():
        apart: list[np.ndarray] = []
        for c in v:
            area = cv2.contourArea(c.astype(np.float32))
            if not SAME_SIZE[0] * med <= area <= SAME_SIZE[1] * med:
                continue
            centre, side = c.mean(axis=0), float(np.sqrt(max(area, 1.0)))
            if all(np.hypot(*(centre - o)) >= APART_SIDES * side for o in apart):
                apart.append(centre)
        counts.append(len(apart))
    counts.sort(reverse=True)
    return max(1, counts[1]) if len(counts) >= 2 else 1


def _working_images(image: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, float]:
    """(work image ~150 dpi, its scale, the fast passes' image ~75 dpi, its scale against the work image)."""
    work, factor = pyramid_to(image, WORK_LONG_SIDE)
    work = ink_grey(work)
    if max(work.shape[:2]) > FAST_LONG_SIDE:
        return work, factor, halved(work), 0.5
    return work, factor, work, 1.0


def _whole_image_candidates(image: np.ndarray, wanted: set[int]) -> Candidates:
    """Every marker candidate on the whole fast-pass image (`find_markers`' second pass, run on its own)."""
    return _detect(_FAST, _working_images(image)[2], wanted)


def _refine(image: np.ndarray, corners: np.ndarray, factor: float) -> np.ndarray:
    """Refine work-scale corners on full-resolution patches with a sub-pixel corner search."""
    pts = (corners + 0.5) / factor - 0.5
    side = float(np.mean(np.hypot(*(np.roll(pts, -1, axis=0) - pts).T)))
    win = int(np.clip(side / 12.0, 2, 12))
    h, w = image.shape[:2]
    out = pts.copy()
    r = win * 2 + 2
    for k, (x, y) in enumerate(pts):
        x0, y0 = int(round(x)) - r, int(round(y)) - r
        if x0 < 0 or y0 < 0 or x0 + 2 * r + 1 > w or y0 + 2 * r + 1 > h:
            continue
        patch = ink_grey(image[y0:y0 + 2 * r + 1, x0:x0 + 2 * r + 1])
        p = np.array([[[x - x0, y - y0]]], np.float32)
        p = cv2.cornerSubPix(np.ascontiguousarray(patch), p, (win, win), (-1, -1),
                             (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_COUNT, 20, 0.05)).reshape(2)
        q = p + (x0, y0)
        # keep a refined corner only if it stayed close (a blob next to the corner can pull it away)
        if np.hypot(*(q - (x, y))) <= max(2.0, 1.0 / factor):
            out[k] = q
    return out


def _fit(marker_rects: dict[int, np.ndarray],
         found: dict[int, np.ndarray]) -> tuple[np.ndarray | None, str, float]:
    ids = sorted(found)
    mm = np.vstack([marker_rects[i] for i in ids])
    px = np.vstack([found[i] for i in ids])
    model = {4: "homography", 3: "affine"}.get(len(ids), "similarity")
    if len(ids) == 1:
        model = "homography"  # the marker's own 4 corners: a local, weak but usable mapping
    H = fit_mapping(mm, px, model)
    if H is None:
        return None, model, float("inf")
    err_px = np.hypot(*(map_points(H, mm) - px).T)
    scale = local_scale(H, *mm.mean(axis=0))
    return H, model, float(np.sqrt(np.mean(err_px**2)) / max(scale, 1e-9))


def register(image: np.ndarray, furniture: dict, give_up: Callable[[], bool] | None = None,
             not_a_form: Callable[[], bool] | None = None) -> Registration:
    """Register a page image against the furniture's markers ({"markers": [{"id", "rect_mm"}], ...}).

    `give_up`, `not_a_form`: see `find_markers` (let a blank page or a stranger skip the thorough search).
    """
    markers = furniture.get("markers") or []
    marker_rects = {int(m["id"]): rect_corners(m["rect_mm"]) for m in markers}
    page_size = furniture.get("page_size_mm") or [210.0, 297.0]
    cands, method, factor = find_markers(image, list(marker_rects), give_up, not_a_form)
    if not cands:
        return Registration(ok=False, method=method)
    # one candidate per id: prefer the largest (a false detection in handwriting is usually small)
    sizes = {i: max(cv2.contourArea(c.astype(np.float32)) for c in v) for i, v in cands.items()}
    med = float(np.median(list(sizes.values())))
    chosen: dict[int, np.ndarray] = {}
    for i, v in cands.items():
        c = max(v, key=lambda c: cv2.contourArea(c.astype(np.float32)))
        area = cv2.contourArea(c.astype(np.float32))
        if len(cands) >= 3 and not (0.4 * med <= area <= 2.5 * med):
            continue  # not the same size as its siblings: a false marker
        chosen[i] = _refine(image, c, factor)
    H, model, resid = _fit(marker_rects, chosen)
    if len(chosen) >= 4 and resid > FAIR_RESIDUAL_MM:
        # one marker wrong (false detection, torn corner): keep the best 3-marker subset
        best = (H, model, resid, chosen)
        for drop in list(chosen):
            sub = {k: v for k, v in chosen.items() if k != drop}
            h2, m2, r2 = _fit(marker_rects, sub)
            if h2 is not None and r2 < best[2]:
                best = (h2, m2, r2, sub)
        H, model, resid, chosen = best
    if H is None:
        return Registration(ok=False, method=method, markers_found=sorted(chosen))
    n = len(chosen)
    if n >= 4 and resid <= GOOD_RESIDUAL_MM:
        quality = "good"
    elif n >= 3 and resid <= FAIR_RESIDUAL_MM:
        quality = "fair"
    else:
        quality = "poor"
    pages = pages_in_image(cands)
    if pages == 1 and quality != "good":  # the corners may have held two pages' markers, one each: look at all
        pages = pages_in_image(_whole_image_candidates(image, set(marker_rects)))
    cx, cy = float(page_size[0]) / 2, float(page_size[1]) / 2
    return Registration(
        ok=n >= 2, H=H, markers_found=sorted(chosen), orientation=orientation_of(H, page_size), pages_in_image=pages,
        residual_mm=resid, quality=quality if n >= 2 else "poor", model=model,
        px_per_mm=local_scale(H, cx, cy), px_per_mm_min=min(axis_scales(H, cx, cy)), method=method,
        marker_corners_px={i: c.round(2).tolist() for i, c in chosen.items()},
    )
