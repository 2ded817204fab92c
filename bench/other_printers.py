"""Other printers: the forms printed the way an office laser printer does, for stress runs (`--printer laser-*`).

The ward renders each form with pdfium, the same engine that renders the reader's print reference, so the
print on its sheets is the reference's own anti-aliased grey. A laser printer does not print grey: its
raster image processor (another rasteriser, with its own font hinting and stem widths) renders the page at
600 dpi, and every pixel is toner or paper - text solid, the shaded rows a halftone dot screen. Its toner
then spreads (dot gain: strokes a pixel bolder) or runs light (strokes a pixel thinner), and the sheet is
scanned at the profile's dpi from there.

Here each form page is rendered by poppler (`pdftoppm`, FreeType hinting: not the reader's pdfium), screened
to 1 bit at 600 dpi with a 45-degree clustered-dot screen, given the printer's toner (bold, normal or light,
per stack), and area-averaged to the ward's dpi. The marks, the scanner and the truth are the ward's.

An inkjet (`inkjet`) screens greys as scattered droplets instead (a fixed blue-noise threshold per pixel, as
error diffusion spreads them: no regular dot pattern to beat with the scanner's grid), and each droplet wicks
a little into the paper.
"""

from __future__ import annotations

import contextlib
import functools
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import pypdf

import formkit.simulate.ward as ward

PRINTER_DPI = 600
SCREEN_LPI = 106  # lines per inch of the printer's halftone screen (a common 600-dpi laser default)
TONERS = ("bold", "normal", "light")
PRINTERS = (*(f"laser-{t}" for t in TONERS), "inkjet")
INK_WICK_PX = 0.8  # an inkjet droplet's spread into the paper (Gaussian sigma, 600-dpi pixels: ~0.03 mm)


@functools.lru_cache(maxsize=2)
def _screen(h: int, w: int) -> np.ndarray:
    """A 45-degree clustered-dot threshold screen (0-255): a grey prints as dots growing from cell centres.

    cos(k(x+y)) + cos(k(x-y)) = 2 cos(kx) cos(ky): one outer product, not four page-sized arrays.
    """
    k = np.float32(2 * np.pi / (PRINTER_DPI / SCREEN_LPI) / np.sqrt(2.0))
    cx, cy = np.cos(k * np.arange(w, dtype=np.float32)), np.cos(k * np.arange(h, dtype=np.float32))
    dot = np.outer(cy * np.float32(0.5), cx) + np.float32(0.5)  # 1 at a dot's centre, 0 between dots
    return (dot * 254 + 1).astype(np.uint8)


def _screened(grey600: np.ndarray, screen: np.ndarray) -> np.ndarray:
    """Where a pixel prints (bool): its cover (255 - grey) is above the screen's threshold there."""
    return (255 - grey600.astype(np.int16)) > (255 - screen.astype(np.int16))


def laser_print(grey600: np.ndarray, toner: str) -> np.ndarray:
    """A 600-dpi grey rendering printed to toner (0) or paper (255), with the toner's dot gain or loss."""
    ink = _screened(grey600, _screen(*grey600.shape)).astype(np.uint8)
    if toner == "bold":
        ink = cv2.dilate(ink, np.ones((2, 2), np.uint8))
    elif toner == "light":
        k = np.ones((2, 2), np.uint8)
        hairline = ink & ~cv2.morphologyEx(ink, cv2.MORPH_OPEN, k)  # 1 px wide: kept, or it would vanish
        ink = cv2.erode(ink, k) | hairline
    return np.where(ink > 0, 0, 255).astype(np.uint8)


FM_TILE = 128  # the inkjet's screen tile (600-dpi pixels)


@functools.lru_cache(maxsize=2)
def _fm_screen(h: int, w: int) -> np.ndarray:
    """An inkjet's frequency-modulated screen: a fixed threshold (1-255) per pixel, blue noise as error diffusion
    gives (droplets spread evenly, few clumps): white noise high-passed, ranked within a tile, the tile repeated."""
    noise = np.random.default_rng(600).standard_normal((FM_TILE, FM_TILE)).astype(np.float32)
    pad = 8  # a periodic tile: blurred with its own wrap-around as the border
    wrapped = np.pad(noise, pad, mode="wrap")
    high = noise - cv2.GaussianBlur(wrapped, (0, 0), 1.5)[pad:-pad, pad:-pad]
    rank = np.empty(high.size, np.int64)
    rank[np.argsort(high, axis=None)] = np.arange(high.size)
    tile = (1 + rank * 255 // high.size).astype(np.uint8).reshape(high.shape)
    return np.tile(tile, (h // FM_TILE + 1, w // FM_TILE + 1))[:h, :w]


def inkjet_print(grey600: np.ndarray) -> np.ndarray:
    """A 600-dpi grey rendering printed by an inkjet: ink or paper per pixel by a blue-noise screen, then wicked."""
    ink = _screened(grey600, _fm_screen(*grey600.shape))
    return cv2.GaussianBlur(np.where(ink, 0, 255).astype(np.uint8), (0, 0), INK_WICK_PX)


def rasterise_laser(pdf: str | Path | bytes, dpi: float = 150, *, colour: bool = False,
                    pages: Sequence[int] | None = None, toner: str = "normal") -> list[np.ndarray]:
    """`ward.rasterise_pdf`'s contract (uint8 pages at `dpi`), printed by a laser printer (`laser_print`)."""
    return rasterise_printed(pdf, dpi, colour=colour, pages=pages, printer=f"laser-{toner}")


def rasterise_printed(pdf: str | Path | bytes, dpi: float = 150, *, colour: bool = False,
                      pages: Sequence[int] | None = None, printer: str = "laser-normal") -> list[np.ndarray]:
    """`ward.rasterise_pdf`'s contract (uint8 pages at `dpi`), printed by `printer` (one of PRINTERS)."""
    if printer not in PRINTERS:
        raise ValueError(f"printer must be one of {PRINTERS}")
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "form.pdf"
        if isinstance(pdf, bytes):
            src.write_bytes(pdf)
        else:
            src = Path(pdf)
        out: list[np.ndarray] = []
        for i in (list(pages) if pages is not None else range(_count(src))):
            stem = Path(d) / f"p{i}"
            subprocess.run(["pdftoppm", "-gray", "-r", str(PRINTER_DPI), "-f", str(i + 1), "-l", str(i + 1),
                            "-singlefile", str(src), str(stem)], check=True, capture_output=True)
            g = cv2.imread(str(stem) + ".pgm", cv2.IMREAD_GRAYSCALE)
            printed = inkjet_print(g) if printer == "inkjet" else laser_print(g, printer.removeprefix("laser-"))
            h, w = printed.shape
            size = (max(1, round(w * dpi / PRINTER_DPI)), max(1, round(h * dpi / PRINTER_DPI)))
            page = cv2.resize(printed, size, interpolation=cv2.INTER_AREA)
            out.append(np.repeat(page[:, :, None], 3, axis=2) if colour else page)
        return out


def _count(pdf: Path) -> int:
    return len(pypdf.PdfReader(str(pdf)).pages)


def laser_printer(toner: str = "normal") -> contextlib.AbstractContextManager[None]:
    """Within this block the ward prints its forms on a laser printer with `toner` (see the module)."""
    if toner not in TONERS:
        raise ValueError(f"toner must be one of {TONERS}")
    return printed_by(f"laser-{toner}")


@contextlib.contextmanager
def printed_by(printer: str) -> Iterator[None]:
    """Within this block the ward prints its forms on `printer` (one of PRINTERS; see the module)."""
    if printer not in PRINTERS:
        raise ValueError(f"printer must be one of {PRINTERS}")
    saved = ward.rasterise_pdf

    def rasterise(pdf: str | Path | bytes, dpi: float = 150, *, colour: bool = False,
                  pages: Sequence[int] | None = None) -> list[np.ndarray]:
        return rasterise_printed(pdf, dpi, colour=colour, pages=pages, printer=printer)

    ward.rasterise_pdf = rasterise
    try:
        yield
    finally:
        ward.rasterise_pdf = saved
