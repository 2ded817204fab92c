"""The print as the scanner saw it: a label's designed strokes aligned, blurred and toned like the scan's.

`on_labels` first looked for pen ink *outside* a label's strokes grown by the scan's blur. A pen stroke
struck along a label's letters ("≤10" with a squiggle through it, "40-64" scribbled over) lies almost
all within that grown print, and the row read empty was accepted (other-hands stress runs: 9 silent rows
in 2,565 fields). Here the print is subtracted instead of masked: the designed print (rendered
supersampled, so that its letters are not snapped to the pixel grid) is matched to the scan tile by
tile with sub-pixel shifts (a long label's letters drift by a pixel along it), blurred, and mapped to
the scan's darkness by a tone curve fitted over the whole row (its labels share the scanner; a pen on
one label is a minority of the row's pixels). What the scan holds beyond that model - between the
letters, inside their counters, along them - is a pen.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

ALIGN_TILE_PX = 32  # the print is matched to the scan in tiles this wide (4 mm at 8 px/mm) ...
TILE_DRIFT_PX = 1.5  # ... each within this of the whole label's match (a tile of few strokes may match wrongly)
TILE_PRINT_MIN = 20 * 255  # ... and only when it holds this much print (darkness sum); else the label's match
BLURS_PX = (0.5, 0.8, 1.2, 1.8)  # the scan's blur of the print (Gaussian sigma) tried ...
GAMMAS = (1.0, 0.6, 0.35)  # ... and how much its thin strokes spread (printer and scanner darken them)
FIT_STRIDE = 2  # the fit looks at every other pixel each way (a quarter of the work; the model is smooth)
TONE_BINS = 16  # the tone curve: the scan's mean darkness per bin of the modelled print's darkness
NEAR_PRINT = 8  # the fit is scored where the model or the scan has this much darkness (0-255)


def subpixel_peak(match: np.ndarray) -> tuple[float, float]:
    """(x, y) of the highest value of a match surface, refined by a parabola through its neighbours."""
    _, _, _, (ox, oy) = cv2.minMaxLoc(match)

    def vertex(a: float, b: float, c: float) -> float:
        d = a - 2 * b + c
        return float(np.clip(0.5 * (a - c) / d, -0.5, 0.5)) if d < 0 else 0.0

    fx = vertex(*match[oy, ox - 1:ox + 2]) if 0 < ox < match.shape[1] - 1 else 0.0
    fy = vertex(*match[oy - 1:oy + 2, ox]) if 0 < oy < match.shape[0] - 1 else 0.0
    return ox + fx, oy + fy


def aligned_print(ref: np.ndarray, scan: np.ndarray, margin: int) -> np.ndarray:
    """The print's darkness `ref` (float32, `margin` px larger than `scan` on every side) shifted onto `scan`.

    The whole patch is matched first; then each ALIGN_TILE_PX-wide tile on its own, within TILE_DRIFT_PX
    of that, with sub-pixel shifts (bilinear).
    """
    h, w = scan.shape
    gx, gy = subpixel_peak(cv2.matchTemplate(ref, scan, cv2.TM_CCORR_NORMED))
    out = np.zeros_like(scan)
    edges = np.linspace(0, w, max(1, int(round(w / ALIGN_TILE_PX))) + 1).astype(int)
    for c0, c1 in zip(edges[:-1], edges[1:], strict=True):
        sx, sy = gx, gy
        sub = ref[:, c0:c1 + 2 * margin]
        if len(edges) > 2 and sub[margin:margin + h, margin:margin + c1 - c0].sum() > TILE_PRINT_MIN \
                and scan[:, c0:c1].any():
            tx, ty = subpixel_peak(cv2.matchTemplate(sub, scan[:, c0:c1], cv2.TM_CCORR_NORMED))
            if abs(tx - gx) <= TILE_DRIFT_PX and abs(ty - gy) <= TILE_DRIFT_PX:
                sx, sy = tx, ty
        shift = np.float32([[1, 0, c0 + sx], [0, 1, sy]])
        out[:, c0:c1] = cv2.warpAffine(ref, shift, (c1 - c0, h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP)
    return out


def _spread(printed: np.ndarray, gamma: float) -> np.ndarray:
    """The print's darkness with its thin strokes darkened (gamma < 1), as a printer and scanner do."""
    return printed if gamma == 1.0 else 255.0 * np.power(printed / 255.0, gamma)


def _blurred(printed: np.ndarray, blur: float, gamma: float) -> np.ndarray:
    return cv2.GaussianBlur(_spread(printed, gamma).astype(np.float32), (0, 0), blur)


class ToneFit:
    """The scan's blur and tone of the print over one row of labels, fitted by the least absolute error."""

    def __init__(self, pairs: Sequence[tuple[np.ndarray, np.ndarray]]) -> None:
        """pairs: (scan darkness, aligned print darkness), float32, per label of the row."""
        k = FIT_STRIDE
        scan = np.concatenate([s[::k, ::k].ravel() for s, _ in pairs])
        spread = {gamma: [_spread(p, gamma) for _, p in pairs] for gamma in GAMMAS}
        best: tuple[float, float, float, np.ndarray] | None = None
        for blur in BLURS_PX:
            for gamma in GAMMAS:
                model = np.concatenate([cv2.GaussianBlur(p, (0, 0), blur)[::k, ::k].ravel() for p in spread[gamma]])
                curve = self._curve(model, scan)
                near = (model > NEAR_PRINT) | (scan > NEAR_PRINT)
                err = float(np.mean(np.abs(scan - self._apply(curve, model))[near])) if near.any() else 0.0
                if best is None or err < best[0]:
                    best = (err, blur, gamma, curve)
        assert best is not None
        self.error, self.blur, self.gamma, self.curve = best

    @staticmethod
    def _curve(model: np.ndarray, scan: np.ndarray) -> np.ndarray:
        """The scan's mean darkness per bin of the model's (a pen is a small minority of any bin's pixels:
        most of a row is paper, and what is print is print everywhere along it)."""
        bins = np.minimum((model * (TONE_BINS / 256.0)).astype(np.int32), TONE_BINS - 1)
        n = np.bincount(bins, minlength=TONE_BINS)
        total = np.bincount(bins, weights=scan, minlength=TONE_BINS)
        curve = np.zeros(TONE_BINS, np.float32)
        for b in range(TONE_BINS):
            curve[b] = total[b] / n[b] if n[b] else (curve[b - 1] if b else 0.0)
        return np.maximum.accumulate(curve)  # darker print never looks lighter

    @staticmethod
    def _apply(curve: np.ndarray, model: np.ndarray) -> np.ndarray:
        return np.interp(model, _CENTRES, curve).astype(np.float32)

    def modelled(self, printed: np.ndarray) -> np.ndarray:
        """The print alone as the scan would show it (float32 darkness, 0-255 scale)."""
        return self._apply(self.curve, _blurred(printed, self.blur, self.gamma))


def print_error(scans: Sequence[np.ndarray], models: Sequence[np.ndarray]) -> float:
    """The mean absolute difference between the scans and their modelled print, on the print's own pixels
    (where the model holds more than NEAR_PRINT): how well the letters are modelled, which a pen or a fold on
    the paper between and around them does not raise. Infinite where no pixel is print (nothing to tell)."""
    on = [np.abs(s - m)[m > NEAR_PRINT] for s, m in zip(scans, models, strict=True)]
    n = sum(a.size for a in on)
    return float(sum(float(a.sum()) for a in on) / n) if n else float("inf")


_CENTRES = (np.arange(TONE_BINS, dtype=np.float32) + 0.5) * (256.0 / TONE_BINS)
