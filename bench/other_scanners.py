"""Other scanners: settings the ward's profiles do not use, for stress runs (`--profiles whiten,...`).

Each starts from the ward's office scan and adds what a driver or a sheet can do: background removal
(`whiten`), sharpening with a harsh JPEG (`sharp_lowq`), recycled grey paper with fibres and specks
(`grey_paper`), a darker gamma (`dark_gamma`), and a 400-dpi scan (`office400`). `register()` adds them to
the ward's profile tables; the ward itself is unchanged.
"""

from __future__ import annotations

import cv2
import numpy as np

import formkit.simulate.effects as effects
import formkit.simulate.ward as ward


def office400(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> effects.Scan:
    """400 dpi grey, JPEG q 60-90."""
    return effects._office(img, dpi_in, rng, rotation, name="office400", dpi=400, quality=(60, 90))


def whiten(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> effects.Scan:
    """A driver's background removal: everything lighter than a level drawn in 200-230 becomes white."""
    s = effects._office(img, dpi_in, rng, rotation, name="whiten", dpi=300, quality=(70, 85))
    level = float(rng.uniform(200, 230))
    x = np.clip(s.image.astype(np.float32) * (255.0 / level), 0, 255).astype(np.uint8)
    return effects.Scan(x, s.dpi, {**s.meta, "whiten": level})


def sharp_lowq(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> effects.Scan:
    """An unsharp mask (amount 0.6-1.2, radius ~1 px), then a harsh JPEG (q 30-50)."""
    s = effects._office(img, dpi_in, rng, rotation, name="sharp_lowq", dpi=300, quality=(90, 95))
    x = s.image.astype(np.float32)
    amount = float(rng.uniform(0.6, 1.2))
    x = np.clip(x + amount * (x - cv2.GaussianBlur(x, (0, 0), 1.0)), 0, 255).astype(np.uint8)
    q = int(rng.integers(30, 51))
    return effects.Scan(effects.jpeg_roundtrip(x, q), s.dpi, {**s.meta, "sharpen": amount, "jpeg_quality": q})


def grey_paper(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> effects.Scan:
    """Recycled grey paper (80-88 % of white) with fibres and dark specks, scanned at 200 dpi."""
    s = effects._office(img, dpi_in, rng, rotation, name="grey_paper", dpi=200, quality=(70, 85))
    x = s.image.astype(np.float32) * float(rng.uniform(0.80, 0.88))
    h, w = x.shape[:2]
    fibres = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 1.2) * 12
    x = x + (fibres if x.ndim == 2 else fibres[..., None])
    for yy, xx in zip(rng.integers(0, h, h * w // 20000), rng.integers(0, w, h * w // 20000), strict=True):
        cv2.circle(x, (int(xx), int(yy)), int(rng.integers(0, 2)), float(rng.uniform(60, 150)), -1)
    return effects.Scan(np.clip(x, 0, 255).astype(np.uint8), s.dpi, {**s.meta, "grey_paper": True})


def dark_gamma(img: np.ndarray, dpi_in: float, rng: np.random.Generator, rotation: int | None = None) -> effects.Scan:
    """A scanner set darker: gamma 1.6-2.2 (the paper greys, light pencil gains contrast)."""
    s = effects._office(img, dpi_in, rng, rotation, name="dark_gamma", dpi=300, quality=(70, 85))
    g = float(rng.uniform(1.6, 2.2))
    x = (255.0 * (s.image.astype(np.float32) / 255.0) ** g).astype(np.uint8)
    return effects.Scan(x, s.dpi, {**s.meta, "gamma": g})


OTHER_SCANNERS: dict[str, tuple[effects.Profile, int]] = {
    "office400": (office400, 400), "whiten": (whiten, 300), "sharp_lowq": (sharp_lowq, 300),
    "grey_paper": (grey_paper, 200), "dark_gamma": (dark_gamma, 300)}


def register(containers: dict[str, str]) -> None:
    """Add the profiles to the ward's tables and to `containers` (each is a JPEG PDF)."""
    for name, (fn, dpi) in OTHER_SCANNERS.items():
        effects.PROFILES[name] = fn
        ward.PROFILE_DPI[name] = dpi
        containers[name] = "jpeg_pdf"
