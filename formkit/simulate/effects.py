"""Scanner and camera profiles that degrade a filled page image the way real devices do.

Each profile takes a clean page image rendered at `dpi_in` and returns a `Scan`: the degraded
image, its effective dpi and what was done (`meta`), including the 3x3 `matrix` that maps a pixel
of the input page to the output image -- so tests can check where a box ended up.

Profiles (all accept `rotation` 0/90/180/270, or None for the profile's own habit):

* `office300` -- 300 dpi grey, skew +-1.5 deg, shift, 94-100 % print scale, mild noise, JPEG q~75.
* `office200` -- the same at 200 dpi.
* `colour300` -- an MFP left on colour: 300 dpi RGB, JPEG q~80.
* `bilevel`   -- 300 dpi 1-bit: a fixed threshold (135-170) as most document scanners use (70 %),
  Otsu per page (15 %), or a local ("dynamic") threshold (15 %: black where darker than the mean
  within 2.6-8.5 mm by 8-20 levels - it hollows out blots wider than half that window, such as a
  cancelling fill); the cut is in `meta["threshold"]` (for a local one: the paper level it amounts to).
  Faint pencil usually disappears: see `ward.py`, which marks such answers `visible: false`.
* `bilevel200`, `bilevel150` -- the same at 200 dpi (many MFPs' black-and-white default for scan-to-email)
  and at 150 dpi: thin strokes break up more, pencil writing may vanish whole. Not in the office mix.
* `dither`    -- 300 dpi 1-bit in a scanner's halftone ("photo") mode: the paper level is lifted to
  white (half the pages keep a sprinkle of paper-grain dots, half are clipped clean), then every
  grey is dithered into dots (an 8x8 ordered Bayer screen, or a random screen), so pencil and light
  ink arrive as dotted strokes. Not in the office mix: a stress test.
* `dpi150`    -- 150 dpi grey, slightly softer, JPEG q~70.
* `rough`     -- stronger skew, blur, noise, dark scanner borders, a crease, streaks, JPEG q~50,
  a folded-over corner hiding one marker (30 %), and usually a 90/180/270 deg rotation.
* `phone`     -- perspective photo: the page on a desk, 60-85 % of the frame, bowed paper (up to
  1 mm, not in `matrix`), light gradient, sometimes a shadow, colour cast, slight blur, JPEG; half of
  them sharpened the way camera and scanning apps do (unsharp mask, x0.5-2: light halos around print).
  Effective dpi is measured from the page's size in the frame.
* `glare`     -- a phone photo with a bright spot of reflected light on the sheet (lifting the page 40-75 %
  of the way to white at its centre, 8-20 % of the frame across): washed-out print and ink. Not in the
  office mix: a stress test.
* `shadow`    -- a phone photo with a hard-edged shadow across the sheet (a hand or the phone held close
  under one ceiling lamp): 25-55 % darker, its edge sharp (a 0.5-3 mm penumbra) and crossing rows of
  boxes. Not in the office mix: a stress test.

* `stain`     -- an office 300 dpi scan of a sheet with a coffee or tea ring on it (1-2 rings, 12-35 mm
  across, a darker rim 0.5-1.5 mm wide, a faint wash inside, brown): ward paper. Not in the office mix: a
  stress test.

`print_texture` is the printer's part (toner density, halftoned grey), applied before filling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np


@dataclass
class Scan:
    """A degraded page: uint8 image ((H, W) grey or (H, W, 3) RGB), effective dpi, and meta."""

    image: np.ndarray
    dpi: float
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def bilevel(self) -> bool:
        return bool(self.meta.get("bilevel"))


def to_grey(img: np.ndarray) -> np.ndarray:
    """RGB -> greyscale (a greyscale scanner sees blue ink as mid grey)."""
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def jpeg_roundtrip(img: np.ndarray, quality: int) -> np.ndarray:
    """Encode and decode as JPEG: scanners and phones compress before we ever see the page."""
    if img.ndim == 3:
        ok, buf = cv2.imencode(
            ".jpg", cv2.cvtColor(img, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
        )
        return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)


def rotate90(img: np.ndarray, rotation: int) -> tuple[np.ndarray, np.ndarray]:
    """Rotate clockwise by 0/90/180/270 degrees; returns (image, 3x3 matrix old px -> new px)."""
    r = int(rotation) % 360
    if r not in (0, 90, 180, 270):
        raise ValueError(f"rotation must be 0, 90, 180 or 270, not {rotation}")
    h, w = img.shape[:2]
    k = r // 90
    out = np.ascontiguousarray(np.rot90(img, -k))  # rot90 with negative k turns clockwise
    if k == 0:
        m = np.eye(3)
    elif k == 1:
        m = np.array([[0, -1, h - 1], [1, 0, 0], [0, 0, 1]], float)
    elif k == 2:
        m = np.array([[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]], float)
    else:
        m = np.array([[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]], float)
    return out, m


def _place(
    img: np.ndarray,
    dpi_in: float,
    dpi_out: float,
    rng: np.random.Generator,
    *,
    skew_deg: float,
    shift_mm: float,
    scale_range: tuple[float, float],
    border: int | None,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Print-scale, skew and shift the page onto an output canvas of the same paper size.

    The printed content shrinks about the paper centre ("fit to page"); the sheet itself is
    rotated and shifted on the glass. Outside the sheet shows the scanner lid (`border` grey
    level; None = white lid, the common case).
    """
    h_in, w_in = img.shape[:2]
    f = dpi_out / dpi_in
    w_out, h_out = round(w_in * f), round(h_in * f)
    s = float(rng.uniform(*scale_range))
    ang = float(rng.uniform(-skew_deg, skew_deg))
    sx, sy = (rng.uniform(-shift_mm, shift_mm, 2) * dpi_out / 25.4).tolist()
    # content: scale about centre; sheet: rotate about centre + shift
    c_in = np.array([(w_in - 1) / 2, (h_in - 1) / 2])
    c_out = np.array([(w_out - 1) / 2, (h_out - 1) / 2])
    rot = cv2.getRotationMatrix2D((0, 0), ang, 1.0)[:, :2]

    def affine(scale: float) -> np.ndarray:
        a = rot * scale
        t = c_out + [sx, sy] - a @ c_in
        return np.vstack([np.hstack([a, t[:, None]]), [0, 0, 1]])

    m = affine(f * s)
    src = img
    if f * s < 0.8:  # downsample with area averaging first, like a scanner's optics, then warp
        src = cv2.resize(img, (round(w_in * f * s), round(h_in * f * s)), interpolation=cv2.INTER_AREA)
        pre = np.diag([src.shape[1] / w_in, src.shape[0] / h_in, 1.0])
        m_warp = m @ np.linalg.inv(pre)
    else:
        m_warp = m
    paper = 255 if img.ndim == 2 else (255, 255, 255)
    out = cv2.warpAffine(
        src,
        m_warp[:2],
        (w_out, h_out),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=paper,
    )
    if border is not None:
        sheet = cv2.warpAffine(
            np.full((h_in, w_in), 255, np.uint8),
            affine(f)[:2],
            (w_out, h_out),
            flags=cv2.INTER_LINEAR,
            borderValue=0,
        )
        a = sheet.astype(np.float32) / 255.0
        if out.ndim == 3:
            a = a[:, :, None]
        out = (out * a + border * (1 - a)).astype(np.uint8)
    meta = {
        "skew_deg": round(ang, 3),
        "shift_mm": [round(sx * 25.4 / dpi_out, 2), round(sy * 25.4 / dpi_out, 2)],
        "print_scale": round(s, 4),
    }
    return out, m, meta


def _illumination(shape: tuple[int, int], rng: np.random.Generator, strength: float) -> np.ndarray:
    """Smooth multiplicative light field in [1 - strength, 1] (uneven lamp, paper tone)."""
    h, w = shape
    small = cv2.resize(
        rng.normal(0, 1, (4, 3)).astype(np.float32),
        (max(2, w // 16), max(2, h // 16)),
        interpolation=cv2.INTER_CUBIC,
    )
    small = 1.0 - strength * (small - small.min()) / max(float(np.ptp(small)), 1e-6)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def print_texture(img: np.ndarray, dpi: float, rng: np.random.Generator) -> np.ndarray:
    """What the office printer did to the clean PDF page, before anyone writes on it.

    Toner density varies (black prints as dark grey), and grey areas (the shaded rows of the rating
    grid) are halftone screens, which a scanner sees as a fine beat pattern rather than flat grey.
    Applied by `ward.py` before filling, so pen ink lies on top of the print.
    """
    # OpenCV rather than numpy arithmetic: ~50 ms instead of ~1 s for an RGB page at 300 dpi
    density = float(rng.uniform(0.86, 1.0))
    x = cv2.convertScaleAbs(img, alpha=density, beta=255.0 * (1.0 - density))
    g = (x if x.ndim == 2 else cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)).astype(np.float32)
    cover = (255.0 - g) * np.float32(1 / 255.0)
    # 0 on paper and on solid black, 1 on 50 % grey; light tints are sparse dots, hence the root
    grey = np.sqrt(np.clip(cover * (1 - cover) * 4, 0, 1))
    period = dpi / 25.4 * rng.uniform(0.25, 0.6)  # the visible beat of the screen, 0.25-0.6 mm
    # a dot screen at 45 degrees (as printers use for black): cos(u) cos(v) with u, v the rotated
    # axes equals (cos(k sqrt2 y) + cos(k sqrt2 x)) / 2 -- one broadcast add for the whole page
    k = np.float32(2 * np.pi / period * np.sqrt(2.0))
    phase = rng.uniform(0, 2 * np.pi, 2).astype(np.float32)
    h, w = grey.shape
    cx = np.cos(k * np.arange(w, dtype=np.float32) + phase[0])
    cy = np.cos(k * np.arange(h, dtype=np.float32) + phase[1])
    tex = (cy[:, None] + cx[None, :]) * grey * np.float32(0.5 * rng.uniform(6, 14))
    if x.ndim == 3:
        tex = cv2.merge([tex, tex, tex])
    return cv2.add(x, tex, dtype=cv2.CV_8U)


def _finish_grey(
    img: np.ndarray,
    rng: np.random.Generator,
    *,
    paper: tuple[float, float],
    light: float,
    blur: tuple[float, float],
    noise: tuple[float, float],
    gamma: float,
) -> np.ndarray:
    """Paper tone, uneven light, optics blur, gamma and sensor noise."""
    x = img.astype(np.float32) / 255.0
    x = (
        x * (rng.uniform(*paper) / 255.0) * _illumination(x.shape[:2], rng, light)[..., None]
        if x.ndim == 3
        else x * (rng.uniform(*paper) / 255.0) * _illumination(x.shape, rng, light)
    )
    sigma = rng.uniform(*blur)
    if sigma > 0.05:
        x = cv2.GaussianBlur(x, (0, 0), sigma)
    g = rng.uniform(1 - gamma, 1 + gamma)
    x = np.clip(x, 0, 1) ** g
    x = x * 255.0 + _noise(rng, x.shape, rng.uniform(*noise))
    return np.clip(x, 0, 255).astype(np.uint8)


def _rotation(rotation: int | None, rng: np.random.Generator, habit: tuple[float, ...]) -> int:
    """The explicit rotation, or one drawn from the profile's habit (p for 0, 90, 180, 270)."""
    if rotation is not None:
        return int(rotation) % 360
    p = np.array(habit, float)
    return int(rng.choice([0, 90, 180, 270], p=p / p.sum()))


def _office(
    img: np.ndarray,
    dpi_in: float,
    rng: np.random.Generator,
    rotation: int | None,
    *,
    name: str,
    dpi: int,
    quality: tuple[int, int],
    blur: tuple[float, float] = (0.3, 0.7),
    colour: bool = False,
) -> Scan:
    x = img if colour and img.ndim == 3 else to_grey(img)
    x, m, meta = _place(x, dpi_in, dpi, rng, skew_deg=1.5, shift_mm=3.0, scale_range=(0.94, 1.0), border=None)
    x = _finish_grey(x, rng, paper=(238, 252), light=0.04, blur=blur, noise=(1.0, 3.0), gamma=0.1)
    q = int(rng.integers(quality[0], quality[1] + 1))
    x = jpeg_roundtrip(x, q)
    rot = _rotation(rotation, rng, (0.9, 0.0, 0.1, 0.0))
    x, mr = rotate90(x, rot)
    meta.update(
        profile=name,
        jpeg_quality=q,
        rotation=rot,
        bilevel=False,
        colour=x.ndim == 3,
        matrix=(mr @ m).tolist(),
    )
    return Scan(x, float(dpi), meta)


def office300(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """Typical office MFP scan to PDF: 300 dpi grey, JPEG q 70-80."""
    return _office(img, dpi_in, rng, rotation, name="office300", dpi=300, quality=(70, 80))


def colour300(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """Office MFP left on its colour default: 300 dpi RGB, JPEG q 75-85 (blue ink stays blue)."""
    return _office(img, dpi_in, rng, rotation, name="colour300", dpi=300, quality=(75, 85), colour=True)


def office200(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """Low-resolution office default: 200 dpi grey, JPEG q 70-80."""
    return _office(img, dpi_in, rng, rotation, name="office200", dpi=200, quality=(70, 80))


def dpi150(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """The lowest resolution we promise to read: 150 dpi grey, softer optics, JPEG q 65-75."""
    return _office(img, dpi_in, rng, rotation, name="dpi150", dpi=150, quality=(65, 75), blur=(0.3, 0.6))


def bilevel(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """Document scanner in black-and-white mode: a fixed threshold, no grey left (CCITT G4 later)."""
    return _bilevel(img, dpi_in, rng, rotation, dpi=300, name="bilevel")


def bilevel200(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """An MFP's black-and-white default for scan-to-email: 1-bit at 200 dpi."""
    return _bilevel(img, dpi_in, rng, rotation, dpi=200, name="bilevel200")


def bilevel150(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """The lowest resolution we promise, in black and white: 1-bit at 150 dpi."""
    return _bilevel(img, dpi_in, rng, rotation, dpi=150, name="bilevel150")


def _bilevel(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None, dpi: int,
             name: str) -> Scan:
    x = to_grey(img)
    x, m, meta = _place(x, dpi_in, dpi, rng, skew_deg=1.5, shift_mm=3.0, scale_range=(0.94, 1.0), border=None)
    x = _finish_grey(x, rng, paper=(240, 252), light=0.05, blur=(0.3, 0.7), noise=(1.0, 3.0), gamma=0.05)
    if rng.random() < 0.7:  # most scanners: a fixed cut set in the driver
        t = int(rng.integers(135, 171))
        method = "fixed"
        x = np.where(x < t, 0, 255).astype(np.uint8)
    elif rng.random() < 0.5:  # some choose it per page (Otsu on the page histogram)
        t = int(cv2.threshold(x, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[0])
        method = "otsu"
        x = np.where(x < t, 0, 255).astype(np.uint8)
    else:  # some per pixel, against the mean around it ("dynamic threshold")
        block = int(rng.integers(31, 102)) | 1
        c = int(rng.integers(8, 21))
        x = cv2.adaptiveThreshold(x, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, c)
        t = 240 - c  # what it amounts to on paper: any ink darker than the paper by c is black
        method = f"local{block}"
    # scanners' despeckle is imperfect: a few isolated black dots survive
    n = int(rng.integers(20, 200))
    x[rng.integers(0, x.shape[0], n), rng.integers(0, x.shape[1], n)] = 0
    rot = _rotation(rotation, rng, (0.9, 0.0, 0.1, 0.0))
    x, mr = rotate90(x, rot)
    meta.update(
        profile=name,
        threshold=t,
        threshold_method=method,
        rotation=rot,
        bilevel=True,
        colour=False,
        jpeg_quality=None,
        matrix=(mr @ m).tolist(),
    )
    return Scan(x, float(dpi), meta)


_BAYER8 = np.array([[0, 32, 8, 40, 2, 34, 10, 42], [48, 16, 56, 24, 50, 18, 58, 26],
                    [12, 44, 4, 36, 14, 46, 6, 38], [60, 28, 52, 20, 62, 30, 54, 22],
                    [3, 35, 11, 43, 1, 33, 9, 41], [51, 19, 59, 27, 49, 17, 57, 25],
                    [15, 47, 7, 39, 13, 45, 5, 37], [63, 31, 55, 23, 61, 29, 53, 21]], np.float32)


def dither(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """1-bit halftone mode: paper lifted to white, greys turned into dots (ordered or random screen)."""
    x = to_grey(img)
    x, m, meta = _place(x, dpi_in, 300, rng, skew_deg=1.5, shift_mm=3.0, scale_range=(0.94, 1.0), border=None)
    x = _finish_grey(x, rng, paper=(240, 252), light=0.05, blur=(0.3, 0.7), noise=(1.0, 3.0), gamma=0.05)
    # background removal: the paper's own level (a high percentile) minus a margin becomes white. A small
    # margin leaves the paper's grain as a sprinkle of dots; a large one (background suppression) clips
    # the paper clean, and only pencil, light ink and grey print become dots.
    margin = rng.uniform(4, 12) if rng.random() < 0.5 else rng.uniform(15, 30)
    white = float(np.percentile(x[::4, ::4], 90)) - float(margin)
    g = np.clip(x.astype(np.float32) * (255.0 / max(white, 1.0)), 0, 255)
    if rng.random() < 0.6:
        h, w = g.shape
        screen = np.tile(_BAYER8, (h // 8 + 1, w // 8 + 1))[:h, :w]
        method = "bayer8"
    else:
        screen = rng.random(g.shape, dtype=np.float32) * 64.0
        method = "random"
    x = np.where(g < (screen + 0.5) * (255.0 / 64.0), 0, 255).astype(np.uint8)
    rot = _rotation(rotation, rng, (0.9, 0.0, 0.1, 0.0))
    x, mr = rotate90(x, rot)
    meta.update(profile="dither", dither=method, white=white, rotation=rot, bilevel=True, colour=False,
                jpeg_quality=None, matrix=(mr @ m).tolist())
    return Scan(x, 300.0, meta)


def _crease(x: np.ndarray, rng: np.random.Generator) -> None:
    """A fold line across the sheet: a thin dark line with a soft shadow on one side."""
    h, w = x.shape
    y0 = rng.uniform(0.3, 0.7) * h
    slope = rng.uniform(-0.03, 0.03)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = yy - (y0 + slope * xx)
    shade = 1.0 - 0.25 * np.exp(-(d**2) / 2.0) - 0.08 * np.exp(-np.maximum(d, 0) / 25.0) * (d > 0)
    x[:] = np.clip(x * shade, 0, 255)


def _streaks(x: np.ndarray, rng: np.random.Generator) -> None:
    """Vertical streaks from dirt on the scanner glass (dark) or a dead sensor cell (light)."""
    h, w = x.shape
    for _ in range(int(rng.integers(1, 4))):
        cx = int(rng.integers(0, w))
        width = int(rng.integers(1, 4))
        if rng.random() < 0.7:
            x[:, cx : cx + width] *= rng.uniform(0.35, 0.8)
        else:
            x[:, cx : cx + width] = np.maximum(x[:, cx : cx + width], rng.uniform(200, 250))


def _dog_ear(x: np.ndarray, dpi: float, rng: np.random.Generator, background: int) -> dict[str, Any]:
    """Fold one corner over, in place: the corner shows the scanner background, the flap the
    blank back of the paper. It usually hides (part of) that corner's marker -- never the QR code.
    """
    h, w = x.shape
    corner = str(rng.choice(["TL", "TR", "BR", "BL"]))
    # the flap covers a legs x legs square at the corner: at TR it must stop short of the QR quiet
    # zone (QR right edge 25 mm from the page edge, 3 mm quiet zone)
    legs_mm = float(rng.uniform(15, 21.5) if corner == "TR" else rng.uniform(18, 35))
    legs = legs_mm * dpi / 25.4
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    dx = xx if corner in ("TL", "BL") else (w - 1 - xx)
    dy = yy if corner in ("TL", "TR") else (h - 1 - yy)
    s = dx + dy
    x[s < legs] = background
    flap = (s >= legs) & (dx < legs) & (dy < legs)
    x[flap] = int(rng.integers(228, 245))
    edge = flap & ((np.abs(dx - legs) < 1.5) | (np.abs(dy - legs) < 1.5))  # the flap's edges cast a line
    x[edge] = 140
    return {"corner": corner, "legs_mm": round(legs_mm, 1)}


def rough(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """A bad day: old ADF with black backing, sheet fed crooked and upside down, folded, dirty glass."""
    x = to_grey(img)
    dpi = int(rng.choice([200, 300]))
    border = int(rng.integers(10, 60))
    ear = None
    if rng.random() < 0.3:
        x = x.copy()  # to_grey may hand back the caller's array: never paint on the input
        ear = _dog_ear(x, dpi_in, rng, border)
    x, m, meta = _place(
        x, dpi_in, dpi, rng, skew_deg=4.0, shift_mm=6.0, scale_range=(0.92, 1.0), border=border
    )
    meta["dog_ear"] = ear
    x = x.astype(np.float32)
    _crease(x, rng)
    _streaks(x, rng)
    x = _finish_grey(
        x.astype(np.uint8), rng, paper=(215, 245), light=0.12, blur=(0.8, 1.4), noise=(4.0, 8.0), gamma=0.2
    )
    q = int(rng.integers(45, 56))
    x = jpeg_roundtrip(x, q)
    rot = _rotation(rotation, rng, (0.2, 0.4, 0.2, 0.2))
    x, mr = rotate90(x, rot)
    meta.update(
        profile="rough",
        jpeg_quality=q,
        rotation=rot,
        bilevel=False,
        colour=False,
        border=border,
        matrix=(mr @ m).tolist(),
    )
    return Scan(x, float(dpi), meta)


def _noise(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    """Gaussian noise as float32, drawn by OpenCV (5x faster than numpy on a 7-megapixel frame).

    OpenCV's generator is seeded from `rng`, so results stay deterministic for a seed.
    """
    cv2.setRNGSeed(int(rng.integers(0, 2**31 - 1)))
    out = np.empty(shape, np.float32)
    cv2.randn(out.reshape(shape[0], -1), 0.0, float(sigma))
    return out


def _desk(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A desk surface: wood-ish, grey laminate or dark cloth, with a grainy texture."""
    base = np.array(
        [[150, 105, 70], [120, 120, 125], [60, 60, 70], [190, 180, 160]][int(rng.integers(0, 4))], np.float32
    )
    grain = cv2.resize(
        rng.normal(0, 1, (h // 40 + 2, 6)).astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC
    )
    fine = _noise(rng, (h, w), 6.0)
    return base[None, None, :] * (1 + 0.1 * grain[..., None]) + fine[..., None]


def phone(
    img: np.ndarray,
    dpi_in: float,
    rng: np.random.Generator,
    rotation: int | None = None,
    *,
    frame_long_px: int = 3000,
) -> Scan:
    """A phone photo of the sheet on a desk: perspective, shading, colour cast, JPEG.

    The page fills 60-85 % of the frame's long side; the effective dpi is the page's mean size
    in the frame divided by its paper size.
    """
    rgb = img if img.ndim == 3 else cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    h_in, w_in = rgb.shape[:2]
    fh, fw = frame_long_px, round(frame_long_px * 0.75)
    if w_in > h_in:
        fh, fw = fw, fh
    occ = rng.uniform(0.60, 0.85)
    s = occ * fh / h_in if h_in >= w_in else occ * fw / w_in
    pw, ph = w_in * s, h_in * s
    cx, cy = (
        fw / 2 + rng.uniform(-0.5, 0.5) * (fw - pw) * 0.6,
        fh / 2 + rng.uniform(-0.5, 0.5) * (fh - ph) * 0.6,
    )
    ang = np.deg2rad(rng.uniform(-8, 8))
    corners = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    tilt = rng.uniform(-0.04, 0.04, 2)  # camera not parallel: one side nearer, larger
    corners = corners * (1 + corners[:, :1] / pw * tilt[0] + corners[:, 1:] / ph * tilt[1])
    corners += rng.normal(0, 0.006, corners.shape) * [pw, ph]
    rotm = np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
    dst = corners @ rotm.T + [cx, cy]
    # keep the whole sheet in the frame (2 % margin): people frame the page they photograph
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    room = np.array([fw, fh]) * 0.96
    shrink = min(1.0, float(np.min(room / (hi - lo))))
    dst = (dst - (lo + hi) / 2) * shrink + (lo + hi) / 2
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    dst += np.clip(np.array([fw, fh]) * 0.02 - lo, 0, None) - np.clip(hi - np.array([fw, fh]) * 0.98, 0, None)
    dst = dst.astype(np.float32)
    src = np.array([[0, 0], [w_in - 1, 0], [w_in - 1, h_in - 1], [0, h_in - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    small = rgb
    if s < 0.8:
        small = cv2.resize(rgb, (round(w_in * s), round(h_in * s)), interpolation=cv2.INTER_AREA)
    # the sheet is not flat: it bows a little (up to ~1 mm), which no homography removes
    curl_mm = float(rng.uniform(-1.0, 1.0))
    sh_, sw_ = small.shape[:2]
    yy, xx = np.mgrid[0:sh_, 0:sw_].astype(np.float32)
    bow = np.float32(curl_mm * sh_ / 297.0) * (2 * xx / max(sw_ - 1, 1) - 1) ** 2
    small = cv2.remap(small, xx, yy + bow, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    pre = np.diag([small.shape[1] / w_in, small.shape[0] / h_in, 1.0])
    m_warp = m @ np.linalg.inv(pre)
    page = cv2.warpPerspective(small, m_warp, (fw, fh), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    mask = cv2.warpPerspective(
        np.full(small.shape[:2], 255, np.uint8), m_warp, (fw, fh), flags=cv2.INTER_LINEAR
    )
    a = (mask.astype(np.float32) / 255.0)[..., None]
    x = page.astype(np.float32) * a + _desk(fh, fw, rng) * (1 - a)
    # light: a gradient across the frame plus a soft vignette (computed small, it is smooth),
    # then a white-balance cast, lens blur and sensor noise
    sh, sw = fh // 16, fw // 16
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gdir = rng.normal(0, 1, 2)
    grad = (xx / sw - 0.5) * gdir[0] + (yy / sh - 0.5) * gdir[1]
    light = 1.0 - rng.uniform(0.1, 0.3) * (grad - grad.min()) / max(float(np.ptp(grad)), 1e-6)
    light *= 1.0 - 0.15 * (((xx / sw - 0.5) ** 2 + (yy / sh - 0.5) ** 2) / 0.5)
    shadow = 0.0
    if rng.random() < 0.5:  # the phone's or the photographer's shadow reaching in from one edge
        blob = np.zeros((sh, sw), np.float32)
        edge = int(rng.integers(0, 4))
        c = [
            (rng.uniform(0, sw), 0),
            (sw, rng.uniform(0, sh)),
            (rng.uniform(0, sw), sh),
            (0, rng.uniform(0, sh)),
        ][edge]
        axes = (int(sw * rng.uniform(0.3, 0.6)), int(sh * rng.uniform(0.2, 0.45)))
        cv2.ellipse(blob, (int(c[0]), int(c[1])), axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        shadow = rng.uniform(0.2, 0.45)
        light *= 1.0 - shadow * cv2.GaussianBlur(blob, (0, 0), max(sw, sh) * 0.05)
    light = cv2.resize(light.astype(np.float32), (fw, fh), interpolation=cv2.INTER_LINEAR)
    cast = np.array([rng.uniform(0.95, 1.08), 1.0, rng.uniform(0.85, 1.02)], np.float32) * rng.uniform(
        0.85, 1.0
    )
    x = x * light[..., None] * cast
    x = cv2.GaussianBlur(x, (0, 0), rng.uniform(0.6, 1.2))
    x += _noise(rng, x.shape, rng.uniform(2, 5))
    sharpened = 0.0
    if rng.random() < 0.5:  # camera and scanning apps sharpen: light halos around print and ink
        sharpened = rng.uniform(0.5, 2.0)
        x = x + sharpened * (x - cv2.GaussianBlur(x, (0, 0), rng.uniform(1.0, 1.6)))
    x = np.clip(x, 0, 255).astype(np.uint8)
    q = int(rng.integers(75, 91))
    x = jpeg_roundtrip(x, q)
    rot = _rotation(rotation, rng, (0.7, 0.15, 0.0, 0.15))
    x, mr = rotate90(x, rot)
    side = (np.linalg.norm(dst[1] - dst[0]) + np.linalg.norm(dst[2] - dst[3])) / 2
    eff_dpi = float(side / (w_in / dpi_in))
    meta = {
        "profile": "phone",
        "jpeg_quality": q,
        "rotation": rot,
        "bilevel": False,
        "colour": True,
        "page_fraction": round(occ, 3),
        "curl_mm": round(curl_mm, 2),
        "shadow": round(float(shadow), 2),
        "sharpened": round(float(sharpened), 2),
        "matrix": (mr @ m).tolist(),  # ignores the curl
    }
    return Scan(x, round(eff_dpi, 1), meta)


def glare(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """`phone`, plus a glare spot somewhere on the sheet (see the module docstring)."""
    scan = phone(img, dpi_in, rng, rotation)
    x = scan.image.astype(np.float32)
    h, w = x.shape[:2]
    cx, cy = rng.uniform(0.25, 0.75) * w, rng.uniform(0.25, 0.75) * h
    r = rng.uniform(0.08, 0.2) * max(h, w)
    peak = float(rng.uniform(0.4, 0.75))
    yy, xx = np.ogrid[0:h, 0:w]
    spot = (peak * np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)))).astype(np.float32)
    if x.ndim == 3:
        spot = spot[..., None]
    x += (255.0 - x) * spot
    meta = {**scan.meta, "profile": "glare", "glare": [round(cx), round(cy), round(r), round(peak, 2)]}
    return Scan(np.clip(x, 0, 255).astype(np.uint8), scan.dpi, meta)


def shadow(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """`phone`, plus a hard-edged shadow: a half-plane or a hand-sized blob (see the module docstring).

    A lamp straight above casts a sharp shadow of the phone or of the hand holding it: a step in the
    light that may cut straight through a box, which a smooth light field never does.
    """
    scan = phone(img, dpi_in, rng, rotation)
    x = scan.image.astype(np.float32)
    h, w = x.shape[:2]
    mask = np.zeros((h, w), np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    if rng.random() < 0.5:  # a straight edge: the phone's own shadow
        ang = rng.uniform(0, 2 * np.pi)
        far = 4.0 * max(h, w)
        d = np.array([np.cos(ang), np.sin(ang)])
        n = np.array([-d[1], d[0]])
        c = np.array([cx, cy])
        poly = np.array([c + far * d, c + far * d + far * n, c - far * d + far * n, c - far * d])
        cv2.fillPoly(mask, [poly.astype(np.int32)], 1.0)
    else:  # a hand: a lumpy blob reaching in
        r = rng.uniform(0.12, 0.25) * max(h, w)
        t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        rr = r * (1 + 0.25 * rng.standard_normal(24).clip(-2, 2))
        poly = np.stack([cx + rr * np.cos(t), cy + 0.7 * rr * np.sin(t)], axis=1)
        cv2.fillPoly(mask, [poly.astype(np.int32)], 1.0)
    penumbra_px = rng.uniform(0.5, 3.0) / 25.4 * scan.dpi
    mask = cv2.GaussianBlur(mask, (0, 0), max(penumbra_px / 2, 0.5))
    depth = float(rng.uniform(0.25, 0.55))
    light = 1.0 - depth * mask
    x *= light[..., None] if x.ndim == 3 else light
    meta = {
        **scan.meta,
        "profile": "shadow",
        "hard_shadow": [round(cx), round(cy), round(depth, 2), round(float(penumbra_px), 1)],
    }
    return Scan(np.clip(x, 0, 255).astype(np.uint8), scan.dpi, meta)


def coffee_rings(img: np.ndarray, dpi: float, rng: np.random.Generator, n: int) -> tuple[np.ndarray, list]:
    """`n` coffee rings on a page image (grey or RGB): where a cup stood, the liquid dried darkest at its rim.

    Each ring is a wobbly circle (radius 6-17 mm, modulated a few percent), its rim 0.5-1.5 mm wide at
    15-35 % darkness, a 2-8 % wash inside; brown, so a grey scan sees it lighter than the blue channel does.
    """
    h, w = img.shape[:2]
    s = dpi / 25.4
    stain = np.zeros((h, w), np.float32)
    rings = []
    for _ in range(n):
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        r = rng.uniform(6.0, 17.0) * s
        t = np.linspace(0, 2 * np.pi, 180, endpoint=False)
        wobble = 1 + sum(rng.uniform(0, 0.03) * np.sin(k * t + rng.uniform(0, 2 * np.pi)) for k in (2, 3, 5))
        pts = np.stack([cx + r * wobble * np.cos(t), cy + r * wobble * np.sin(t)], axis=1)
        inside = np.zeros((h, w), np.float32)
        cv2.fillPoly(inside, [np.round(pts).astype(np.int32)], 1.0)
        rim = np.zeros((h, w), np.float32)
        width = rng.uniform(0.5, 1.5) * s
        cv2.polylines(rim, [np.round(pts).astype(np.int32)], True, 1.0, max(1, round(width)), cv2.LINE_AA)
        rim = cv2.GaussianBlur(rim, (0, 0), max(0.5, width / 3))
        dark, wash = rng.uniform(0.15, 0.35), rng.uniform(0.02, 0.08)
        stain = np.maximum(stain, np.maximum(dark * rim / max(float(rim.max()), 1e-6), wash * inside))
        rings.append([round(float(cx)), round(float(cy)), round(float(r / s), 1), round(float(dark), 2)])
    brown = np.array([0.55, 0.75, 1.0], np.float32)  # RGB absorption: blue most, red least
    x = img.astype(np.float32)
    if x.ndim == 3:
        x *= 1.0 - stain[..., None] * brown
    else:
        x *= 1.0 - stain * float(np.dot(brown, [0.299, 0.587, 0.114]))
    return np.clip(x, 0, 255).astype(np.uint8), rings


def stain(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> Scan:
    """`office300` of a sheet with one or two coffee rings on it (see the module docstring)."""
    stained, rings = coffee_rings(img, dpi_in, rng, int(rng.integers(1, 3)))
    scan = office300(stained, dpi_in, rng, rotation)
    return Scan(scan.image, scan.dpi, {**scan.meta, "profile": "stain", "rings": rings})


Profile = Callable[..., Scan]

PROFILES: dict[str, Profile] = {
    "office300": office300,
    "office200": office200,
    "colour300": colour300,
    "bilevel": bilevel,
    "bilevel200": bilevel200,
    "bilevel150": bilevel150,
    "dither": dither,
    "dpi150": dpi150,
    "rough": rough,
    "phone": phone,
    "glare": glare,
    "shadow": shadow,
    "stain": stain,
}


def apply_profile(
    name: str, img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None
) -> Scan:
    """Degrade a clean page image with the named profile (see PROFILES)."""
    try:
        fn = PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose from {sorted(PROFILES)}") from None
    return fn(img, dpi_in, rng, rotation)


def map_points(matrix: list[list[float]] | np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Apply a Scan's 3x3 `meta["matrix"]` to input-page pixel points (N, 2)."""
    m = np.asarray(matrix, float)
    p = np.hstack([np.asarray(pts, float), np.ones((len(pts), 1))]) @ m.T
    return p[:, :2] / p[:, 2:3]
