"""Small image helpers shared by the stages: ink-preserving grey, downscaling, local darkness.

Why min-over-channels: blue ballpoint is dark in R and G but bright in B; a luminance grey washes
it out, the channel minimum keeps it as dark as the strongest absorption. A colour cast shifts the
paper level too, which is why every measurement is taken relative to the *local* background.
"""

from __future__ import annotations

import math
import weakref
from functools import lru_cache

import cv2
import numpy as np

cv2.setNumThreads(1)  # pages are parallelised with processes; OpenCV threads only add contention


def ink_grey(img: np.ndarray) -> np.ndarray:
    """uint8 grey where any coloured ink is dark (min over B, G, R); grey input is returned as is."""
    if img.ndim == 2:
        return img
    if img.shape[2] == 1:
        return img[:, :, 0]
    b, g, r = img[:, :, 0], img[:, :, 1], img[:, :, 2]
    return cv2.min(cv2.min(b, g), r)


def downscale(img: np.ndarray, factor: float) -> np.ndarray:
    """Area-average downscale by `factor` (<= 1); returns the input untouched when factor >= 1."""
    if factor >= 0.999:
        return img
    h, w = img.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def darkness(grey: np.ndarray, background: float | np.ndarray) -> np.ndarray:
    """Ink darkness 0..1 relative to the paper level: (bg - v) / bg, clipped. Float32."""
    bg = np.maximum(np.asarray(background, dtype=np.float32), 1.0)
    d = (bg - grey.astype(np.float32)) / bg
    return np.clip(d, 0.0, 1.0, out=d)


def halve(img: np.ndarray) -> np.ndarray:
    """Exact 2x area downscale (OpenCV's SIMD fast path needs even sizes: drop an odd last row/col)."""
    h, w = img.shape[:2]
    img = img[: h - (h & 1), : w - (w & 1)]
    return cv2.resize(img, (img.shape[1] // 2, img.shape[0] // 2), interpolation=cv2.INTER_AREA)


class _Pyramid:
    """The halvings of the last page image asked about, kept while that image lives.

    Locating one page asks for the same halvings up to six times (markers, blank test, streaks, the
    note look, a whole-page QR search, the stored preview), ~1.5 ms each on a 300-dpi page. The page
    itself is held by a weak reference, so a new page (or the old one freed) starts afresh and the
    page is never kept alive here; asked with one of the kept halvings, it goes on from there. The
    stages never write into a page image in place (`paint_holes` returns a copy), which is what makes
    keeping them sound.
    """

    def __init__(self) -> None:
        self.ref: weakref.ref | None = None
        self.halvings: list[np.ndarray] = []  # the page halved once, twice, ...

    def level(self, img: np.ndarray, n: int) -> np.ndarray:
        """`img` halved n times."""
        if n == 0:
            return img
        top = None if self.ref is None else self.ref()
        if top is img:
            start = 0
        else:
            start = next((i + 1 for i, lv in enumerate(self.halvings) if lv is img), None) if top is not None else None
            if start is None:
                self.ref, self.halvings, start = weakref.ref(img), [], 0
        levels = self.halvings
        while len(levels) < start + n:
            levels.append(halve(levels[-1] if levels else img))
        return levels[start + n - 1]


_PYRAMID = _Pyramid()


def halved(img: np.ndarray, n: int = 1) -> np.ndarray:
    """`img` halved n times (`halve`), sharing the halvings already made of the same page image."""
    return _PYRAMID.level(img, n)


def pyramid_to(img: np.ndarray, max_long_side: int) -> tuple[np.ndarray, float]:
    """Halve until the long side is <= max_long_side; returns (image, factor relative to the input)."""
    n, long_side = 0, max(img.shape[:2])
    while long_side > max_long_side:
        long_side //= 2
        n += 1
    return halved(img, n), 0.5 ** n


def component_stats(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """(n, labels, stats) of the 8-connected components of a 0/1 mask, as cv2 gives them.

    Two shortcuts with the same result: an empty mask is not labelled at all (OpenCV spends ~3 ms on
    an empty 75-dpi page), and with fewer than 65535 ink pixels the labels fit 16 bits (~3x faster).
    """
    ink = cv2.countNonZero(mask)
    if ink == 0:
        return 1, np.zeros(mask.shape, np.int32), np.array([[0, 0, mask.shape[1], mask.shape[0], mask.size]],
                                                            np.int32)
    ltype = cv2.CV_16U if ink < 65535 else cv2.CV_32S
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=ltype)
    return n, labels, stats


def is_bilevel(img: np.ndarray, step: int = 5) -> bool:
    """True for a 1-bit scan (every pixel black or white): the scanner has already dropped what was faint.

    Sampled on a grid (every `step` px); tolerates a sprinkling of other values (a resampled edge).
    """
    s = img[::step, ::step]
    if s.size == 0:
        return False
    coarse = img[::10 * step, ::10 * step]  # a subset of `s`: a grey page shows it within ~3,500 pixels
    if np.count_nonzero((coarse > 0) & (coarse < 255)) > 0.001 * s.size:
        return False
    other = np.count_nonzero((s > 0) & (s < 255))
    return other <= 0.001 * s.size


HALFTONE_FEW_SHARE = 0.08  # thresholded 1-bit pages: <= 0.042 of black pixels in dots; dithered ones >= 0.14
HALFTONE_MIN_AREA = 0.001  # ... and the dots cover >= 0.1 % of the page (a blank page's 200 specks do not)
DESCREEN_MM = 0.68  # one cell of an 8x8 screen at 300 dpi: the average over it is the grey that was dithered


def is_halftone(img: np.ndarray) -> bool:
    """A 1-bit page dithered into dots (a scanner's halftone or photo mode), not cut at a threshold.

    Counted as black pixels with at most two black neighbours: a threshold leaves solid strokes
    (a few % of dots at their edges and specks), a screen turns every grey - paper noise, pencil,
    light ink - into scattered dots.
    """
    if img.ndim != 2 or not is_bilevel(img):
        return False
    # a quarter of the page is plenty: strips of 32 rows every 128 (a screen covers whole areas)
    h = img.shape[0]
    img = np.vstack([img[r:r + 32] for r in range(0, h, 128)]) if h > 512 else img
    black = (img == 0).view(np.uint8)
    n_black = int(np.count_nonzero(black))
    if n_black == 0:
        return False
    near = cv2.boxFilter(black, cv2.CV_8U, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT)
    dots = int(np.count_nonzero(cv2.compare(near, 3, cv2.CMP_LE) & cv2.compare(black, 0, cv2.CMP_GT)))
    return dots >= HALFTONE_FEW_SHARE * n_black and dots >= HALFTONE_MIN_AREA * img.size


def descreen(img: np.ndarray) -> np.ndarray:
    """The grey a halftone page was dithered from: the average over one screen cell (~0.7 mm).

    Read as a grey scan afterwards, its dots are a grey level the local-paper measures know how
    to judge; read as 1-bit, each dot would be a speck and a pencil stroke a scatter of them.
    """
    px_per_mm = max(img.shape[:2]) / 297.0  # A4 long side: a scan's own dpi is not always known
    k = max(3, int(round(DESCREEN_MM * px_per_mm)))
    return cv2.blur(img, (k, k), borderType=cv2.BORDER_REPLICATE)


def clamp(x: float, lo: float, hi: float) -> float:
    """float(np.clip(x, lo, hi)) for one number, ~20x cheaper (it runs several times per box)."""
    return float(min(max(x, lo), hi))


def median(a: np.ndarray) -> float:
    """float(np.median(a)), the same number, ~2x cheaper on the small arrays of one box or area."""
    a = np.asarray(a).ravel()
    k = a.size // 2
    if a.size % 2:
        return float(np.partition(a, k)[k])
    return float(np.partition(a, (k - 1, k))[k - 1:k + 1].mean())


def quantile(a: np.ndarray, q: float) -> float:
    """float(np.quantile(a, q)) (linear interpolation), the same number, ~6x cheaper on small arrays."""
    a = np.asarray(a).ravel()
    pos = q * (a.size - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, a.size - 1)
    p = np.partition(a, (lo, hi) if hi != lo else lo)
    t = pos - lo
    d = np.subtract(p[hi], p[lo])
    return float(np.subtract(p[hi], d * (1 - t)) if t >= 0.5 else np.add(p[lo], d * t))  # NumPy's own lerp


def hist256(g: np.ndarray) -> np.ndarray:
    """Grey-level counts of a uint8 image (int64; cv2.calcHist is ~2x faster than np.bincount here). Its counts
    are float32: exact up to 2**24 pixels (a page at any working resolution)."""
    return cv2.calcHist([g], [0], None, [256], [0, 256]).ravel().astype(np.int64)


def hist_quantile(hist: np.ndarray, q: float) -> float:
    return _cum_quantile(np.cumsum(hist), q)


def paper_level(hist: np.ndarray, level: float | None = None) -> tuple[float, float]:
    """(paper grey level, its noise sigma relative to that level) from grey-level counts (bin i = value i).

    The level is the 85th percentile (print and ink are a minority), unless given; the noise is the MAD of
    the counts within 15 % of it (a box's ring in `measure`, a text area's crop in `writer.crop_paper`).
    """
    c = np.cumsum(hist)  # one cumulative count for both: the paper's is this one with the darker bins taken off
    bg = max(level if level is not None else _cum_quantile(c, 0.85), 1.0)
    k = min(int(bg * 0.85), len(c))
    paper = c - c[k - 1] if k else c
    paper[:k] = 0
    return bg, 1.4826 * _cum_median_mad(paper)[1] / bg


def _cum_quantile(c: np.ndarray, q: float) -> float:
    """`hist_quantile` from the cumulative counts."""
    if c[-1] == 0:
        return 0.0
    return float(np.searchsorted(c, q * c[-1]))


def hist_median_mad(hist: np.ndarray) -> tuple[float, float]:
    """(median, median absolute deviation) of the values counted in `hist` (bin i = value i).

    Robust spread of the paper: print, ink and specks are a minority and drop out of both medians.
    The MAD is the smallest d with half the counts within d of the median, read off the cumulative
    counts (a few box-sized calls per box: sorting the deviations cost twice as much).
    """
    return _cum_median_mad(np.cumsum(hist))


def _cum_median_mad(c: np.ndarray) -> tuple[float, float]:
    """`hist_median_mad` from the cumulative counts."""
    total = int(c[-1])
    med = int(np.searchsorted(c, 0.5 * total)) if total else 0
    cp = np.zeros(len(c) + 1, c.dtype)
    cp[1:] = c
    hi, lo = _mad_bounds(len(c))
    within = cp[hi[med]] - cp[lo[med]]  # counts within d of the median, d = 0, 1, ...
    return float(med), float(np.searchsorted(within, 0.5 * max(total, 1)))


@lru_cache(maxsize=4)
def _mad_bounds(n: int) -> tuple[np.ndarray, np.ndarray]:
    """For each median m and deviation d: the cumulative-count indices bounding bins m - d .. m + d."""
    m, d = np.arange(n)[:, None], np.arange(n)[None, :]
    return np.minimum(m + d, n - 1) + 1, np.maximum(m - d, 0)


LINE_SLOPES_DEG = (0.0, -2.0, 2.0, -4.0, 4.0, -6.0, 6.0)  # straight runs (rules, creases, folds) at these angles


@lru_cache(maxsize=16)
def line_kernels(length: int) -> tuple[np.ndarray, ...]:
    """1 px wide digital lines `length` px long, near-horizontal and near-vertical, at LINE_SLOPES_DEG."""
    out = []
    for deg in LINE_SLOPES_DEG:
        t = np.tan(np.radians(deg))
        off = np.round(np.arange(length) * t).astype(int)
        off -= off.min()
        k = np.zeros((int(off.max()) + 1, length), np.uint8)
        k[off, np.arange(length)] = 1
        out += [k, np.ascontiguousarray(k.T)]
    return tuple(out)


def true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True in a 1-D mask (half-open)."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(idx) > 1)
    starts = np.r_[idx[0], idx[cuts + 1]]
    ends = np.r_[idx[cuts], idx[-1]] + 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]
